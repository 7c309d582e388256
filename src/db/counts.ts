import type { LedgerOutcome } from '../ledger/ledger-days';
import type { CountsBody } from '../openapi/schemas';
import { bucketOf, HOUR_MS } from '../time';
import { MAX_BOUND_PARAMETERS, type Query, runBatch } from './query';
import { advanceWindowQueries } from './window-totals';

/**
 * Which incarnation of a site id a row was counted for: the site's created_at,
 * or '' for rows buffered before shards kept it (whichever site has the id).
 */
export interface SiteIncarnation {
  site: string;
  siteCreatedAt: string;
}

/** An article's totals a flush adds; its metadata is the registry's (src/articles/registry.ts), never a flush's. */
export interface ArticleDelta extends SiteIncarnation {
  url: string;
  views: number;
  shares: number;
  reads: number;
  firstBucket: number;
}

export interface HourDelta extends SiteIncarnation {
  url: string;
  bucket: number;
  views: number;
  shares: number;
  reads: number;
}

export interface NetworkDelta extends SiteIncarnation {
  url: string;
  network: string;
  shares: number;
}

export interface SiteHourDelta extends SiteIncarnation {
  bucket: number;
  views: number;
  shares: number;
  reads: number;
}

export interface SiteNetworkHourDelta extends SiteIncarnation {
  bucket: number;
  network: string;
  shares: number;
}

/** Events of a site and UTC day with one outcome, for the site's ledger (migration 0008). */
export interface LedgerDelta extends SiteIncarnation {
  day: number;
  outcome: LedgerOutcome;
  n: number;
}

/**
 * What the popular box brought on a site and UTC day at one position of one
 * list (migration 0012): impressions are of the whole list, at position 0.
 */
export type BoxDelta = SiteIncarnation & {
  day: number;
  list: string;
  position: number;
  impressions: number;
  clicks: number;
  qualityClicks: number;
};

/** What one shard flush adds to D1. */
export interface FlushBatch {
  articles: ArticleDelta[];
  hours: HourDelta[];
  networks: NetworkDelta[];
  siteHours: SiteHourDelta[];
  siteNetworkHours: SiteNetworkHourDelta[];
  /** The site ledger's rows: outcomes of events, never recirculation tallies. */
  ledger: LedgerDelta[];
  boxes: BoxDelta[];
}

/** Who sends a batch: a shard, and the epoch of its storage (src/shard/storage-schema.ts). */
export interface FlushSource {
  shard: string;
  epoch: number;
}

/**
 * How long flush_log keeps a batch's row after the shard moved on: far longer
 * than a D1 request can stay in flight, so that a batch that timed out and
 * still commits late collides with its row instead of counting twice.
 */
const FLUSH_LOG_KEEP_MS = HOUR_MS;

/**
 * The row that marks batch `seq` of `source` applied (its kind's default); the
 * first statement of each batch.
 */
export const flushLogQuery = ({ shard, epoch }: FlushSource, seq: number, nowMs: number): Query => ({
  sql: 'INSERT INTO flush_log (shard, epoch, seq, flushed_at) VALUES (?, ?, ?, ?)',
  params: [shard, epoch, seq, nowMs],
});

/**
 * `WHERE` of a statement that reads row values from `v`: the site of column 1
 * exists as the incarnation named in column `createdAtColumn` ('' takes any).
 */
export const siteIncarnationExists = (createdAtColumn: number): string =>
  `EXISTS (SELECT 1 FROM sites WHERE sites.id = v.column1 AND (v.column${createdAtColumn} = '' OR sites.created_at = v.column${createdAtColumn}))`;

/**
 * Multi-row upserts of `rows`, as many rows per statement as fit under D1's
 * bound-parameter limit: a row new to its `key` is inserted, else its `summed`
 * columns are added to the stored ones. Rows of a deleted site, or of an
 * earlier site of the same id, are skipped, so a late flush never leaves
 * orphans behind nor counts for the wrong site.
 *
 * Rows go in statements by which of their summed columns are not 0, each
 * statement setting only those: an UPDATE rewrites every index of a column it
 * sets, whatever the value, and D1 bills each index row it writes (an article's
 * views alone write its row and one index, not its three).
 */
function upsertQueries<Row extends SiteIncarnation>(
  rows: Row[],
  {
    table,
    key,
    summed,
    lowest = [],
    values,
  }: {
    table: string;
    key: string[];
    summed: string[];
    /** Columns that keep the lower of the stored and the new value. */
    lowest?: string[];
    /** The row's values of `key`, `summed` and `lowest`, in that order. */
    values: (row: Row) => (string | number | null)[];
  },
): Query[] {
  const columns = [...key, ...summed, ...lowest];
  const updateOf = (changed: string[]) =>
    [
      ...changed.map((column) => `${column} = ${column} + excluded.${column}`),
      ...lowest.map((column) => `${column} = min(${column}, excluded.${column})`),
    ].join(', ');
  // Each row's values, then its site's created_at, which is checked, not stored.
  const createdAtColumn = columns.length + 1;
  const rowsPerStatement = Math.floor(MAX_BOUND_PARAMETERS / createdAtColumn);
  const tuple = `(${Array.from({ length: createdAtColumn }, () => '?').join(', ')})`;
  // An article's rows go under its canonical URL, should the URL have become another's spelling
  // (article_aliases) while its increments were on their way: they add to the article, never make an orphan.
  const selected = columns
    .map((column, i) =>
      column === 'url'
        ? `coalesce((SELECT al.url FROM article_aliases al WHERE al.site_id = v.column1 AND al.alias = v.column${i + 1}), v.column${i + 1})`
        : `v.column${i + 1}`,
    )
    .join(', ');
  const changedOf = (row: Row) => {
    const summedValues = values(row).slice(key.length, key.length + summed.length);
    return summed.filter((_, i) => summedValues[i] !== 0);
  };
  const queries: Query[] = [];
  for (const group of Map.groupBy(rows, (row) => changedOf(row).join(',')).values()) {
    const update = updateOf(changedOf(group[0]!));
    const conflict = update === '' ? 'DO NOTHING' : `DO UPDATE SET ${update}`;
    for (let start = 0; start < group.length; start += rowsPerStatement) {
      const chunk = group.slice(start, start + rowsPerStatement);
      queries.push({
        sql:
          `INSERT INTO ${table} (${columns.join(', ')}) ` +
          `SELECT ${selected} FROM (VALUES ${chunk.map(() => tuple).join(', ')}) AS v ` +
          `WHERE ${siteIncarnationExists(createdAtColumn)} ` +
          `ON CONFLICT (${key.join(', ')}) ${conflict}`,
        params: chunk.flatMap((row) => [...values(row), row.siteCreatedAt]),
      });
    }
  }
  return queries;
}

/**
 * The statements of one flush, to run as one D1 batch (one transaction). The
 * first records `(shard, epoch, seq)` in `flush_log`: replaying a batch that
 * already committed violates its key and rolls the replay back whole. The
 * running totals of the batch's sites are brought to the flush's hour (or its
 * newest bucket, should a clock be behind), so that they follow the clock
 * wherever there is traffic and never hold an hour they have not reached. The
 * last statement prunes the shard's log rows that can never be replayed again:
 * older batches of this epoch and every batch of its earlier epochs, once
 * FLUSH_LOG_KEEP_MS old.
 */
export function flushQueries(source: FlushSource, seq: number, batch: FlushBatch, nowMs: number): Query[] {
  const sites = [...new Set(batch.articles.map((article) => article.site))];
  const totalsBucket = batch.hours.reduce((newest, hour) => Math.max(newest, hour.bucket), bucketOf(nowMs));
  return [
    flushLogQuery(source, seq, nowMs),
    ...upsertQueries(batch.articles, {
      table: 'articles',
      // A row made here has no metadata until the registry writes it.
      key: ['site_id', 'url'],
      summed: ['views', 'shares', 'reads'],
      lowest: ['first_bucket'],
      values: (a) => [a.site, a.url, a.views, a.shares, a.reads, a.firstBucket],
    }),
    ...upsertQueries(batch.hours, {
      table: 'article_hours',
      key: ['site_id', 'url', 'bucket'],
      summed: ['views', 'shares', 'reads'],
      values: (h) => [h.site, h.url, h.bucket, h.views, h.shares, h.reads],
    }),
    ...upsertQueries(batch.networks, {
      table: 'article_network_shares',
      key: ['site_id', 'url', 'network'],
      summed: ['shares'],
      values: (n) => [n.site, n.url, n.network, n.shares],
    }),
    ...upsertQueries(batch.siteHours, {
      table: 'site_hours',
      key: ['site_id', 'bucket'],
      summed: ['views', 'shares', 'reads'],
      values: (h) => [h.site, h.bucket, h.views, h.shares, h.reads],
    }),
    ...upsertQueries(batch.siteNetworkHours, {
      table: 'site_network_hours',
      key: ['site_id', 'bucket', 'network'],
      summed: ['shares'],
      values: (n) => [n.site, n.bucket, n.network, n.shares],
    }),
    ...upsertQueries(batch.ledger, {
      table: 'site_ledger',
      key: ['site_id', 'day', 'outcome'],
      summed: ['n'],
      values: (l) => [l.site, l.day, l.outcome, l.n],
    }),
    ...upsertQueries(batch.boxes, {
      table: 'site_box_days',
      key: ['site_id', 'day', 'list', 'position'],
      summed: ['impressions', 'clicks', 'quality_clicks'],
      values: (b) => [b.site, b.day, b.list, b.position, b.impressions, b.clicks, b.qualityClicks],
    }),
    ...(sites.length > 0 ? advanceWindowQueries(sites, totalsBucket) : []),
    {
      sql: 'DELETE FROM flush_log WHERE shard = ? AND (epoch <> ? OR seq < ?) AND flushed_at < ?',
      params: [source.shard, source.epoch, seq, nowMs - FLUSH_LOG_KEEP_MS],
    },
  ];
}

/** Applies one flush to D1 as a single transaction. */
export async function applyFlush(db: D1Database, queries: Query[]): Promise<void> {
  await runBatch(db, queries);
}

/** What a batch's row in flush_log stands for (migration 0009). */
export type FlushState = 'applied' | 'claimed';

/**
 * What flush_log holds for batch `seq` of `source`: 'applied' when the batch
 * committed (or its one row was set aside), 'claimed' when its shard took the
 * key to move its rows into other batches, null for neither.
 */
export async function readFlushState(
  db: D1Database,
  { shard, epoch }: FlushSource,
  seq: number,
): Promise<FlushState | null> {
  const row = await db
    .prepare('SELECT kind FROM flush_log WHERE shard = ? AND epoch = ? AND seq = ?')
    .bind(shard, epoch, seq)
    .first<{ kind: FlushState }>();
  return row?.kind ?? null;
}

/**
 * Takes batch `seq`'s key in flush_log, marked claimed, without applying the
 * batch, so that it can never commit afterwards (should an attempt still be on
 * its way) and its rows can go in other batches. Answers what the row says:
 * 'claimed', now or by an earlier claim whose answer was lost, or 'applied'
 * if the batch committed first.
 */
export async function claimFlush(
  db: D1Database,
  { shard, epoch }: FlushSource,
  seq: number,
  nowMs: number,
): Promise<FlushState> {
  // On a taken key the update changes nothing, and RETURNING answers the row there.
  const row = await db
    .prepare(
      `INSERT INTO flush_log (shard, epoch, seq, flushed_at, kind) VALUES (?, ?, ?, ?, 'claimed')
       ON CONFLICT (shard, epoch, seq) DO UPDATE SET kind = kind RETURNING kind`,
    )
    .bind(shard, epoch, seq, nowMs)
    .first<{ kind: FlushState }>();
  return row!.kind;
}

// The canonical article of a key: itself, unless it is another spelling of one (article_aliases).
const CANONICAL_URL = 'coalesce((SELECT url FROM article_aliases WHERE site_id = ?1 AND alias = ?2), ?2)';

/**
 * All-time counts of one article, as the counts endpoint answers them; zeros
 * for one never counted. Another spelling of an article answers the article's
 * counts and URL. One round trip: each statement finds the canonical URL itself.
 */
export async function readArticleCounts(db: D1Database, site: string, url: string): Promise<CountsBody> {
  // The first statement answers one row, zeros for an article never counted.
  const [totals, networks] = await runBatch<{
    url: string;
    views: number;
    reads: number;
    shares: number;
    network: string;
  }>(db, [
    {
      sql: `SELECT c.url, coalesce(a.views, 0) AS views, coalesce(a.reads, 0) AS reads, coalesce(a.shares, 0) AS shares
            FROM (SELECT ${CANONICAL_URL} AS url) c LEFT JOIN articles a ON a.site_id = ?1 AND a.url = c.url`,
      params: [site, url],
    },
    {
      sql: `SELECT network, shares FROM article_network_shares
            WHERE site_id = ?1 AND url = ${CANONICAL_URL} AND shares > 0 ORDER BY network`,
      params: [site, url],
    },
  ]);
  const total = totals?.results[0];
  return {
    url: total?.url ?? url,
    views: total?.views ?? 0,
    reads: total?.reads ?? 0,
    shares: {
      total: total?.shares ?? 0,
      by_network: Object.fromEntries((networks?.results ?? []).map((row) => [row.network, row.shares])),
    },
  };
}
