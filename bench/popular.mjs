// Popular: GET /api/v1/sites/{site}/popular on a big synthetic site, cached
// (against /healthz of the same Worker) and uncached (against a naive GROUP BY
// over raw events holding the same data, in the same D1 implementation).
import { fileURLToPath } from 'node:url';
import { load, medianOf } from './lib/load.mjs';
import { dropStaging, loadStaging, synthesize, writeCounts } from './lib/synthetic-site.mjs';
import { createBenchSite, startPlainWorker, startSharepulse } from './lib/worker.mjs';

const SITE = 'big';
const HOST = 'big.example';
export const UNCACHED_WINDOWS = ['24h', '7d', '30d'];

const count = async (db, sql, ...params) =>
  (
    await db
      .prepare(sql)
      .bind(...params)
      .first()
  ).n;

/** Runs the Worker's cron (src/db/rollup.ts) until every finished day is rolled up. */
async function rollUp(sharepulse, currentBucket) {
  const worker = await sharepulse.mf.getWorker('sharepulse');
  const lastFinishedDay = Math.floor(currentBucket / 24) - 1;
  for (let run = 0; run < 40; run++) {
    const watermark = await count(
      sharepulse.db,
      'SELECT coalesce(max(rolled_through_day), -1) AS n FROM rollup_state WHERE site_id = ?',
      SITE,
    );
    if (watermark >= lastFinishedDay) return run;
    const { outcome } = await worker.scheduled({ scheduledTime: new Date(), cron: '7 * * * *' });
    if (outcome !== 'ok') throw new Error(`rollup: ${outcome}`);
  }
  throw new Error('rollup did not catch up');
}

/** The naive table: one row per view or share, expanded from the hourly counts day by day. */
async function loadRawEvents(db, firstBucket, currentBucket) {
  await db
    .prepare(
      'CREATE TABLE events (site_id TEXT NOT NULL, url TEXT NOT NULL, bucket INTEGER NOT NULL, type TEXT NOT NULL)',
    )
    .run();
  for (let from = firstBucket; from <= currentBucket; from += 24) {
    await db
      .prepare(
        `INSERT INTO events (site_id, url, bucket, type)
         SELECT h.site_id, h.url, h.bucket, 'view' FROM article_hours h JOIN bench_numbers n ON n.n < h.views
         WHERE h.site_id = ?1 AND h.bucket BETWEEN ?2 AND ?3
         UNION ALL
         SELECT h.site_id, h.url, h.bucket, 'share' FROM article_hours h JOIN bench_numbers n ON n.n < h.shares
         WHERE h.site_id = ?1 AND h.bucket BETWEEN ?2 AND ?3`,
      )
      .bind(SITE, from, from + 23)
      .run();
  }
  // The index a tutorial adds: by site and time. Built after the load, as for a bulk import.
  await db.batch([
    db.prepare('CREATE INDEX events_by_time ON events (site_id, bucket)'),
    db.prepare('DELETE FROM article_hours'),
  ]);
}

const listOf = (items) => items.map((item) => `${item.url} ${item.views}`).join('\n');

/** Both sides must rank the same data the same way, or the comparison means nothing. */
async function sameAnswers(sharepulseUrl, naiveUrl, window) {
  for (let attempt = 0; attempt < 2; attempt++) {
    // A fresh cache key, so that this is computed now, like the naive answer.
    const ours = await (
      await fetch(
        `${sharepulseUrl}/api/v1/sites/${SITE}/popular?window=${window}&exclude=https://${HOST}/check/${Date.now()}`,
      )
    ).json();
    const theirs = await (await fetch(`${naiveUrl}/popular?site=${SITE}&window=${window}&limit=10`)).json();
    if (listOf(ours.items) === listOf(theirs.items) && ours.items.length === 10) return true;
    // An hour may have turned between the two reads: look once more.
  }
  return false;
}

/** Each request a new cache key (an `exclude` of no article), so every answer is computed from D1. */
function uncachedRequests(window) {
  let n = 0;
  return [
    {
      method: 'GET',
      setupRequest: (request) => ({
        ...request,
        path: `/api/v1/sites/${SITE}/popular?window=${window}&exclude=https://${HOST}/none/${n++}`,
      }),
    },
  ];
}

export async function benchPopular({ scriptPath, shape, rounds, seconds, connections, uncached }) {
  const sharepulse = await startSharepulse(scriptPath);
  const naive = await startPlainWorker(fileURLToPath(new URL('./naive-popular-worker.mjs', import.meta.url)));
  try {
    await createBenchSite(sharepulse.url, SITE, [HOST]);
    const loadStarted = Date.now();
    const currentBucket = Math.floor(Date.now() / 3_600_000);
    const articles = synthesize(shape, HOST, currentBucket);
    await loadStaging(sharepulse.db, articles);
    await writeCounts(sharepulse.db, SITE);
    await dropStaging(sharepulse.db);
    const rollups = await rollUp(sharepulse, currentBucket);
    await loadStaging(naive.db, articles);
    await writeCounts(naive.db, SITE);
    await loadRawEvents(naive.db, currentBucket - shape.days * 24 + 1, currentBucket);
    await dropStaging(naive.db);
    const data = {
      ...shape,
      loadSeconds: (Date.now() - loadStarted) / 1000,
      rollupRuns: rollups,
      articleHours: await count(sharepulse.db, 'SELECT count(*) AS n FROM article_hours'),
      articleDays: await count(sharepulse.db, 'SELECT count(*) AS n FROM article_days'),
      rawEvents: await count(naive.db, 'SELECT count(*) AS n FROM events'),
      storedViews: await count(sharepulse.db, 'SELECT sum(views) AS n FROM articles'),
      storedShares: await count(sharepulse.db, 'SELECT sum(shares) AS n FROM articles'),
    };
    if (
      data.storedViews !== shape.views ||
      data.storedShares !== shape.shares ||
      data.rawEvents !== shape.views + shape.shares
    ) {
      throw new Error(`synthetic site not loaded whole: ${JSON.stringify(data)}`);
    }

    const uncachedResults = {};
    for (const window of UNCACHED_WINDOWS) {
      if (!(await sameAnswers(sharepulse.url, naive.url, window)))
        throw new Error(`popular ${window}: sharepulse and the naive GROUP BY disagree`);
      const ours = await load({
        url: sharepulse.url,
        amount: uncached.amount,
        connections: uncached.connections,
        requests: uncachedRequests(window),
        pids: sharepulse.pids,
      });
      const theirs = await load({
        url: `${naive.url}/popular?site=${SITE}&window=${window}&limit=10`,
        amount: uncached.naiveAmount[window],
        connections: uncached.connections,
        pids: naive.pids,
      });
      uncachedResults[window] = { sharepulse: ours, naive: theirs, sameAnswers: true };
    }

    // Cached: the widget's default list, read over and over, against /healthz.
    const cachedUrl = `${sharepulse.url}/api/v1/sites/${SITE}/popular`;
    await fetch(cachedUrl);
    const healthz = [];
    const cached = [];
    for (let round = 0; round < rounds; round++) {
      healthz.push(await load({ url: `${sharepulse.url}/healthz`, seconds, connections, pids: sharepulse.pids }));
      cached.push(await load({ url: cachedUrl, seconds, connections, pids: sharepulse.pids }));
    }
    return {
      data,
      uncached: uncachedResults,
      cached: medianOf(cached),
      healthz: medianOf(healthz),
      cachedRatios: cached.map((c, i) => c.rps / healthz[i].rps),
    };
  } finally {
    await Promise.all([sharepulse.mf.dispose(), naive.mf.dispose()]);
  }
}
