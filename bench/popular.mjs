// Popular: GET /api/v1/sites/{site}/popular on a big synthetic site, cached
// (against /healthz of the same Worker) and uncached (against a naive GROUP BY
// over raw events holding the same data, in the same D1 implementation).
import { fileURLToPath } from 'node:url';
import { cpuMs } from './lib/cpu.mjs';
import { load, medianOf } from './lib/load.mjs';
import { dropStaging, loadStaging, synthesize, writeCounts } from './lib/synthetic-site.mjs';
import { createBenchSite, patchBenchSite, startPlainWorker, startSharepulse } from './lib/worker.mjs';

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

/** The `q` quantile of `values` (nearest rank). */
const quantile = (values, q) => [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil(q * values.length) - 1)];

/**
 * A pause before and after each timed read, so that its CPU window holds
 * neither the PATCH's work nor less than the list's store to KV, both of
 * which may run after their answers (waitUntil).
 */
const SETTLE_MS = 20;
const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

/**
 * Uncached reads of the widget's default list (by views), one at a time.
 * Every request of a site, window, by and section is cut from one cached list
 * (whatever its `limit` and `exclude`), so before each read the site's
 * `share_weight`, one of the inputs that list is keyed by, takes a value it
 * never had (`nextWeight`, an admin PATCH outside the timing); a list by views
 * ranks the same whatever the weight. The read then misses memory and KV and
 * is computed by D1, like the naive answer, then stored. Each answer must have been generated during its own
 * request, or the run fails: a cache hit would not measure this.
 */
async function uncachedReads(sharepulse, window, amount, nextWeight) {
  const latencies = [];
  let cpu = 0;
  for (let n = 0; n < amount; n++) {
    await patchBenchSite(sharepulse.url, SITE, { settings: { share_weight: nextWeight() } });
    await settle();
    const cpuBefore = cpuMs(sharepulse.pids);
    const sentMs = Date.now();
    const started = performance.now();
    const response = await fetch(`${sharepulse.url}/api/v1/sites/${SITE}/popular?window=${window}`);
    const list = await response.json();
    latencies.push(performance.now() - started);
    if (response.status !== 200 || Date.parse(list.generated_at) < sentMs)
      throw new Error(`popular ${window}: read ${n} was not computed for its request (${response.status})`);
    await settle();
    const cpuAfter = cpuMs(sharepulse.pids);
    cpu = cpu === null || cpuBefore === null || cpuAfter === null ? null : cpu + cpuAfter - cpuBefore;
  }
  const seconds = latencies.reduce((sum, ms) => sum + ms, 0) / 1000;
  return {
    requests: amount,
    seconds,
    rps: amount / seconds,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    cpuUsPerRequest: cpu === null ? null : (cpu * 1000) / amount,
  };
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
    // Never a weight a list was cached under before, in any window.
    let weightChanges = 0;
    const nextWeight = () => 5 + ++weightChanges / 1000;
    for (const window of UNCACHED_WINDOWS) {
      if (!(await sameAnswers(sharepulse.url, naive.url, window)))
        throw new Error(`popular ${window}: sharepulse and the naive GROUP BY disagree`);
      const ours = await uncachedReads(sharepulse, window, uncached.amount, nextWeight);
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
