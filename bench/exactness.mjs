// Load and exactness: a fixed number of view events from distinct visitors
// (each its own IP) at high concurrency across many articles, with the shards
// flushing to D1 during the run (FLUSH_SECONDS=1), then every article's total
// must be exact.
import { flushBatches } from './ingest.mjs';
import { viewBeacons } from './lib/beacons.mjs';
import { load } from './lib/load.mjs';
import { createBenchSite, startSharepulse } from './lib/worker.mjs';

const SITE = 'exact';
const HOST = 'exact.example';

/**
 * Each article's views in D1 (`{ url, views }` rows) once the shards have
 * flushed at least `expected` views of `site`, or at the deadline.
 */
export async function viewsByArticle(db, site, expected, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let rows = [];
  do {
    await new Promise((resolve) => setTimeout(resolve, 500));
    ({ results: rows } = await db.prepare('SELECT url, views FROM articles WHERE site_id = ?').bind(site).all());
  } while (rows.reduce((sum, r) => sum + r.views, 0) < expected && Date.now() < deadline);
  return rows;
}

export async function benchExactness({ scriptPath, events, connections, articles }) {
  const sharepulse = await startSharepulse(scriptPath, { FLUSH_SECONDS: '1' });
  try {
    await createBenchSite(sharepulse.url, SITE, [HOST]);
    let sent = 0;
    const requests = viewBeacons({ site: SITE, host: HOST, articles, next: () => sent++ });
    const result = await load({ url: sharepulse.url, amount: events, connections, requests, pids: sharepulse.pids });
    const flushesDuringRun = await flushBatches(sharepulse.db);

    const expected = new Map();
    for (let n = 0; n < events; n++) {
      const url = `https://${HOST}/story-${n % articles}`;
      expected.set(url, (expected.get(url) ?? 0) + 1);
    }
    const rows = await viewsByArticle(sharepulse.db, SITE, events, 30_000);
    const stored = rows.reduce((sum, r) => sum + r.views, 0);

    const accepted = result.statuses['202'] ?? 0;
    const wrongArticles =
      rows.filter((r) => expected.get(r.url) !== r.views).length + Math.max(0, expected.size - rows.length);
    return {
      events,
      connections,
      articles,
      seconds: result.seconds,
      rps: result.rps,
      p50: result.p50,
      p99: result.p99,
      cpuUsPerRequest: result.cpuUsPerRequest,
      errors: result.errors,
      accepted,
      stored,
      lost: Math.max(0, accepted - stored),
      doubled: Math.max(0, stored - accepted),
      wrongArticles,
      flushesDuringRun,
    };
  } finally {
    await sharepulse.mf.dispose();
  }
}
