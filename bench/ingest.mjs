// Ingest: POST /api/v1/events from distinct visitors, against /healthz of the
// same Worker (the runtime's ceiling) and a naive one-upsert-per-event Worker.
// Then every accepted event must be in D1 once the shards flush.
import { fileURLToPath } from 'node:url';
import { load } from './lib/load.mjs';
import { createBenchSite, startPlainWorker, startSharepulse } from './lib/worker.mjs';

const SITE = 'bench';
const HOST = 'bench.example';
const ARTICLES = 1000;

/** Each request a new visitor (IP and User-Agent) viewing one of ARTICLES articles. */
function distinctViews() {
  let i = 0;
  return [
    {
      method: 'POST',
      path: '/api/v1/events',
      setupRequest: (request) => {
        const n = i++;
        return {
          ...request,
          headers: {
            'Content-Type': 'text/plain;charset=UTF-8',
            Origin: `https://${HOST}`,
            'CF-Connecting-IP': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
            'User-Agent': `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36 v${n}`,
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

/** Waits for the shards to drain into D1; answers the stored total once it stops moving. */
async function drainedViews(db, expected, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let views = await storedViews(db);
  while (views !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    views = await storedViews(db);
  }
  return views;
}

export async function benchIngest({ scriptPath, seconds, connections }) {
  const sharepulse = await startSharepulse(scriptPath);
  const naive = await startPlainWorker(fileURLToPath(new URL('./naive-worker.mjs', import.meta.url)));
  try {
    await createBenchSite(sharepulse.url, SITE, [HOST]);
    const healthz = await load({ url: `${sharepulse.url}/healthz`, seconds, connections });
    const ingest = await load({ url: sharepulse.url, seconds, connections, requests: distinctViews() });
    const baseline = await load({ url: naive.url, seconds, connections, requests: distinctViews() });

    const accepted = ingest.statuses['202'] ?? 0;
    const stored = await drainedViews(sharepulse.db, accepted);
    return {
      healthz,
      ingest,
      naive: baseline,
      exactness: { accepted, stored, lost: Math.max(0, accepted - stored), doubled: Math.max(0, stored - accepted) },
    };
  } finally {
    await Promise.all([sharepulse.mf.dispose(), naive.mf.dispose()]);
  }
}
