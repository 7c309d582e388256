import { env } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyFlush, type FlushBatch, flushQueries } from '../../src/db/counts';
import { rollUpSite } from '../../src/db/rollup';
import { deleteSite } from '../../src/db/sites';
import { readPopular } from '../../src/popular/read-popular';
import { bucketOf, HOUR_MS } from '../../src/time';
import { createSite } from '../support/helpers';
import { loadStoredSite, seedArticles } from '../support/seed';

const START = Date.UTC(2026, 10, 20, 10, 30);
const RUNNING = [
  ['24h', 24],
  ['7d', 168],
] as const;

interface Write {
  article: number;
  /** Hours before the flush's own hour; 0 is the flush's hour. */
  age: number;
  views: number;
  shares: number;
  reads?: number;
}

let seq = 0;
/** Writes `writes` to D1 as a shard's flush at `nowMs` would. */
async function flush(site: { id: string; host: string }, writes: Write[], nowMs: number) {
  const batch: FlushBatch = {
    articles: [],
    hours: [],
    networks: [],
    siteHours: [],
    siteNetworkHours: [],
    ledger: [],
    boxes: [],
  };
  for (const { article, age, views, shares, reads = 0 } of writes) {
    const url = `https://${site.host}/a${article}`;
    const bucket = bucketOf(nowMs) - age;
    batch.articles.push({ site: site.id, siteCreatedAt: '', url, views, shares, reads, firstBucket: bucket });
    batch.hours.push({ site: site.id, siteCreatedAt: '', url, bucket, views, shares, reads });
  }
  await applyFlush(env.DB, flushQueries({ shard: 'window-totals-test', epoch: 0 }, ++seq, batch, nowMs));
}

/** The hour a site's running totals of `hours` are at; null before it has any. */
const totalsThrough = async (site: string, hours: number) =>
  (
    await env.DB.prepare('SELECT through_bucket FROM window_state WHERE site_id = ? AND hours = ?')
      .bind(site, hours)
      .first<{ through_bucket: number }>()
  )?.through_bucket ?? null;

const storedWindowTotals = async (site: string, hours: number) =>
  (
    await env.DB.prepare(
      'SELECT url, views, shares, reads FROM window_totals WHERE site_id = ? AND hours = ? ORDER BY url',
    )
      .bind(site, hours)
      .all<{ url: string; views: number; shares: number; reads: number }>()
  ).results;

/** What the totals must hold: the article's hourly rows with bucket > through - hours, rows of zero left out. */
async function expectedTotals(site: string, hours: number, through: number) {
  const { results } = await env.DB.prepare(
    `SELECT url, sum(views) AS views, sum(shares) AS shares, sum(reads) AS reads FROM article_hours
     WHERE site_id = ? AND bucket > ?
     GROUP BY url HAVING sum(views) > 0 OR sum(shares) > 0 OR sum(reads) > 0 ORDER BY url`,
  )
    .bind(site, through - hours)
    .all<{ url: string; views: number; shares: number; reads: number }>();
  return results;
}

type Step = { kind: 'flush'; writes: Write[] } | { kind: 'wait'; hours: number } | { kind: 'cron' } | { kind: 'read' };

// A flush's hourly rows always add something: each comes from a counted event.
// An hour may hold reads without views: a read comes after its view, maybe an hour later.
const write = fc
  .record({
    article: fc.nat(4),
    age: fc.nat(200),
    views: fc.nat(5),
    shares: fc.nat(3),
    reads: fc.nat(3),
  })
  .filter(({ views, shares, reads }) => views + shares + reads > 0);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('flush' as const),
      writes: fc.array(write, { minLength: 1, maxLength: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('wait' as const), hours: fc.integer({ min: 1, max: 30 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cron' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('read' as const) }) },
);

describe('running window totals', () => {
  it('should hold each window’s sums through flushes, late writes, idle hours and cron runs, and rank as the hourly rows do', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 20 }), async (steps) => {
        const created = await createSite();
        const site = await loadStoredSite(created.id);
        let nowMs = START;
        for (const s of steps) {
          if (s.kind === 'flush') await flush(created, s.writes, nowMs);
          if (s.kind === 'wait') nowMs += s.hours * HOUR_MS;
          if (s.kind === 'cron') await rollUpSite(env.DB, site, nowMs);
          for (const [window, hours] of RUNNING) {
            const through = await totalsThrough(site.id, hours);
            if (through === null) continue; // no flush or cron yet
            expect(await storedWindowTotals(site.id, hours)).toEqual(await expectedTotals(site.id, hours, through));
            if (s.kind !== 'read') continue;
            // Totals that are current, or hours behind after a wait, answer what the hourly rows say.
            for (const by of ['views', 'shares', 'score', 'reads'] as const) {
              const request = { window, by, limit: 50, section: null, exclude: [] };
              const fromTotals = await readPopular(env.DB, site, request, nowMs);
              const { results } = await env.DB.prepare(
                `SELECT url, sum(views) AS views, sum(shares) AS shares, sum(reads) AS reads FROM article_hours
                 WHERE site_id = ? AND bucket BETWEEN ? AND ? GROUP BY url`,
              )
                .bind(site.id, bucketOf(nowMs) - hours + 1, bucketOf(nowMs))
                .all<{ url: string; views: number; shares: number; reads: number }>();
              const expected = results
                .map((row) => ({ ...row, score: row.views + site.settings.share_weight * row.shares }))
                .filter((row) => row[by] > 0)
                .sort((a, b) => b[by] - a[by] || (a.url < b.url ? -1 : 1))
                .map(({ url, views, shares, reads, score }) => ({ url, views, shares, reads, score }));
              expect(
                fromTotals.items.map(({ url, views, shares, reads, score }) => ({ url, views, shares, reads, score })),
              ).toEqual(expected);
            }
          }
        }
      }),
      // 30 runs take seconds; on a busy machine the time limit ends the runs early rather than the test.
      { numRuns: 30, interruptAfterTimeLimit: 40_000 },
    );
  }, 60_000);

  it('should answer from totals hours behind the clock as from current ones', async () => {
    const created = await createSite();
    const site = await loadStoredSite(created.id);
    // One view in each of the last 200 hours, on two articles taking turns.
    await flush(
      created,
      Array.from({ length: 200 }, (_, age) => ({ article: age % 2, age, views: 1, shares: 0 })),
      START,
    );
    for (const behind of [0, 1, 2, 5, 30]) {
      const nowMs = START + behind * HOUR_MS;
      expect(await totalsThrough(site.id, 24)).toBe(bucketOf(START));
      const read = async (window: '24h' | '7d') =>
        (
          await readPopular(env.DB, site, { window, by: 'views', limit: 10, section: null, exclude: [] }, nowMs)
        ).items.map((item) => item.views);
      // The window's hours that hold a view: the 24 (168) before now, less those after START.
      const viewsIn = (hours: number) => Math.max(0, hours - behind);
      const split = (n: number) => [Math.ceil(n / 2), Math.floor(n / 2)].filter((v) => v > 0);
      expect(await read('24h')).toEqual(split(viewsIn(24)));
      expect(await read('7d')).toEqual(split(viewsIn(168)));
    }
  });

  it('should answer exactly when a flush moves the totals on between the read’s two round trips', async () => {
    const created = await createSite();
    const site = await loadStoredSite(created.id);
    // c is the current bucket, bucketOf(START). Flushed in the hour before: totals at c - 1. a0 has 5 views in c - 24 (out of the
    // window at c) and 1 in c - 1; a1 has 2 in c - 4.
    await flush(
      created,
      [
        { article: 0, age: 23, views: 5, shares: 0 },
        { article: 0, age: 0, views: 1, shares: 0 },
        { article: 1, age: 3, views: 2, shares: 0 },
      ],
      START - HOUR_MS,
    );
    // The real binding, with a flush (moving the totals to c) committed right after the read's first batch.
    let interleaved = false;
    const db = {
      prepare: (sql: string) => env.DB.prepare(sql),
      batch: async (statements: D1PreparedStatement[]) => {
        const results = await env.DB.batch(statements);
        if (!interleaved) {
          interleaved = true;
          await flush(created, [{ article: 1, age: 0, views: 1, shares: 0 }], START);
        }
        return results;
      },
    } as unknown as D1Database;
    const list = await readPopular(
      db,
      site,
      { window: '24h', by: 'views', limit: 10, section: null, exclude: [] },
      START,
    );
    expect(interleaved).toBe(true);
    expect(list.items.map(({ url, views }) => [new URL(url).pathname, views])).toEqual([
      ['/a1', 3],
      ['/a0', 1],
    ]);
  });

  it('should keep reads exact as the window moves on, an article left with reads alone still ranked by them', async () => {
    const created = await createSite();
    const site = await loadStoredSite(created.id);
    // a0: 2 views and 1 read 23 hours ago, and 1 read (of a view before) now; a1: 1 view and 1 read 2 hours ago.
    await flush(
      created,
      [
        { article: 0, age: 23, views: 2, shares: 0, reads: 1 },
        { article: 0, age: 0, views: 0, shares: 0, reads: 1 },
        { article: 1, age: 2, views: 1, shares: 0, reads: 1 },
      ],
      START,
    );
    const read = async (by: 'views' | 'reads', nowMs: number) =>
      (await readPopular(env.DB, site, { window: '24h', by, limit: 10, section: null, exclude: [] }, nowMs)).items.map(
        ({ url, views, reads }) => [new URL(url).pathname, views, reads],
      );
    expect(await read('reads', START)).toEqual([
      ['/a0', 2, 2],
      ['/a1', 1, 1],
    ]);
    // An hour on, a0's oldest hour has left the window; the next flush moves the totals on.
    const later = START + HOUR_MS;
    await flush(created, [{ article: 2, age: 0, views: 1, shares: 0 }], later);
    expect(await totalsThrough(site.id, 24)).toBe(bucketOf(later));
    expect(await storedWindowTotals(site.id, 24)).toEqual([
      { url: `https://${created.host}/a0`, views: 0, shares: 0, reads: 1 },
      { url: `https://${created.host}/a1`, views: 1, shares: 0, reads: 1 },
      { url: `https://${created.host}/a2`, views: 1, shares: 0, reads: 0 },
    ]);
    expect(await read('reads', later)).toEqual([
      ['/a0', 0, 1],
      ['/a1', 1, 1],
    ]);
    expect(await read('views', later)).toEqual([
      ['/a1', 1, 1],
      ['/a2', 1, 0],
    ]);
  });

  it('should sum a site’s existing hourly rows into totals at its first flush', async () => {
    const site = await createSite();
    const c = bucketOf(START);
    await seedArticles(site, [
      {
        path: 'a',
        hours: [
          [c - 30, 7],
          [c - 3, 2, 1],
        ],
      },
      { path: 'b', hours: [[c - 100, 4]] },
    ]);
    expect(await storedWindowTotals(site.id, 24)).toEqual([]);
    await flush(site, [{ article: 0, age: 0, views: 1, shares: 0 }], START);
    expect(await storedWindowTotals(site.id, 24)).toEqual([
      { url: `https://${site.host}/a`, views: 2, shares: 1, reads: 0 },
      { url: `https://${site.host}/a0`, views: 1, shares: 0, reads: 0 },
    ]);
    expect(await storedWindowTotals(site.id, 168)).toEqual([
      { url: `https://${site.host}/a`, views: 9, shares: 1, reads: 0 },
      { url: `https://${site.host}/a0`, views: 1, shares: 0, reads: 0 },
      { url: `https://${site.host}/b`, views: 4, shares: 0, reads: 0 },
    ]);
  });

  it('should move totals to the newest bucket of a flush whose clock is behind it, and answer a reader still before it', async () => {
    const created = await createSite();
    await flush(created, [{ article: 0, age: 23, views: 4, shares: 0 }], START);
    await flush(created, [{ article: 1, age: -1, views: 3, shares: 0 }], START);
    expect(await totalsThrough(created.id, 24)).toBe(bucketOf(START) + 1);
    // At START's hour the window still holds a0's hour (dropped by the totals) and not a1's (after it).
    const site = await loadStoredSite(created.id);
    const list = await readPopular(
      env.DB,
      site,
      { window: '24h', by: 'views', limit: 10, section: null, exclude: [] },
      START,
    );
    expect(list.items.map(({ url, views }) => [new URL(url).pathname, views])).toEqual([['/a0', 4]]);
  });

  it('should leave no totals behind a deleted site, nor let a late flush plant them', async () => {
    const site = await createSite();
    await flush(site, [{ article: 1, age: 2, views: 5, shares: 1 }], START);
    expect(await storedWindowTotals(site.id, 24)).toHaveLength(1);
    expect(await deleteSite(env.DB, site.id)).toBe(true);
    await flush(site, [{ article: 1, age: 0, views: 1, shares: 0 }], START + HOUR_MS);
    const left = await env.DB.prepare(
      'SELECT (SELECT count(*) FROM window_totals WHERE site_id = ?1) + (SELECT count(*) FROM window_state WHERE site_id = ?1) AS n',
    )
      .bind(site.id)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });
});
