import type { ArticleMetadata } from '../articles/metadata';
import { type FlushSource, flushLogQuery, type SiteIncarnation, siteIncarnationExists } from './counts';
import type { Query } from './query';

/**
 * One buffered row of a shard: an increment (`network` '' for views,
 * '@read' for reads (READ_COUNTER, src/shard/batch.ts), else the network of shares) or, with `network` null, metadata.
 */
export interface SetAsideRow extends ArticleMetadata, SiteIncarnation {
  url: string;
  bucket: number;
  network: string | null;
  n: number | null;
}

/** A row set aside, as the dashboard lists it. */
export interface SetAsideEntry extends ArticleMetadata {
  url: string;
  bucket: number;
  network: string | null;
  n: number | null;
  error: string;
  setAsideAt: number;
}

/** Longest error text kept with a row: enough to tell the cause. */
const MAX_ERROR_LENGTH = 500;

const COLUMNS = [
  'site_id',
  'url',
  'bucket',
  'network',
  'n',
  'title',
  'image',
  'section',
  'published',
  'shard',
  'epoch',
  'seq',
  'error',
  'set_aside_at',
];

/**
 * The batch that sets aside `row`, alone in batch `seq` of `source`, with the
 * error D1 refused it with: like a flush, it begins with the batch's row in
 * flush_log, so that it happens once, and keeps nothing of a site deleted since.
 */
export function setAsideQueries(
  source: FlushSource,
  seq: number,
  row: SetAsideRow,
  error: string,
  nowMs: number,
): Query[] {
  const values = [
    row.site,
    row.url,
    row.bucket,
    row.network,
    row.n,
    row.title,
    row.image,
    row.section,
    row.published,
    source.shard,
    source.epoch,
    seq,
    error.slice(0, MAX_ERROR_LENGTH),
    nowMs,
    row.siteCreatedAt,
  ];
  return [
    flushLogQuery(source, seq, nowMs),
    {
      sql:
        `INSERT INTO set_aside_rows (${COLUMNS.join(', ')}) ` +
        `SELECT ${COLUMNS.map((_, i) => `v.column${i + 1}`).join(', ')} ` +
        `FROM (VALUES (${values.map(() => '?').join(', ')})) AS v WHERE ${siteIncarnationExists(values.length)}`,
      params: values,
    },
  ];
}

interface SetAsideDbRow extends ArticleMetadata {
  url: string;
  bucket: number;
  network: string | null;
  n: number | null;
  error: string;
  set_aside_at: number;
}

/** The rows set aside for `site`, newest first (at most `limit`). */
export async function readSetAside(db: D1Database, site: string, limit = 50): Promise<SetAsideEntry[]> {
  const { results } = await db
    .prepare(
      `SELECT url, bucket, network, n, title, image, section, published, error, set_aside_at
       FROM set_aside_rows WHERE site_id = ? ORDER BY set_aside_at DESC, url LIMIT ?`,
    )
    .bind(site, limit)
    .all<SetAsideDbRow>();
  return results.map(({ set_aside_at, ...entry }) => ({ ...entry, setAsideAt: set_aside_at }));
}
