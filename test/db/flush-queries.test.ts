import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { applyFlush, claimFlush, type FlushBatch, flushQueries, readFlushState } from '../../src/db/counts';
import { MAX_BOUND_PARAMETERS, runBatch } from '../../src/db/query';
import { getSite } from '../../src/db/sites';
import { RUNNING_TOTAL_WINDOWS } from '../../src/ranking/windows';
import { type BoxTally, boxOutcome } from '../../src/recirculation/box-tally';
import { READ_COUNTER, toFlushBatch } from '../../src/shard/batch';
import { bucketOf, HOUR_MS } from '../../src/time';
import { createSite, storedTotals } from '../support/helpers';

const SOURCE = { shard: 'shard-x', epoch: 42 };
const incarnation = { site: 's', siteCreatedAt: '2026-11-20T10:00:00.000Z' };

const bigBatch = (articles: number): FlushBatch => ({
  articles: Array.from({ length: articles }, (_, i) => ({
    ...incarnation,
    url: `https://n.example/${i}`,
    views: 1,
    shares: 1,
    reads: 1,
    firstBucket: 5,
  })),
  hours: Array.from({ length: articles * 2 }, (_, i) => ({
    ...incarnation,
    url: `https://n.example/${i >> 1}`,
    bucket: 5 + (i & 1),
    views: 1,
    shares: 0,
    reads: 0,
  })),
  networks: Array.from({ length: articles }, (_, i) => ({
    ...incarnation,
    url: `https://n.example/${i}`,
    network: 'x',
    shares: 1,
  })),
  siteHours: [
    { ...incarnation, bucket: 5, views: articles, shares: 0, reads: 0 },
    { ...incarnation, bucket: 6, views: articles, shares: 0, reads: 0 },
  ],
  siteNetworkHours: [{ ...incarnation, bucket: 5, network: 'x', shares: articles }],
  ledger: Array.from({ length: articles }, (_, i) => ({ ...incarnation, day: i, outcome: 'view' as const, n: 1 })),
  boxes: Array.from({ length: articles }, (_, i) => ({
    ...incarnation,
    day: i,
    list: 'views-24h',
    position: 3,
    impressions: 0,
    clicks: 1,
    qualityClicks: 0,
  })),
});

const emptyBatch = (): FlushBatch => ({
  articles: [],
  hours: [],
  networks: [],
  siteHours: [],
  siteNetworkHours: [],
  ledger: [],
  boxes: [],
});

describe('flushQueries', () => {
  it('should keep every statement within D1\u2019s bound-parameter limit', () => {
    const queries = flushQueries(SOURCE, 1, bigBatch(250), 0);
    for (const query of queries) {
      expect(query.params.length).toBeLessThanOrEqual(MAX_BOUND_PARAMETERS);
      // Numbered parameters (?1, ?2) may appear more than once; plain ones once each.
      const numbered = [...query.sql.matchAll(/\?(\d+)/g)].map((match) => Number(match[1]));
      expect(numbered.length > 0 ? Math.max(...numbered) : query.sql.split('?').length - 1).toBe(query.params.length);
    }
  });

  it('should carry every row exactly once', () => {
    const batch = bigBatch(250);
    const queries = flushQueries(SOURCE, 1, batch, 0);
    // Each row's columns, and its site's created_at.
    const rowsOf = (table: string, columns: number) =>
      queries
        .filter((q) => q.sql.startsWith(`INSERT INTO ${table} `))
        .reduce((sum, q) => sum + q.params.length / (columns + 1), 0);
    expect(rowsOf('articles', 6)).toBe(250);
    expect(rowsOf('article_hours', 6)).toBe(500);
    expect(rowsOf('article_network_shares', 4)).toBe(250);
    expect(rowsOf('site_hours', 5)).toBe(2);
    expect(rowsOf('site_network_hours', 4)).toBe(1);
    expect(rowsOf('site_ledger', 4)).toBe(250);
    expect(rowsOf('site_box_days', 7)).toBe(250);
  });

  it('should open with the flush_log row and close by pruning the rows that can no longer be replayed', () => {
    const queries = flushQueries(SOURCE, 7, bigBatch(1), 10 * HOUR_MS);
    expect(queries[0]).toEqual({
      sql: 'INSERT INTO flush_log (shard, epoch, seq, flushed_at) VALUES (?, ?, ?, ?)',
      params: ['shard-x', 42, 7, 10 * HOUR_MS],
    });
    expect(queries.at(-1)).toEqual({
      sql: 'DELETE FROM flush_log WHERE shard = ? AND (epoch <> ? OR seq < ?) AND flushed_at < ?',
      params: ['shard-x', 42, 7, 9 * HOUR_MS],
    });
  });

  it('should write only the log rows for an empty batch', () => {
    expect(flushQueries(SOURCE, 1, emptyBatch(), 0)).toHaveLength(2);
  });
});

describe('flush identity in D1', () => {
  const source = () => ({ shard: `shard-${crypto.randomUUID()}`, epoch: 7 });

  it('should tell batches of two epochs of one shard apart', async () => {
    const first = source();
    const wiped = { ...first, epoch: 8 };
    await applyFlush(env.DB, flushQueries(first, 1, emptyBatch(), Date.now()));
    expect(await readFlushState(env.DB, first, 1)).toBe('applied');
    expect(await readFlushState(env.DB, wiped, 1)).toBeNull();
    await applyFlush(env.DB, flushQueries(wiped, 1, emptyBatch(), Date.now()));
    expect(await readFlushState(env.DB, wiped, 1)).toBe('applied');
  });

  it('should keep a batch\u2019s row for an hour, so that a late commit of it still collides', async () => {
    const shard = source();
    const nowMs = Date.now();
    await applyFlush(env.DB, flushQueries(shard, 1, emptyBatch(), nowMs - HOUR_MS + 1000));
    await applyFlush(env.DB, flushQueries(shard, 2, emptyBatch(), nowMs));
    expect(await readFlushState(env.DB, shard, 1)).toBe('applied');
    await applyFlush(env.DB, flushQueries(shard, 3, emptyBatch(), nowMs + 2000));
    expect(await readFlushState(env.DB, shard, 1)).toBeNull();
    expect(await readFlushState(env.DB, shard, 2)).toBe('applied');
  });

  it('should tell a claimed batch from an applied one, a claim made again answering the first', async () => {
    const shard = source();
    expect(await claimFlush(env.DB, shard, 1, Date.now())).toBe('claimed');
    expect(await readFlushState(env.DB, shard, 1)).toBe('claimed');
    // The same claim again, as after a claim whose answer was lost.
    expect(await claimFlush(env.DB, shard, 1, Date.now())).toBe('claimed');
    await applyFlush(env.DB, flushQueries(shard, 2, emptyBatch(), Date.now()));
    expect(await claimFlush(env.DB, shard, 2, Date.now())).toBe('applied');
    expect(await readFlushState(env.DB, shard, 2)).toBe('applied');
    expect(await readFlushState(env.DB, shard, 3)).toBeNull();
  });

  it('should not let a claimed batch commit afterwards', async () => {
    const shard = source();
    await claimFlush(env.DB, shard, 1, Date.now());
    await expect(applyFlush(env.DB, flushQueries(shard, 1, emptyBatch(), Date.now()))).rejects.toThrow(
      /UNIQUE constraint failed/,
    );
    expect(await readFlushState(env.DB, shard, 1)).toBe('claimed');
  });
});

describe('flushQueries and site incarnations', () => {
  const viewOf = (site: string, siteCreatedAt: string, url: string): FlushBatch => ({
    articles: [{ site, siteCreatedAt, url, views: 1, shares: 0, reads: 0, firstBucket: 5 }],
    hours: [{ site, siteCreatedAt, url, bucket: 5, views: 1, shares: 0, reads: 0 }],
    networks: [],
    siteHours: [{ site, siteCreatedAt, bucket: 5, views: 1, shares: 0, reads: 0 }],
    siteNetworkHours: [],
    ledger: [{ site, siteCreatedAt, day: 0, outcome: 'view', n: 1 }],
    boxes: [
      { site, siteCreatedAt, day: 0, list: 'views-24h', position: 0, impressions: 1, clicks: 0, qualityClicks: 0 },
    ],
  });

  it('should apply rows only to the site they were counted for, or to any for rows from before', async () => {
    const { id, host } = await createSite();
    const { created_at } = (await getSite(env.DB, id))!;
    const shard = { shard: `shard-${crypto.randomUUID()}`, epoch: 1 };
    const earlier = new Date(Date.parse(created_at) - 1).toISOString();
    await applyFlush(env.DB, flushQueries(shard, 1, viewOf(id, earlier, `https://${host}/old`), Date.now()));
    await applyFlush(env.DB, flushQueries(shard, 2, viewOf(id, created_at, `https://${host}/new`), Date.now()));
    await applyFlush(env.DB, flushQueries(shard, 3, viewOf(id, '', `https://${host}/legacy`), Date.now()));
    expect(await storedTotals(id, `https://${host}/old`)).toEqual({ views: 0, shares: 0 });
    expect(await storedTotals(id, `https://${host}/new`)).toEqual({ views: 1, shares: 0 });
    expect(await storedTotals(id, `https://${host}/legacy`)).toEqual({ views: 1, shares: 0 });
    const siteHours = await env.DB.prepare('SELECT views FROM site_hours WHERE site_id = ?').bind(id).all();
    expect(siteHours.results).toEqual([{ views: 2 }]);
    const ledger = await env.DB.prepare('SELECT outcome, n FROM site_ledger WHERE site_id = ?').bind(id).all();
    expect(ledger.results).toEqual([{ outcome: 'view', n: 2 }]);
    const boxes = await env.DB.prepare('SELECT impressions FROM site_box_days WHERE site_id = ?').bind(id).all();
    expect(boxes.results).toEqual([{ impressions: 2 }]);
  });
});

describe('flushQueries and what D1 writes', () => {
  it('should set only the counters an article\u2019s rows change, so that D1 rewrites no index of the others', async () => {
    const { id, host } = await createSite();
    const shard = { shard: `shard-${crypto.randomUUID()}`, epoch: 1 };
    const [viewed, shared] = [`https://${host}/viewed`, `https://${host}/shared`];
    const bucket = bucketOf(Date.now());
    const batch = (): FlushBatch => ({
      ...emptyBatch(),
      articles: [
        { site: id, siteCreatedAt: '', url: viewed, views: 1, shares: 0, reads: 0, firstBucket: bucket },
        { site: id, siteCreatedAt: '', url: shared, views: 0, shares: 1, reads: 0, firstBucket: bucket },
      ],
      hours: [
        { site: id, siteCreatedAt: '', url: viewed, bucket, views: 1, shares: 0, reads: 0 },
        { site: id, siteCreatedAt: '', url: shared, bucket, views: 0, shares: 1, reads: 0 },
      ],
    });
    await applyFlush(env.DB, flushQueries(shard, 1, batch(), Date.now()));
    const queries = flushQueries(shard, 2, batch(), Date.now());
    const results = await runBatch(env.DB, queries);
    const rowsWritten = (table: string) =>
      queries
        .map((q, i) => (q.sql.startsWith(`INSERT INTO ${table} `) ? results[i]!.meta.rows_written : 0))
        .reduce((a, b) => a + b, 0);
    // Each article's row and the one index of the counter it changed (articles_by_views, articles_by_shares).
    expect(rowsWritten('articles')).toBe(4);
    // Each hourly row and its index, and in each running window (migration 0013) its total and the one index of the counter.
    expect(rowsWritten('article_hours')).toBe(2 * (2 + 2 * RUNNING_TOTAL_WINDOWS.length));
    expect(await storedTotals(id, viewed)).toEqual({ views: 2, shares: 0 });
    expect(await storedTotals(id, shared)).toEqual({ views: 0, shares: 2 });
  });
});

describe('flushQueries and article metadata', () => {
  const source = () => ({ shard: `shard-${crypto.randomUUID()}`, epoch: 1 });
  const viewsOf = (site: string, url: string, views: number): FlushBatch => ({
    ...emptyBatch(),
    articles: [{ site, siteCreatedAt: '', url, views, shares: 0, reads: 0, firstBucket: 5 }],
  });
  const stored = (site: string, url: string) =>
    env.DB.prepare(
      'SELECT title, image, section, published, status, hidden, views FROM articles WHERE site_id = ? AND url = ?',
    )
      .bind(site, url)
      .first();

  it('should make a verified row without metadata for an article D1 has no row of', async () => {
    const { id, host } = await createSite();
    const url = `https://${host}/new`;
    await applyFlush(env.DB, flushQueries(source(), 1, viewsOf(id, url, 2), Date.now()));
    expect(await stored(id, url)).toEqual({
      title: null,
      image: null,
      section: null,
      published: null,
      status: 'verified',
      hidden: 0,
      views: 2,
    });
  });

  it('should add counts and leave the metadata, status and hidden the registry wrote', async () => {
    const { id, host } = await createSite();
    const url = `https://${host}/known`;
    await env.DB.prepare(
      `INSERT INTO articles (site_id, url, title, image, section, published, status, hidden, views, shares, first_bucket)
       VALUES (?, ?, 'Known', ?, 'City', '2026-11-20T08:00:00.000Z', 'rejected', 1, 3, 0, 4)`,
    )
      .bind(id, url, `https://${host}/k.jpg`)
      .run();
    await applyFlush(env.DB, flushQueries(source(), 1, viewsOf(id, url, 2), Date.now()));
    expect(await stored(id, url)).toEqual({
      title: 'Known',
      image: `https://${host}/k.jpg`,
      section: 'City',
      published: '2026-11-20T08:00:00.000Z',
      status: 'rejected',
      hidden: 1,
      views: 5,
    });
  });
});

describe('flushes of reads and of the popular box', () => {
  const all = async (sql: string, ...params: unknown[]) =>
    (
      await env.DB.prepare(sql)
        .bind(...params)
        .all()
    ).results;

  it('should add reads to the reads columns only, never to views, shares or shares per network', async () => {
    const { id, host } = await createSite();
    const url = `https://${host}/a`;
    const site = { site: id, siteCreatedAt: '' };
    const batch = toFlushBatch(
      [
        { ...site, url, bucket: 5, network: '', n: 3 },
        { ...site, url, bucket: 5, network: READ_COUNTER, n: 2 },
        { ...site, url, bucket: 6, network: READ_COUNTER, n: 1 },
        { ...site, url, bucket: 6, network: 'x', n: 4 },
      ],
      [],
    );
    await applyFlush(env.DB, flushQueries({ shard: `shard-${crypto.randomUUID()}`, epoch: 1 }, 1, batch, Date.now()));
    expect(await all('SELECT views, shares, reads FROM articles WHERE site_id = ?', id)).toEqual([
      { views: 3, shares: 4, reads: 3 },
    ]);
    expect(
      await all('SELECT bucket, views, shares, reads FROM article_hours WHERE site_id = ? ORDER BY bucket', id),
    ).toEqual([
      { bucket: 5, views: 3, shares: 0, reads: 2 },
      { bucket: 6, views: 0, shares: 4, reads: 1 },
    ]);
    expect(
      await all('SELECT bucket, views, shares, reads FROM site_hours WHERE site_id = ? ORDER BY bucket', id),
    ).toEqual([
      { bucket: 5, views: 3, shares: 0, reads: 2 },
      { bucket: 6, views: 0, shares: 4, reads: 1 },
    ]);
    expect(await all('SELECT network, shares FROM article_network_shares WHERE site_id = ?', id)).toEqual([
      { network: 'x', shares: 4 },
    ]);
    expect(await all('SELECT bucket, network, shares FROM site_network_hours WHERE site_id = ?', id)).toEqual([
      { bucket: 6, network: 'x', shares: 4 },
    ]);
  });

  it('should add the box tallies to site_box_days, impressions at position 0, and none to site_ledger', async () => {
    const { id } = await createSite();
    const site = { site: id, siteCreatedAt: '' };
    const ledgerRow = (day: number, outcome: BoxTally | 'view' | 'read', n: number) => ({
      ...site,
      day,
      outcome: typeof outcome === 'string' ? outcome : boxOutcome(outcome),
      n,
    });
    const shard = { shard: `shard-${crypto.randomUUID()}`, epoch: 1 };
    const flush = (seq: number, ledger: ReturnType<typeof ledgerRow>[]) =>
      applyFlush(env.DB, flushQueries(shard, seq, toFlushBatch([], ledger), Date.now()));
    await flush(1, [
      ledgerRow(20, 'view', 5),
      ledgerRow(20, 'read', 2),
      ledgerRow(20, { kind: 'impression', list: 'views-24h', position: 0 }, 4),
      ledgerRow(20, { kind: 'click', list: 'views-24h', position: 3 }, 2),
      ledgerRow(20, { kind: 'quality', list: 'views-24h', position: 3 }, 1),
      ledgerRow(20, { kind: 'click', list: 'trending', position: 1 }, 1),
      ledgerRow(21, { kind: 'impression', list: 'reads-7d', position: 0 }, 1),
    ]);
    // A later batch adds to the same rows.
    await flush(2, [
      ledgerRow(20, { kind: 'impression', list: 'views-24h', position: 0 }, 1),
      ledgerRow(20, { kind: 'click', list: 'views-24h', position: 3 }, 1),
    ]);
    expect(
      await all(
        `SELECT day, list, position, impressions, clicks, quality_clicks FROM site_box_days WHERE site_id = ?
         ORDER BY day, list, position`,
        id,
      ),
    ).toEqual([
      { day: 20, list: 'trending', position: 1, impressions: 0, clicks: 1, quality_clicks: 0 },
      { day: 20, list: 'views-24h', position: 0, impressions: 5, clicks: 0, quality_clicks: 0 },
      { day: 20, list: 'views-24h', position: 3, impressions: 0, clicks: 3, quality_clicks: 1 },
      { day: 21, list: 'reads-7d', position: 0, impressions: 1, clicks: 0, quality_clicks: 0 },
    ]);
    expect(await all('SELECT day, outcome, n FROM site_ledger WHERE site_id = ? ORDER BY day, outcome', id)).toEqual([
      { day: 20, outcome: 'read', n: 2 },
      { day: 20, outcome: 'view', n: 5 },
    ]);
  });
});
