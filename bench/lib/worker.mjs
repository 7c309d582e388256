// Builds the Worker as `wrangler deploy` would and runs it in Miniflare on
// 127.0.0.1, with the bindings of wrangler.toml (local storage in a temp dir).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions, unstable_readConfig, unstable_splitSqlQuery } from 'wrangler';
import { childPids } from './cpu.mjs';

export const ADMIN_TOKEN = 'bench-admin-token';

/** Bundles src/index.ts with wrangler (no upload) and answers the bundle's path. */
export function buildWorker() {
  // Inside the project: workerd refuses module paths that climb out of its root.
  const outdir = 'bench/.build';
  const result = spawnSync(
    process.execPath,
    ['node_modules/wrangler/bin/wrangler.js', 'deploy', '--dry-run', '--outdir', outdir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    },
  );
  if (result.status !== 0) throw new Error('wrangler build failed');
  return join(outdir, 'index.js');
}

/** The SQL of every migration, in order. */
export function migrationStatements() {
  return readdirSync('migrations')
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => readFileSync(join('migrations', f), 'utf8'));
}

async function applyMigrations(db) {
  for (const sql of migrationStatements()) {
    await db.batch(unstable_splitSqlQuery(sql).map((statement) => db.prepare(statement)));
  }
}

/** Starts Miniflare and answers { url, mf, db, pids }: `pids` are its workerd processes, for CPU accounting. */
async function start(options) {
  const before = new Set(childPids());
  const mf = new Miniflare(convertV4MiniflareOptions(options));
  const url = (await mf.ready).toString().replace(/\/$/, '');
  const pids = childPids().filter((p) => !before.has(p));
  const db = await mf.getD1Database('DB');
  await applyMigrations(db);
  return { url, mf, db, pids };
}

/** wrangler.toml's `[vars]`. */
export const tomlVars = () => unstable_readConfig({ config: 'wrangler.toml' }).vars;

const TRACES_WORKER = 'bench-traces';

/**
 * A tail Worker that hands Node what the runtime reports of each invocation
 * of the Worker it tails (its trace items): the Worker's own requests, each
 * RPC to one of its Durable Objects and each of their alarms, as billing
 * counts them. `onTraces` takes each batch, one summary per invocation:
 * { model ('stateless' or 'durableObject'), entrypoint (the class), rpcMethod,
 * alarm, path (of a fetch), outcome }.
 */
const tracesWorker = (onTraces) => ({
  name: TRACES_WORKER,
  modules: true,
  compatibilityDate: '2026-10-01',
  script: `export default {
    async tail(items, env) {
      const traces = items.map((item) => ({
        model: item.executionModel ?? null,
        entrypoint: item.entrypoint ?? null,
        rpcMethod: item.event?.rpcMethod ?? null,
        alarm: item.event !== null && typeof item.event === 'object' && 'scheduledTime' in item.event,
        path: item.event?.request ? new URL(item.event.request.url).pathname : null,
        outcome: item.outcome,
      }));
      await env.TRACES.fetch('http://traces/', { method: 'POST', body: JSON.stringify(traces) });
    },
  };`,
  serviceBindings: {
    TRACES: async (request) => {
      onTraces(await request.json());
      return new Response(null, { status: 204 });
    },
  },
});

/**
 * Starts the sharepulse Worker in Miniflare, migrated, on a free port of
 * 127.0.0.1, with wrangler.toml's bindings and `[vars]` (not .dev.vars, which
 * holds local development settings), then `vars`. Answers { url, mf, db, pids };
 * `mf.dispose()` stops it. `options` are Miniflare's, but for `onTraces`:
 * given, a tail Worker hands it the runtime's report of every invocation
 * (tracesWorker).
 */
export async function startSharepulse(scriptPath, vars = {}, options = {}) {
  const { onTraces, ...miniflareOptions } = options;
  // The bundle is one self-contained module, so wrangler's module rules do not apply.
  const { modulesRules: _, ...workerOptions } = unstable_getMiniflareWorkerOptions('wrangler.toml').workerOptions;
  return start({
    host: '127.0.0.1',
    port: 0,
    ...miniflareOptions,
    workers: [
      {
        ...workerOptions,
        name: 'sharepulse',
        modules: true,
        scriptPath,
        bindings: { ...workerOptions.bindings, ...tomlVars(), ADMIN_TOKEN, ...vars },
        ...(onTraces ? { tails: [TRACES_WORKER] } : {}),
      },
      ...(onTraces ? [tracesWorker(onTraces)] : []),
    ],
  });
}

/**
 * Starts a plain module Worker with a D1 binding `DB`, migrated like sharepulse's, plus `moreBindings` (Miniflare
 * worker options such as `durableObjects`), but for `imports`: the paths of the modules the script imports, if any.
 */
export async function startPlainWorker(scriptPath, { imports = [], ...moreBindings } = {}) {
  const source =
    imports.length === 0
      ? { modules: true, scriptPath }
      : {
          modulesRoot: '.',
          modules: [scriptPath, ...imports].map((path) => ({ type: 'ESModule', path: relative('.', path) })),
        };
  return start({
    host: '127.0.0.1',
    port: 0,
    workers: [
      {
        ...moreBindings,
        name: 'baseline',
        ...source,
        compatibilityDate: '2026-10-01',
        d1Databases: ['DB'],
      },
    ],
  });
}

/**
 * Creates a site through the admin API, with `settings` over the bench's
 * defaults, and answers it as stored (its `settings` filled in). The bench's
 * pages do not exist, so its sites take articles from beacons (`beacon`
 * mode), with a new-article budget above any bench's article count.
 */
export async function createBenchSite(url, id, hosts, settings = {}) {
  const response = await fetch(`${url}/api/v1/admin/sites`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      id,
      name: `Bench ${id}`,
      hosts,
      settings: { article_source: 'beacon', max_new_articles_per_hour: 100_000, ...settings },
    }),
  });
  if (response.status !== 201) throw new Error(`create site: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Changes a site through the admin API (a partial update, such as `{ settings: { share_weight: 5 } }`). */
export async function patchBenchSite(url, id, body) {
  const response = await fetch(`${url}/api/v1/admin/sites/${id}`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`change site: ${response.status} ${await response.text()}`);
}
