// Ingest: POST /api/v1/events from distinct visitors, against /healthz of the
// same Worker (the runtime's ceiling) and a naive one-upsert-per-event Worker,
// in interleaved rounds. Every ingest run is bound by a count of requests, so
// that each one is answered: then D1 must hold exactly the accepted events.
import { fileURLToPath } from 'node:url';
import { load, median, medianOf } from './lib/load.mjs';
import { createBenchSite, startPlainWorker, startSharepulse } from './lib/worker.mjs';

const SITE = 'bench';
const HOST = 'bench.example';
const ARTICLES = 1000;
const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36';

/**
 * Beacons of one view each. `next` numbers them across every run of a bench,
 * so that each is a new visitor (IP and User-Agent) and none is deduplicated;
 * a bot's beacon is accepted and not counted (the path without the shard).
 */
function views(next, { bot = false } = {}) {
  return [
    {
      method: 'POST',
      path: '/api/v1/events',
      setupRequest: (request) => {
        const n = next();
        return {
          ...request,
          headers: {
            'Content-Type': 'text/plain;charset=UTF-8',
            Origin: `https://${HOST}`,
            'CF-Connecting-IP': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
            'User-Agent': bot ? `Googlebot/2.1 (+http://www.google.com/bot.html) v${n}` : `${BROWSER_UA} v${n}`,
          },
          body: JSON.stringify({ site: SITE, type: 'view', url: `https://${HOST}/story-${n % ARTICLES}` }),
        };
      },
    },
  ];
}

async function storedViews(db) {
  const row = await db.prepare('SELECT coalesce(sum(views), 0) AS views FROM articles WHERE site_id = ?').bind(SITE).first();
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

/** D1 transactions the shards made: each flush batch of a shard has the next sequence number. */
export async function flushBatches(db) {
  const row = await db.prepare('SELECT coalesce(sum(last), 0) AS n FROM (SELECT max(seq) AS last FROM flush_log GROUP BY shard)').first();
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
    ingestRuns.push(await load({ url: sharepulse.url, amount: Math.min(amount, 500), connections, requests: views(next) }));
    await load({ url: naive.url, amount: Math.min(amount, 500), connections, requests: views(next) });
    await load({ url: healthzUrl, amount: 500, connections });

    const healthz = [];
    const ingest = [];
    const bots = [];
    const baseline = [];
    for (let round = 0; round < rounds; round++) {
      healthz.push(await load({ url: healthzUrl, seconds, connections, pids: sharepulse.pids }));
      ingest.push(await load({ url: sharepulse.url, amount, connections, requests: views(next), pids: sharepulse.pids }));
      bots.push(await load({ url: sharepulse.url, seconds, connections, requests: views(next, { bot: true }), pids: sharepulse.pids }));
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

