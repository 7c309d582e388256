// A sharepulse Worker of its own on loopback, for the browser tests and the
// screenshots: `wrangler dev --local` on a free port of 127.0.0.1 with a fresh
// store, migrated and seeded as `npm run dev` does; and the Chromium flags both use.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoSeedSql } from '../demo-seed.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WRANGLER = join(ROOT, 'node_modules/wrangler/bin/wrangler.js');
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 10_000;
// No metrics, and no banner, which is what asks the npm registry for a newer wrangler: loopback only.
const quietEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CI: 'true' };

/** A reader's User-Agent: the server rightly takes HeadlessChrome for a bot and counts nothing it sends. */
export const READER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';

/**
 * The reader's User-Agent for the whole browser (a context's override does not
 * reach sendBeacon requests), and nothing but loopback names resolving, so that
 * no request can leave the machine (127.0.0.2: a publisher of a host of its own,
 * as one host belongs to one site).
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  `--user-agent=${READER_UA}`,
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE 127.0.0.2',
];

/** A port nothing listens on now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function wrangler(args) {
  const result = spawnSync(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    env: quietEnv,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`wrangler ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
}

/**
 * Migrates and seeds the store in `persist` (the demo site's `article_source`
 * `page` unless `demoArticleSource` says otherwise), starts `wrangler dev` on
 * it with `vars`, and waits until /healthz answers. Answers its origin and
 * `stop()`, which ends it (SIGTERM, then SIGKILL after 10 s) and resolves once it is gone.
 */
export async function startLocalWorker(persist, vars, { demoArticleSource = 'page' } = {}) {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const origin = `http://127.0.0.1:${port}`;
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist]);
  const articles = JSON.parse(readFileSync(join(ROOT, 'src/demo/articles.json'), 'utf8'));
  const paper = JSON.parse(readFileSync(join(ROOT, 'src/demo/paper.json'), 'utf8'));
  const seed = join(persist, 'demo-seed.sql');
  writeFileSync(
    seed,
    demoSeedSql(articles, paper.origin, Date.now(), { pictureOrigin: origin, articleSource: demoArticleSource }),
  );
  wrangler(['d1', 'execute', 'DB', '--local', '--persist-to', persist, '--file', seed]);

  const output = [];
  const child = spawn(
    process.execPath,
    [
      WRANGLER,
      'dev',
      '--local',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(inspectorPort),
      '--persist-to',
      persist,
      ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
      '--show-interactive-dev-session=false',
      '--log-level',
      'warn',
    ],
    { cwd: ROOT, env: quietEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (chunk) => output.push(String(chunk)));
  child.stderr.on('data', (chunk) => output.push(String(chunk)));
  const signal = (name) => {
    try {
      process.kill(-child.pid, name);
    } catch {
      // already gone
    }
  };
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => {
        signal('SIGKILL');
        resolve();
      }, STOP_TIMEOUT_MS);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      signal('SIGTERM');
    });

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output.join('')}`);
    const up = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (up) return { origin, stop };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`wrangler dev did not answer within ${START_TIMEOUT_MS} ms:\n${output.join('')}`);
}
