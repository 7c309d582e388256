// What a view costs (issue 16): the platform operations that a counted view
// and a repeat view cause, by the platform's own counters, per 1,000 events
// on a Zipf-like mix over `articles` articles, and what a million counted
// views cost at Cloudflare's list prices for Workers Paid, beside the naive
// one-upsert Worker.
//
// Where each counter comes from:
// - Worker requests, Durable Object requests (each RPC, each alarm): the
//   runtime's own report of every invocation, through a tail Worker
//   (lib/worker.mjs, `onTraces`). The bench's own usage() calls are left out.
// - Durable Object storage rows (cursors' rowsRead / rowsWritten), alarms
//   set (each billed as a row written), D1 rows (results' meta.rows_read /
//   rows_written), KV calls: the code's own metering (src/metering), read
//   through the objects' usage() RPC, which answers the isolate's counters
//   and resets them. In Miniflare the Worker and its Durable Objects run in
//   one isolate, so that answer holds the Worker's KV and D1 calls too; the
//   bench takes it from every shard and the registry (each take resets, so
//   nothing counts twice) and fails if the Worker's KV write of a new site
//   does not show.
// Not counted: D1 statements run outside runBatch (src/db/query.ts), such as
// the site lookup on a KV miss (src/db/sites.ts getSite), at most once per
// KV expiry and location; Durable Object duration (Miniflare reports no wall
// time: the report prices it per millisecond of activity instead); CPU is
// workerd's whole process (Worker, objects, D1, KV), an upper bound of the
// Worker's.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readerBeacons } from './lib/beacons.mjs';
import { cpuMs } from './lib/cpu.mjs';
import { load } from './lib/load.mjs';
import { prng, ZIPF_EXPONENT } from './lib/synthetic-site.mjs';
import { buildWorker, createBenchSite, startPlainWorker, startSharepulse, tomlVars } from './lib/worker.mjs';

/**
 * Cloudflare's list prices for Workers Paid, US$ per million over what the
 * plan includes each month, read on 2 Dec 2026 from developers.cloudflare.com:
 * /workers/platform/pricing/ (requests, CPU), /durable-objects/platform/pricing/
 * (requests: RPCs and alarms; duration; SQLite storage rows, setAlarm billed as
 * a row written), /d1/platform/pricing/ (rows), /kv/platform/pricing/ (calls).
 */
export const PRICES = {
  readOn: '2 Dec 2026',
  subscription: 5,
  workerRequests: { perMillion: 0.3, included: 10e6 },
  workerCpuMs: { perMillion: 0.02, included: 30e6 },
  doRequests: { perMillion: 0.15, included: 1e6 },
  doGbSeconds: { perMillion: 12.5, included: 400_000 },
  doRowsRead: { perMillion: 0.001, included: 25e9 },
  doRowsWritten: { perMillion: 1, included: 50e6 },
  d1RowsRead: { perMillion: 0.001, included: 25e9 },
  d1RowsWritten: { perMillion: 1, included: 50e6 },
  kvReads: { perMillion: 0.5, included: 10e6 },
  kvWrites: { perMillion: 5, included: 1e6 },
  kvDeletes: { perMillion: 5, included: 1e6 },
};
/** A Durable Object is billed for 128 MB while active: GB-s per request per millisecond it keeps its object active. */
const DO_GB_SECONDS_PER_REQUEST_MS = 0.128 / 1000;

/** Today's cost of a million counted views (measured on main before the change; bench/README.md "What a view costs"). */
export const BASELINE = { measured: '2 Dec 2026, main at 03910f5', costPerMillionCounted: 8.9 };
/** Issue 16's targets, by this bench's counters: each an upper bound. */
export const TARGETS = { doRowsWrittenPerCounted: 1.1, doRowsWrittenPerRepeat: 0.05, costRatioToBaseline: 0.5 };

/** The bench's settings in a smoke run (a check that it works: its figures mean nothing) and a full one. */
export const COST_CONFIG = {
  smoke: { articles: 20, readers: 60, connections: 8, flushSeconds: 1 },
  full: { articles: 1000, readers: 3000, connections: 32 },
};

const SITE = 'cost';
const HOST = 'cost.example';
/** The bench's own calls, not the load's. */
const BENCH_RPC = 'usage';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Article ranks 0 … articles - 1 drawn Zipf-like (1 / (rank + 1)^ZIPF_EXPONENT), the same for a seed. */
function zipfArticles(count, articles, seed) {
  const weights = Array.from({ length: articles }, (_, rank) => 1 / (rank + 1) ** ZIPF_EXPONENT);
  const total = weights.reduce((sum, w) => sum + w, 0);
  let running = 0;
  const cdf = weights.map((w) => (running += w / total));
  const random = prng(seed);
  return Array.from({ length: count }, () => {
    const u = random();
    const found = cdf.findIndex((c) => c >= u);
    return found < 0 ? articles - 1 : found;
  });
}

/** Collects the runtime's invocation reports; `summary` counts them, the bench's own calls apart. */
function traceCollector() {
  let traces = [];
  let lastAt = performance.now();
  return {
    add(batch) {
      traces.push(...batch);
      if (batch.some((t) => t.rpcMethod !== BENCH_RPC)) lastAt = performance.now();
    },
    reset() {
      traces = [];
    },
    /** Resolves once no invocation but the bench's own was reported for `ms`. */
    async quiet(ms) {
      while (performance.now() - lastAt < ms) await sleep(100);
    },
    summary() {
      const load = traces.filter((t) => t.rpcMethod !== BENCH_RPC);
      const count = (predicate) => load.filter(predicate).length;
      const byObject = (entrypoint) => {
        const calls = load.filter((t) => t.model === 'durableObject' && t.entrypoint === entrypoint);
        const rpcs = {};
        for (const t of calls.filter((c) => c.rpcMethod)) rpcs[t.rpcMethod] = (rpcs[t.rpcMethod] ?? 0) + 1;
        return { rpcs, alarms: calls.filter((c) => c.alarm).length, total: calls.length };
      };
      return {
        workerRequests: count((t) => t.model === 'stateless' && t.path !== null),
        failed: count((t) => t.outcome !== 'ok'),
        shard: byObject('CounterShard'),
        registry: byObject('ArticleRegistry'),
      };
    },
  };
}

const emptyRows = () => ({ runs: 0, rowsRead: 0, rowsWritten: 0, alarmsSet: 0, byStatement: [] });

/** Usage reports (src/metering/usage.ts) summed, statement by statement. */
function sumReports(reports) {
  const sumRows = (key) => {
    const byStatement = new Map();
    const total = emptyRows();
    for (const report of reports) {
      const rows = report[key];
      for (const field of ['runs', 'rowsRead', 'rowsWritten', 'alarmsSet']) total[field] += rows[field] ?? 0;
      for (const s of rows.byStatement) {
        const sum = byStatement.get(s.statement) ?? { statement: s.statement, runs: 0, rowsRead: 0, rowsWritten: 0 };
        sum.runs += s.runs;
        sum.rowsRead += s.rowsRead;
        sum.rowsWritten += s.rowsWritten;
        byStatement.set(s.statement, sum);
      }
    }
    total.byStatement = [...byStatement.values()].sort(
      (a, b) => b.rowsWritten - a.rowsWritten || b.rowsRead - a.rowsRead,
    );
    return total;
  };
  const kv = { reads: 0, writes: 0, deletes: 0 };
  for (const { kv: k } of reports) for (const field of Object.keys(kv)) kv[field] += k[field];
  return { shardStorage: sumRows('shardStorage'), registryStorage: sumRows('registryStorage'), d1: sumRows('d1'), kv };
}

/** The site's ledger in D1, by outcome, over every day. */
async function ledger(db) {
  const { results } = await db
    .prepare('SELECT outcome, sum(n) AS n FROM site_ledger WHERE site_id = ? GROUP BY outcome')
    .bind(SITE)
    .all();
  return Object.fromEntries(results.map((r) => [r.outcome, r.n]));
}

/** Waits until the ledger holds `events` events more than `before` (the shards flushed them); answers it, or throws at the deadline. */
async function flushedLedger(db, before, events, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const total = (l) => Object.values(l).reduce((sum, n) => sum + n, 0);
  for (;;) {
    const now = await ledger(db);
    if (total(now) >= total(before) + events) return now;
    if (Date.now() > deadline) throw new Error(`cost: the ledger never held the ${events} events sent`);
    await sleep(250);
  }
}

/** What a phase caused, per event: the units PRICES prices. */
function perEvent({ events, invocations, usage, cpuMsTotal }) {
  const per = (n) => n / events;
  return {
    workerRequests: per(invocations.workerRequests),
    workerCpuMs: per(cpuMsTotal),
    doRequests: per(invocations.shard.total + invocations.registry.total),
    doRowsRead: per(usage.shardStorage.rowsRead + usage.registryStorage.rowsRead),
    doRowsWritten: per(
      usage.shardStorage.rowsWritten +
        usage.shardStorage.alarmsSet +
        usage.registryStorage.rowsWritten +
        usage.registryStorage.alarmsSet,
    ),
    d1RowsRead: per(usage.d1.rowsRead),
    d1RowsWritten: per(usage.d1.rowsWritten),
    kvReads: per(usage.kv.reads),
    kvWrites: per(usage.kv.writes),
    kvDeletes: per(usage.kv.deletes),
  };
}

/** US$ for a million events of `units` at list prices, nothing included; by unit and in all. */
export function costPerMillion(units) {
  const byUnit = Object.fromEntries(Object.entries(units).map(([unit, n]) => [unit, n * PRICES[unit].perMillion]));
  return { byUnit, total: Object.values(byUnit).reduce((sum, c) => sum + c, 0) };
}

/** A month's bill for `events` events of `units`: the subscription, and what goes over each included amount. */
export function monthlyBill(units, events) {
  let bill = PRICES.subscription;
  for (const [unit, n] of Object.entries(units)) {
    const { perMillion, included } = PRICES[unit];
    bill += (Math.max(0, n * events - included) / 1e6) * perMillion;
  }
  return bill;
}

/** Sends `views` ({ reader, article } each) to the Worker at `url` as the readers' beacons. */
const sendViews = (url, views, connections) =>
  load({ url, amount: views.length, connections, requests: readerBeacons({ site: SITE, host: HOST, views }) });

/** The CPU ms `pids` use from now to each call of the answer (lib/cpu.mjs cpuMs); 0 without /proc. */
function cpuClock(pids) {
  const before = cpuMs(pids);
  return () => {
    const after = cpuMs(pids);
    return before === null || after === null ? 0 : after - before;
  };
}

/**
 * One phase: the counters taken (and so reset), `views` sent as beacons,
 * their events flushed to D1 and every object quiet again, then the counters
 * taken for the phase.
 */
async function phase({ sharepulse, traces, takeUsage, views, connections, flushMs, quietMs }) {
  await traces.quiet(quietMs);
  await takeUsage();
  traces.reset();
  const before = await ledger(sharepulse.db);
  const cpuSpent = cpuClock(sharepulse.pids);
  const run = await sendViews(sharepulse.url, views, connections);
  const after = await flushedLedger(sharepulse.db, before, views.length, flushMs + 30_000);
  await traces.quiet(quietMs);
  const cpuMsTotal = cpuSpent();
  const usage = await takeUsage();
  const outcomes = Object.fromEntries(
    Object.entries(after)
      .map(([outcome, n]) => [outcome, n - (before[outcome] ?? 0)])
      .filter(([, n]) => n > 0),
  );
  const measured = {
    events: views.length,
    statuses: run.statuses,
    errors: run.errors,
    outcomes,
    invocations: traces.summary(),
    usage,
    cpuMsTotal,
  };
  return { ...measured, perEvent: perEvent(measured) };
}

/** The naive Worker (lib/metered-naive-worker.mjs) given the same views: one request and one D1 upsert each. */
async function naivePhase(views, connections) {
  const naive = await startPlainWorker(fileURLToPath(new URL('./lib/metered-naive-worker.mjs', import.meta.url)), {
    imports: [fileURLToPath(new URL('./naive-worker.mjs', import.meta.url))],
  });
  try {
    const usageOf = async () => (await fetch(`${naive.url}/bench/usage`)).json();
    await usageOf();
    const cpuSpent = cpuClock(naive.pids);
    const run = await sendViews(naive.url, views, connections);
    const cpuMsTotal = cpuSpent();
    const d1 = await usageOf();
    const per = (n) => n / views.length;
    const units = {
      workerRequests: per(run.requests),
      workerCpuMs: per(cpuMsTotal),
      d1RowsRead: per(d1.rowsRead),
      d1RowsWritten: per(d1.rowsWritten),
    };
    return { events: views.length, statuses: run.statuses, errors: run.errors, d1, perEvent: units };
  } finally {
    await naive.mf.dispose();
  }
}

/**
 * The cost of views, in three phases on one Miniflare: each of `articles`
 * articles viewed once (its first sight: the registry takes it), then
 * `readers` new readers each viewing one article drawn Zipf-like (counted
 * views), then the same readers viewing the same articles again the same
 * day (repeat views); and the counted phase's views sent to the naive Worker.
 * Each reader has its own IP (lib/beacons.mjs visitorIp).
 */
export async function benchCost({ scriptPath, articles, readers, connections, flushSeconds, seed = 20_261_202 }) {
  const traces = traceCollector();
  const vars = flushSeconds === undefined ? {} : { FLUSH_SECONDS: String(flushSeconds) };
  const flushMs = 1000 * Number(vars.FLUSH_SECONDS ?? tomlVars().FLUSH_SECONDS);
  // Long enough for the tail Worker to report the last invocations.
  const quietMs = Math.min(1500, flushMs / 2);
  const sharepulse = await startSharepulse(scriptPath, vars, { onTraces: (batch) => traces.add(batch) });
  const problems = [];
  try {
    const site = await createBenchSite(sharepulse.url, SITE, [HOST]);
    const shards = await sharepulse.mf.getDurableObjectNamespace('SHARDS');
    const registries = await sharepulse.mf.getDurableObjectNamespace('ARTICLES');
    // Names as src/shard/routing.ts shardName and src/articles/registry-client.ts registryFor make them.
    const shardCount = Number(tomlVars().SHARD_COUNT);
    const objects = [
      ...Array.from({ length: shardCount }, (_, i) => shards.get(shards.idFromName(`shard-${i}`))),
      registries.get(registries.idFromName(JSON.stringify([site.id, site.created_at]))),
    ];
    const takeUsage = async () => sumReports(await Promise.all(objects.map((stub) => stub.usage())));
    // The Worker stored the new site in KV: its counters must show through the objects.
    const created = await takeUsage();
    if (created.kv.writes === 0) throw new Error("cost: the Worker's counters do not show in the objects' usage()");

    const common = { sharepulse, traces, takeUsage, connections, flushMs, quietMs };
    const firstSight = await phase({
      ...common,
      views: Array.from({ length: articles }, (_, article) => ({ reader: article, article })),
    });
    const counted = zipfArticles(readers, articles, seed).map((article, i) => ({ reader: articles + i, article }));
    const countedViews = await phase({ ...common, views: counted });
    const repeatViews = await phase({ ...common, views: counted });
    const naive = await naivePhase(counted, connections);

    const expect = (name, result, outcome) => {
      if (result.errors > 0 || Object.keys(result.statuses).some((status) => status !== '202'))
        problems.push(`${name}: requests refused or failed`);
      if (result.outcomes[outcome] !== result.events)
        problems.push(`${name}: ${result.outcomes[outcome] ?? 0} of ${result.events} events were ${outcome}s`);
      if (result.invocations.failed > 0) problems.push(`${name}: ${result.invocations.failed} invocations failed`);
    };
    expect('first sight', firstSight, 'view');
    expect('counted', countedViews, 'view');
    expect('repeat', repeatViews, 'repeat');
    if (naive.errors > 0 || Object.keys(naive.statuses).some((status) => status !== '202'))
      problems.push('naive: requests refused or failed');

    const costs = {
      counted: costPerMillion(countedViews.perEvent),
      repeat: costPerMillion(repeatViews.perEvent),
      firstSight: costPerMillion(firstSight.perEvent),
      naive: costPerMillion(naive.perEvent),
    };
    const months = Object.fromEntries(
      [10e6, 100e6].map((views) => [
        views,
        { sharepulse: monthlyBill(countedViews.perEvent, views), naive: monthlyBill(naive.perEvent, views) },
      ]),
    );
    const judged = (value, target) => ({ value, target, met: value <= target });
    const targets = {
      doRowsWrittenPerCounted: judged(countedViews.perEvent.doRowsWritten, TARGETS.doRowsWrittenPerCounted),
      doRowsWrittenPerRepeat: judged(repeatViews.perEvent.doRowsWritten, TARGETS.doRowsWrittenPerRepeat),
      costRatioToBaseline: judged(costs.counted.total / BASELINE.costPerMillionCounted, TARGETS.costRatioToBaseline),
    };
    return {
      articles,
      readers,
      connections,
      flushSeconds: flushMs / 1000,
      shardCount,
      phases: { firstSight, counted: countedViews, repeat: repeatViews },
      naive,
      costs,
      months,
      targets,
      // Duration left out: what each millisecond of activity per Durable Object request would add per million counted views.
      durationPerMsPerMillionCounted:
        countedViews.perEvent.doRequests * DO_GB_SECONDS_PER_REQUEST_MS * PRICES.doGbSeconds.perMillion,
      problems,
    };
  } finally {
    await sharepulse.mf.dispose();
  }
}

const fmt = (n, digits = 2) =>
  n === null || n === undefined
    ? '–'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const usd = (n, digits = 2) => `$${fmt(n, digits)}`;

/** The statements that wrote or read the most, per 1,000 events of a phase. */
function statementRows(label, rows, events, limit) {
  return rows.byStatement
    .slice(0, limit)
    .filter((s) => s.rowsWritten > 0 || s.rowsRead > 0)
    .map(
      (s) =>
        `| ${label} | \`${s.statement.length > 110 ? `${s.statement.slice(0, 107)}…` : s.statement}\` | ${fmt((1000 * s.runs) / events, 0)} | ${fmt((1000 * s.rowsWritten) / events, 0)} | ${fmt((1000 * s.rowsRead) / events, 0)} |`,
    );
}

/** The bench's report, as Markdown: per 1,000 events, the cost of a million, a month, the statements. */
export function costReport(cost, { smoke = false } = {}) {
  const { firstSight, counted, repeat } = cost.phases;
  const columns = [
    ['Worker requests', 'workerRequests'],
    ['workerd CPU ms (all hops)', 'workerCpuMs'],
    ['Durable Object requests', 'doRequests'],
    ['DO storage rows written (alarms set included)', 'doRowsWritten'],
    ['DO storage rows read', 'doRowsRead'],
    ['D1 rows written', 'd1RowsWritten'],
    ['D1 rows read', 'd1RowsRead'],
    ['KV reads', 'kvReads'],
    ['KV writes and deletes', 'kvWrites'],
  ];
  const per1000 = (units, key) => {
    if (units[key] === undefined) return '–';
    const n = key === 'kvWrites' ? units.kvWrites + (units.kvDeletes ?? 0) : units[key];
    return fmt(1000 * n, 0);
  };
  const table = [
    '| per 1,000 events | counted view | repeat view | first view of a new article | naive Worker |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...columns.map(
      ([name, key]) =>
        `| ${name} | ${per1000(counted.perEvent, key)} | ${per1000(repeat.perEvent, key)} | ${per1000(firstSight.perEvent, key)} | ${per1000(cost.naive.perEvent, key)} |`,
    ),
    `| **a million at list prices** | **${usd(cost.costs.counted.total)}** | ${usd(cost.costs.repeat.total)} | ${usd(cost.costs.firstSight.total)} | **${usd(cost.costs.naive.total)}** |`,
  ];
  const judge = ({ value, target, met }, label = '') => {
    const figure = `${fmt(value)}${label ? ` ${label}` : ''}`;
    return smoke ? figure : `${figure} (target ≤ ${fmt(target)}, ${met ? 'met' : 'MISSED'})`;
  };
  const byUnit = Object.entries(cost.costs.counted.byUnit)
    .filter(([, c]) => c > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([unit, c]) => `${unit} ${usd(c, 3)}`)
    .join(', ');
  const month = (views) =>
    `${fmt(views / 1e6, 0)} M counted views a month: ${usd(cost.months[views].sharepulse)} (naive ${usd(cost.months[views].naive)})`;
  const statements = [
    '| phase / storage | statement | runs | rows written | rows read |',
    '| --- | --- | ---: | ---: | ---: |',
    ...statementRows('counted: shard', counted.usage.shardStorage, counted.events, 12),
    ...statementRows('counted: registry', counted.usage.registryStorage, counted.events, 4),
    ...statementRows('counted: D1', counted.usage.d1, counted.events, 8),
    ...statementRows('repeat: shard', repeat.usage.shardStorage, repeat.events, 8),
    ...statementRows('repeat: D1', repeat.usage.d1, repeat.events, 4),
  ];
  const alarms = (p) =>
    fmt((1000 * (p.usage.shardStorage.alarmsSet + p.usage.registryStorage.alarmsSet)) / p.events, 0);
  const rpcs = (p) =>
    Object.entries(p.invocations.shard.rpcs)
      .map(([method, n]) => `shard ${method} ${fmt((1000 * n) / p.events, 0)}`)
      .concat(
        Object.entries(p.invocations.registry.rpcs).map(([m, n]) => `registry ${m} ${fmt((1000 * n) / p.events, 0)}`),
      )
      .concat([`alarms ${fmt((1000 * (p.invocations.shard.alarms + p.invocations.registry.alarms)) / p.events, 0)}`])
      .join(', ');
  return `
### What a view costs${smoke ? ' (SMOKE: figures mean nothing)' : ''}

${cost.readers} readers (each its own IP) on a Zipf-like mix over ${cost.articles} articles, ${cost.connections} connections, ${cost.shardCount} shards, FLUSH_SECONDS=${cost.flushSeconds}; each article first viewed once, then ${cost.readers} counted views, then the same readers again (repeats). List prices for Workers Paid read ${PRICES.readOn}, nothing included.

${table.join('\n')}

- DO storage rows written per counted view: ${judge(cost.targets.doRowsWrittenPerCounted)}, besides the day's expiry, which the bench does not live to see and which writes no row per view (a closed day's dedup table is dropped whole, and made again: 2 rows a shard a day, test/shard/dedup.test.ts); per repeat view: ${judge(cost.targets.doRowsWrittenPerRepeat)}; alarms set per 1,000 counted / repeat views: ${alarms(counted)} / ${alarms(repeat)}.
- A million counted views: ${usd(cost.costs.counted.total)} (${byUnit}); ${judge(cost.targets.costRatioToBaseline, `× today's ${usd(BASELINE.costPerMillionCounted)} (${BASELINE.measured})`)}; naive Worker ${usd(cost.costs.naive.total)}. Duration left out: each ms a Durable Object request keeps its object active adds ${usd(cost.durationPerMsPerMillionCounted, 4)} per million counted views.
- A month with the subscription and the included amounts: ${month(10e6)}; ${month(100e6)}.
- Durable Object requests per 1,000 events, counted: ${rpcs(counted)}; repeat: ${rpcs(repeat)}.
- Outcomes: first sight ${JSON.stringify(firstSight.outcomes)}, counted ${JSON.stringify(counted.outcomes)}, repeat ${JSON.stringify(repeat.outcomes)}.

${statements.join('\n')}
`;
}

// Alone: `node bench/cost.mjs [--smoke]`, after `npm run build:assets`.
if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const smoke = process.argv.includes('--smoke');
  const cost = await benchCost({ scriptPath: buildWorker(), ...(smoke ? COST_CONFIG.smoke : COST_CONFIG.full) });
  console.log(costReport(cost, { smoke }));
  if (cost.problems.length > 0) {
    console.error(`FAILED: ${cost.problems.join('; ')}`);
    process.exit(1);
  }
}
