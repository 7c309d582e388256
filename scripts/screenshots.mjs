// README's screenshots, taken again: `npm run screenshots` (which builds the
// browser code first). Starts `wrangler dev` on a free loopback port with
// a fresh store, migrated and seeded like `npm run dev`, and photographs the
// demo and the dashboard in Debian's Chromium (/usr/bin/chromium, or
// CHROMIUM=path) at 1280 and 390 px wide, writing docs/*.png.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { demoSeedSql } from './demo-seed.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WRANGLER = join(ROOT, 'node_modules/wrangler/bin/wrangler.js');
const ADMIN_TOKEN = 'dev-admin-token';
const START_TIMEOUT_MS = 90_000;
// No metrics, and no banner (which asks the npm registry for a newer wrangler).
const quietEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CI: 'true' };
// test/e2e/browser.ts's flags: a reader's User-Agent (HeadlessChrome counts as a bot), loopback only.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--user-agent=Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];

const DESKTOP = { viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 };
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

function freePort() {
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
  const result = spawnSync(process.execPath, [WRANGLER, ...args], { cwd: ROOT, env: quietEnv, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`wrangler ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
}

async function startWorker(persist) {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const origin = `http://127.0.0.1:${port}`;
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist]);
  const articles = JSON.parse(readFileSync(join(ROOT, 'src/demo/articles.json'), 'utf8'));
  const paper = JSON.parse(readFileSync(join(ROOT, 'src/demo/paper.json'), 'utf8'));
  const seed = join(persist, 'demo-seed.sql');
  writeFileSync(seed, demoSeedSql(articles, paper.origin, Date.now()));
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
      '--var',
      `ADMIN_TOKEN:${ADMIN_TOKEN}`,
      '--show-interactive-dev-session=false',
      '--log-level',
      'warn',
    ],
    { cwd: ROOT, env: quietEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (chunk) => output.push(String(chunk)));
  child.stderr.on('data', (chunk) => output.push(String(chunk)));
  const stop = () => {
    if (child.exitCode !== null) return Promise.resolve();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid, 'SIGTERM');
    return exited;
  };

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

/**
 * Waits until `expression` is truthy in the page, polled from here: the page's
 * CSP forbids the eval() page.waitForFunction would use.
 */
async function until(page, expression) {
  const deadline = Date.now() + 15_000;
  while (!(await page.evaluate(`!!(${expression})`))) {
    if (Date.now() > deadline) throw new Error(`${page.url()}: still not ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The demo's front page once the widget has upgraded its share bar and shown its counts. */
async function shootDemo(browser, origin, options, file) {
  const page = await browser.newPage(options);
  await page.goto(`${origin}/demo`);
  await until(page, `document.querySelector('[data-sharepulse="share"]')?.shadowRoot?.querySelector('.btn')`);
  // The counts arrive after the buttons; the thumbnails are lazy.
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: join(ROOT, 'docs', file), fullPage: options === PHONE });
  await page.close();
}

/** The demo site's overview, signed in, once its charts are drawn. */
async function shootDashboard(context, origin, file, { fullPage }) {
  const page = await context.newPage();
  await page.goto(`${origin}/dashboard?site=demo&period=24h`);
  await page.waitForSelector('[data-chart] canvas', { timeout: 15_000 });
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: join(ROOT, 'docs', file), fullPage });
  await page.close();
}

async function signedIn(browser, origin, options) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.goto(`${origin}/dashboard/login`);
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await Promise.all([page.waitForURL(/\/dashboard(\?|$)/), page.getByRole('button', { name: 'Sign in' }).click()]);
  await page.close();
  return context;
}

const persist = mkdtempSync(join(tmpdir(), 'sharepulse-screenshots-'));
const worker = await startWorker(persist);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: CHROMIUM_ARGS,
  timeout: 30_000,
});
try {
  await shootDemo(browser, worker.origin, DESKTOP, 'demo.png');
  await shootDemo(browser, worker.origin, PHONE, 'demo-mobile.png');
  const desktop = await signedIn(browser, worker.origin, DESKTOP);
  await shootDashboard(desktop, worker.origin, 'dashboard.png', { fullPage: true });
  await desktop.close();
  const dark = await signedIn(browser, worker.origin, { ...DESKTOP, colorScheme: 'dark' });
  await shootDashboard(dark, worker.origin, 'dashboard-dark.png', { fullPage: true });
  await dark.close();
  const phone = await signedIn(browser, worker.origin, PHONE);
  await shootDashboard(phone, worker.origin, 'dashboard-mobile.png', { fullPage: true });
  await phone.close();
  console.log('Wrote docs/demo.png, demo-mobile.png, dashboard.png, dashboard-dark.png, dashboard-mobile.png');
} finally {
  await browser.close();
  await worker.stop();
  rmSync(persist, { recursive: true, force: true });
}
