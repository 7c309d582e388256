import type { ArticleMetadata } from '../articles/metadata';
import { applyFlush, flushQueries, isFlushCommitted } from '../db/counts';
import { type CountRow, type MetaRow, toFlushBatch } from './batch';

/** Articles per D1 batch: keeps one batch's statements well under D1's per-invocation query limit. */
const ARTICLES_PER_BATCH = 100;
const BATCHES_PER_ALARM = 10;
const D1_TIMEOUT_MS = 30_000;

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`D1 did not answer within ${ms} ms`)), ms)),
  ]);

/** Adds one event to the pending increments of its article, hour and network. */
export function bufferIncrement(sql: SqlStorage, site: string, url: string, bucket: number, network: string): void {
  sql.exec(
    `INSERT INTO pending (site, url, bucket, network, n) VALUES (?, ?, ?, ?, 1)
     ON CONFLICT (site, url, bucket, network) DO UPDATE SET n = n + 1`,
    site,
    url,
    bucket,
    network,
  );
}

/** Merges the metadata an event carries, if any, into its article's pending metadata. */
export function bufferMetadata(
  sql: SqlStorage,
  site: string,
  url: string,
  metadata: ArticleMetadata,
  bucket: number,
): void {
  const { title, image, section, published } = metadata;
  if (title === null && image === null && section === null && published === null) return;
  sql.exec(
    `INSERT INTO pending_meta (site, url, title, image, section, published, bucket) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (site, url) DO UPDATE SET
       title = coalesce(excluded.title, title), image = coalesce(excluded.image, image),
       section = coalesce(excluded.section, section), published = coalesce(excluded.published, published)`,
    site,
    url,
    title,
    image,
    section,
    published,
    bucket,
  );
}

export const hasPending = (sql: SqlStorage): boolean =>
  sql.exec('SELECT 1 FROM pending UNION ALL SELECT 1 FROM pending_meta LIMIT 1').toArray().length > 0;

export const hasOutbox = (sql: SqlStorage): boolean =>
  sql.exec('SELECT 1 FROM outbox UNION ALL SELECT 1 FROM outbox_meta LIMIT 1').toArray().length > 0;

/**
 * Sends up to BATCHES_PER_ALARM batches to D1: first the outbox left by an
 * earlier flush, then new batches sealed from the pending rows. Throws, keeping
 * the batch being sent in the outbox, if D1 fails.
 *
 * Flush protocol: pending rows are sealed into an outbox batch with a new
 * sequence number; the batch goes to D1 as one transaction that starts by
 * inserting `(shard, seq)` into `flush_log`; only then is the outbox cleared. A
 * crash in between leaves the outbox, whose replay collides in `flush_log` and
 * is rolled back, so it is cleared without counting twice.
 */
export async function flushOutbox(storage: DurableObjectStorage, db: D1Database, shard: string): Promise<void> {
  for (let i = 0; i < BATCHES_PER_ALARM; i++) {
    const seq = oldestOutboxSeq(storage.sql) ?? sealBatch(storage);
    if (seq === null) break;
    await sendBatch(storage.sql, db, shard, seq);
  }
}

function oldestOutboxSeq(sql: SqlStorage): number | null {
  const row = sql
    .exec<{ seq: number | null }>(
      'SELECT min(seq) AS seq FROM (SELECT seq FROM outbox UNION ALL SELECT seq FROM outbox_meta)',
    )
    .one();
  return row.seq;
}

/** Moves up to ARTICLES_PER_BATCH articles' pending rows into a new outbox batch. */
function sealBatch(storage: DurableObjectStorage): number | null {
  const sql = storage.sql;
  return storage.transactionSync(() => {
    const articles = sql
      .exec<{ site: string; url: string }>(
        'SELECT site, url FROM pending UNION SELECT site, url FROM pending_meta LIMIT ?',
        ARTICLES_PER_BATCH,
      )
      .toArray();
    if (articles.length === 0) return null;
    const seq =
      sql
        .exec<{ value: number }>(
          `INSERT INTO state (key, value) VALUES ('next_seq', 2)
         ON CONFLICT (key) DO UPDATE SET value = value + 1 RETURNING value`,
        )
        .one().value - 1;
    for (const { site, url } of articles) {
      sql.exec(
        'INSERT INTO outbox SELECT ?, site, url, bucket, network, n FROM pending WHERE site = ? AND url = ?',
        seq,
        site,
        url,
      );
      sql.exec(
        'INSERT INTO outbox_meta SELECT ?, site, url, title, image, section, published, bucket FROM pending_meta WHERE site = ? AND url = ?',
        seq,
        site,
        url,
      );
      sql.exec('DELETE FROM pending WHERE site = ? AND url = ?', site, url);
      sql.exec('DELETE FROM pending_meta WHERE site = ? AND url = ?', site, url);
    }
    return seq;
  });
}

/** Sends outbox batch `seq` to D1, then clears it. Throws, keeping it, if D1 fails. */
async function sendBatch(sql: SqlStorage, db: D1Database, shard: string, seq: number): Promise<void> {
  const counts = sql
    .exec<CountRow & Record<string, SqlStorageValue>>(
      'SELECT site, url, bucket, network, n FROM outbox WHERE seq = ?',
      seq,
    )
    .toArray();
  const metas = sql
    .exec<MetaRow & Record<string, SqlStorageValue>>(
      'SELECT site, url, title, image, section, published, bucket FROM outbox_meta WHERE seq = ?',
      seq,
    )
    .toArray();
  try {
    await withTimeout(applyFlush(db, flushQueries(shard, seq, toFlushBatch(counts, metas), Date.now())), D1_TIMEOUT_MS);
  } catch (err) {
    // A replay of a committed batch (or a commit whose answer was lost) fails
    // on flush_log's key: then the batch is in D1 already.
    if (!(await withTimeout(isFlushCommitted(db, shard, seq), D1_TIMEOUT_MS))) throw err;
  }
  sql.exec('DELETE FROM outbox WHERE seq = ?', seq);
  sql.exec('DELETE FROM outbox_meta WHERE seq = ?', seq);
}
