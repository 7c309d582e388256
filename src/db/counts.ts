import type { ArticleMetadata } from '../articles/metadata';
import type { CountsBody } from '../openapi/schemas';
import { bucketOf } from '../time';
import { MAX_BOUND_PARAMETERS, type Query, runBatch } from './query';
import { advanceWindowQueries } from './window-totals';

export interface ArticleDelta extends ArticleMetadata {
  site: string;
  url: string;
  views: number;
  shares: number;
  firstBucket: number;
}

export interface HourDelta {
  site: string;
  url: string;
  bucket: number;
  views: number;
  shares: number;
}

export interface NetworkDelta {
  site: string;
  url: string;
  network: string;
  shares: number;
}

export interface SiteHourDelta {
  site: string;
  bucket: number;
  views: number;
  shares: number;
}

export interface SiteNetworkHourDelta {
  site: string;
  bucket: number;
  network: string;
  shares: number;
}

/** What one shard flush adds to D1. */
export interface FlushBatch {
  articles: ArticleDelta[];
  hours: HourDelta[];
  networks: NetworkDelta[];
  siteHours: SiteHourDelta[];
  siteNetworkHours: SiteNetworkHourDelta[];
}

/**
 * Multi-row upserts of `rows`, as many rows per statement as fit under D1's
 * bound-parameter limit. Rows of a deleted site are skipped, so a late flush
 * never leaves orphans behind.
 */
function upsertQueries<Row>(
  rows: Row[],
  {
    table,
    columns,
    conflict,
    update,
    values,
  }: {
    table: string;
    columns: string[];
    conflict: string;
    update: string;
    values: (row: Row) => (string | number | null)[];
  },
): Query[] {
  const rowsPerStatement = Math.floor(MAX_BOUND_PARAMETERS / columns.length);
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const selected = columns.map((_, i) => `v.column${i + 1}`).join(', ');
  const queries: Query[] = [];
  for (let start = 0; start < rows.length; start += rowsPerStatement) {
    const chunk = rows.slice(start, start + rowsPerStatement);
    queries.push({
      sql:
        `INSERT INTO ${table} (${columns.join(', ')}) ` +
        `SELECT ${selected} FROM (VALUES ${chunk.map(() => tuple).join(', ')}) AS v ` +
        `WHERE EXISTS (SELECT 1 FROM sites WHERE sites.id = v.column1) ` +
        `ON CONFLICT (${conflict}) DO UPDATE SET ${update}`,
      params: chunk.flatMap(values),
    });
  }
  return queries;
}

/**
 * The statements of one flush, to run as one D1 batch (one transaction). The
 * first records `(shard, seq)` in `flush_log`: replaying a batch that already
 * committed violates its key and rolls the replay back whole. The running
 * totals of the batch's sites are brought to the flush's hour (or its newest
 * bucket, should a clock be behind), so that they follow the clock wherever
 * there is traffic and never hold an hour they have not reached. The last
 * statement prunes the shard's older log rows, which can never be replayed again.
 */
export function flushQueries(shard: string, seq: number, batch: FlushBatch, nowMs: number): Query[] {
  const sites = [...new Set(batch.articles.map((article) => article.site))];
  const totalsBucket = batch.hours.reduce((newest, hour) => Math.max(newest, hour.bucket), bucketOf(nowMs));
  return [
    { sql: 'INSERT INTO flush_log (shard, seq, flushed_at) VALUES (?, ?, ?)', params: [shard, seq, nowMs] },
    ...upsertQueries(batch.articles, {
      table: 'articles',
      columns: ['site_id', 'url', 'title', 'image', 'section', 'published', 'views', 'shares', 'first_bucket'],
      conflict: 'site_id, url',
      update:
        'views = views + excluded.views, shares = shares + excluded.shares, ' +
        'title = coalesce(excluded.title, title), image = coalesce(excluded.image, image), ' +
        'section = coalesce(excluded.section, section), published = coalesce(excluded.published, published), ' +
        'first_bucket = min(first_bucket, excluded.first_bucket)',
      values: (a) => [a.site, a.url, a.title, a.image, a.section, a.published, a.views, a.shares, a.firstBucket],
    }),
    ...upsertQueries(batch.hours, {
      table: 'article_hours',
      columns: ['site_id', 'url', 'bucket', 'views', 'shares'],
      conflict: 'site_id, url, bucket',
      update: 'views = views + excluded.views, shares = shares + excluded.shares',
      values: (h) => [h.site, h.url, h.bucket, h.views, h.shares],
    }),
    ...upsertQueries(batch.networks, {
      table: 'article_network_shares',
      columns: ['site_id', 'url', 'network', 'shares'],
      conflict: 'site_id, url, network',
      update: 'shares = shares + excluded.shares',
      values: (n) => [n.site, n.url, n.network, n.shares],
    }),
    ...upsertQueries(batch.siteHours, {
      table: 'site_hours',
      columns: ['site_id', 'bucket', 'views', 'shares'],
      conflict: 'site_id, bucket',
      update: 'views = views + excluded.views, shares = shares + excluded.shares',
      values: (h) => [h.site, h.bucket, h.views, h.shares],
    }),
    ...upsertQueries(batch.siteNetworkHours, {
      table: 'site_network_hours',
      columns: ['site_id', 'bucket', 'network', 'shares'],
      conflict: 'site_id, bucket, network',
      update: 'shares = shares + excluded.shares',
      values: (n) => [n.site, n.bucket, n.network, n.shares],
    }),
    ...(sites.length > 0 ? advanceWindowQueries(sites, totalsBucket) : []),
    { sql: 'DELETE FROM flush_log WHERE shard = ? AND seq < ?', params: [shard, seq] },
  ];
}

/** Applies one flush to D1 as a single transaction. */
export async function applyFlush(db: D1Database, queries: Query[]): Promise<void> {
  await runBatch(db, queries);
}

/** Whether the shard's batch `seq` already committed. */
export async function isFlushCommitted(db: D1Database, shard: string, seq: number): Promise<boolean> {
  const row = await db.prepare('SELECT 1 AS found FROM flush_log WHERE shard = ? AND seq = ?').bind(shard, seq).first();
  return row !== null;
}

/** All-time counts of one article, as the counts endpoint answers them; zeros for one never counted. */
export async function readArticleCounts(db: D1Database, site: string, url: string): Promise<CountsBody> {
  const [totals, networks] = await runBatch<{ views: number; shares: number } & { network: string }>(db, [
    { sql: 'SELECT views, shares FROM articles WHERE site_id = ? AND url = ?', params: [site, url] },
    {
      sql: 'SELECT network, shares FROM article_network_shares WHERE site_id = ? AND url = ? AND shares > 0 ORDER BY network',
      params: [site, url],
    },
  ]);
  const total = totals?.results[0];
  return {
    url,
    views: total?.views ?? 0,
    shares: {
      total: total?.shares ?? 0,
      by_network: Object.fromEntries((networks?.results ?? []).map((row) => [row.network, row.shares])),
    },
  };
}
