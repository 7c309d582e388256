// Ingest: POST /api/v1/events from distinct visitors (each its own IP),
// against /healthz of the same Worker (the runtime's ceiling) and a naive
// one-upsert-per-event Worker, in interleaved rounds. Every ingest run is
// bound by a count of requests, so that each one is answered: then D1 must
// hold exactly the accepted events.
import { fileURLToPath } from 'node:url';
import { viewBeacons } from './lib/beacons.mjs';
import { load, median, medianOf } from './lib/load.mjs';
import { createBenchSite, startPlainWorker, startSharepulse } from './lib/worker.mjs';

const SITE = 'bench';
const HOST = 'bench.example';
const ARTICLES = 1000;
/** View beacons of new visitors across ARTICLES articles of the bench site. */
const views = (next, { bot = false } = {}) => viewBeacons({ site: SITE, host: HOST, articles: ARTICLES, next, bot });

async function storedViews(db) {
  const row = await db
    .prepare('SELECT coalesce(sum(views), 0) AS views FROM articles WHERE site_id = ?')
    .bind(SITE)
    .first();
  return row.views;
}

/** Waits for the shards to drain into D1: answers the stored total once it is `expected`, or at the deadline. */
async function drainedViews(db, expected, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let views = await storedViews(db);
  while (views !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    views = await storedViews(db);
  }
  return views;
}

/** D1 transactions the shards made: each flush batch of a shard's storage (its epoch) has the next sequence number. */
export async function flushBatches(db) {
  const row = await db
    .prepare('SELECT coalesce(sum(last), 0) AS n FROM (SELECT max(seq) AS last FROM flush_log GROUP BY shard, epoch)')
    .first();
  return row.n;
}

export async function benchIngest({ scriptPath, rounds, seconds, amount, connections, vars = {} }) {
  const sharepulse = await startSharepulse(scriptPath, vars);
  const naive = await startPlainWorker(fileURLToPath(new URL('./naive-worker.mjs', import.meta.url)));
  let sent = 0;
  const next = () => sent++;
  const ingestRuns = [];
  try {
    await createBenchSite(sharepulse.url, SITE, [HOST]);
    const healthzUrl = `${sharepulse.url}/healthz`;
    // Warm-up: every shard and the JIT of both Workers.
    ingestRuns.push(
      await load({ url: sharepulse.url, amount: Math.min(amount, 500), connections, requests: views(next) }),
    );
    await load({ url: naive.url, amount: Math.min(amount, 500), connections, requests: views(next) });
    await load({ url: healthzUrl, amount: 500, connections });

    const healthz = [];
    const ingest = [];
    const bots = [];
    const baseline = [];
    for (let round = 0; round < rounds; round++) {
      healthz.push(await load({ url: healthzUrl, seconds, connections, pids: sharepulse.pids }));
      ingest.push(
        await load({ url: sharepulse.url, amount, connections, requests: views(next), pids: sharepulse.pids }),
      );
      bots.push(
        await load({
          url: sharepulse.url,
          seconds,
          connections,
          requests: views(next, { bot: true }),
          pids: sharepulse.pids,
        }),
      );
      baseline.push(await load({ url: naive.url, seconds, connections, requests: views(next), pids: naive.pids }));
    }
    ingestRuns.push(...ingest);

    const accepted = ingestRuns.reduce((sum, r) => sum + (r.statuses['202'] ?? 0), 0);
    const answered = ingestRuns.reduce((sum, r) => sum + r.requests, 0);
    const flushMs = Number(vars.FLUSH_SECONDS ?? 10) * 1000;
    const stored = await drainedViews(sharepulse.db, accepted, flushMs + 15_000);
    const batches = await flushBatches(sharepulse.db);
    return {
      healthz: medianOf(healthz),
      ingest: medianOf(ingest),
      bot: medianOf(bots),
      naive: medianOf(baseline),
      ratios: {
        healthz: median(ingest.map((r, i) => r.rps / healthz[i].rps)),
        naive: median(ingest.map((r, i) => r.rps / baseline[i].rps)),
        bot: median(bots.map((r, i) => r.rps / healthz[i].rps)),
      },
      exactness: {
        answered,
        accepted,
        refused: answered - accepted,
        stored,
        lost: Math.max(0, accepted - stored),
        doubled: Math.max(0, stored - accepted),
        d1Transactions: batches,
        d1TransactionsPer1000: (batches / Math.max(1, stored)) * 1000,
      },
    };
  } finally {
    await Promise.all([sharepulse.mf.dispose(), naive.mf.dispose()]);
  }
}

/**
 * What ingest could reach by CPU, with the load generator on the same cores:
 * a counted beacon does at least what a bot beacon does (routing, security
 * headers, validation, the site, its origin, the bot check) and then the
 * floor's bare hop (the floor's RPC and row, less its no-op). Answers that
 * least CPU per beacon and the throughput ratios it allows against the floor
 * and the naive Worker, and how much more the beacon costs than it.
 */
export function ingestCeiling({ ingest, floor }) {
  const hopUs = floor.shard.cpuUsPerRequest - floor.noop.cpuUsPerRequest;
  const leastUs = ingest.bot.cpuUsPerRequest + hopUs;
  return {
    hopUs,
    leastUs,
    toFloor: floor.shard.cpuUsPerRequest / leastUs,
    toNaive: ingest.naive.cpuUsPerRequest / leastUs,
    beyondUs: ingest.ingest.cpuUsPerRequest - leastUs,
  };
}
