import type { ArticleMetadata } from '../articles/metadata';
import {
  applyFlush,
  claimFlush,
  type FlushSource,
  flushQueries,
  isFlushCommitted,
  type SiteIncarnation,
} from '../db/counts';
import { type SetAsideRow, setAsideQueries } from '../db/set-aside';
import { type CountRow, type MetaRow, toFlushBatch } from './batch';

/** Articles per D1 batch: keeps one batch's statements well under D1's per-invocation query limit. */
const ARTICLES_PER_BATCH = 100;
const BATCHES_PER_ALARM = 10;
/** How long a D1 call of a flush may take before D1 is taken as unavailable. */
export const D1_TIMEOUT_MS = 30_000;
/**
 * Refusals of one batch by a D1 that answers (its flush_log check does) before
 * the batch is split: with the backoff between them, about four minutes, in
 * which a passing failure passes.
 */
export const REFUSALS_BEFORE_SPLIT = 8;

/** What a flush needs besides the shard's storage. */
export interface FlushContext {
  db: D1Database;
  source: FlushSource;
}

async function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`D1 did not answer within ${D1_TIMEOUT_MS} ms`)), D1_TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Adds one event to the pending increments of its article, hour and network. */
export function bufferIncrement(
  sql: SqlStorage,
  { site, siteCreatedAt }: SiteIncarnation,
  url: string,
  bucket: number,
  network: string,
): void {
  sql.exec(
    `INSERT INTO pending (site, site_created_at, url, bucket, network, n) VALUES (?, ?, ?, ?, ?, 1)
     ON CONFLICT (site, site_created_at, url, bucket, network) DO UPDATE SET n = n + 1`,
    site,
    siteCreatedAt,
    url,
    bucket,
    network,
  );
}

/** Merges the metadata an event carries, if any, into its article's pending metadata. */
export function bufferMetadata(
  sql: SqlStorage,
  { site, siteCreatedAt }: SiteIncarnation,
  url: string,
  metadata: ArticleMetadata,
  bucket: number,
): void {
  const { title, image, section, published } = metadata;
  if (title === null && image === null && section === null && published === null) return;
  sql.exec(
    `INSERT INTO pending_meta (site, site_created_at, url, title, image, section, published, bucket)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (site, site_created_at, url) DO UPDATE SET
       title = coalesce(excluded.title, title), image = coalesce(excluded.image, image),
       section = coalesce(excluded.section, section), published = coalesce(excluded.published, published)`,
    site,
    siteCreatedAt,
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
 * inserting `(shard, epoch, seq)` into `flush_log`; only then is the outbox
 * cleared. A crash in between leaves the outbox, whose replay collides in
 * `flush_log` and is rolled back, so it is cleared without counting twice.
 *
 * A batch that D1 refuses REFUSALS_BEFORE_SPLIT times while it answers is
 * claimed in `flush_log` (so that it can never commit late) and split in two
 * new batches, and so on down to single rows; a single row refused again is
 * set aside in D1's `set_aside_rows`, where the dashboard shows it. So one bad
 * row costs its own count, visibly, and never blocks the shard.
 */
export async function flushOutbox(storage: DurableObjectStorage, flush: FlushContext): Promise<void> {
  for (let i = 0; i < BATCHES_PER_ALARM; i++) {
    const seq = oldestOutboxSeq(storage.sql) ?? sealBatch(storage);
    if (seq === null) break;
    await sendBatch(storage, flush, seq);
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

/** A new batch sequence number, one above the last. */
const nextSeq = (sql: SqlStorage): number =>
  sql
    .exec<{ value: number }>(
      `INSERT INTO state (key, value) VALUES ('next_seq', 2)
       ON CONFLICT (key) DO UPDATE SET value = value + 1 RETURNING value`,
    )
    .one().value - 1;

/** Moves up to ARTICLES_PER_BATCH articles' pending rows into a new outbox batch. */
function sealBatch(storage: DurableObjectStorage): number | null {
  const sql = storage.sql;
  return storage.transactionSync(() => {
    const articles = sql
      .exec<{ site: string; site_created_at: string; url: string }>(
        `SELECT site, site_created_at, url FROM pending
         UNION SELECT site, site_created_at, url FROM pending_meta LIMIT ?`,
        ARTICLES_PER_BATCH,
      )
      .toArray();
    if (articles.length === 0) return null;
    const seq = nextSeq(sql);
    const article = 'WHERE site = ? AND site_created_at = ? AND url = ?';
    for (const { site, site_created_at, url } of articles) {
      sql.exec(
        `INSERT INTO outbox SELECT ?, site, site_created_at, url, bucket, network, n FROM pending ${article}`,
        seq,
        site,
        site_created_at,
        url,
      );
      sql.exec(
        `INSERT INTO outbox_meta
         SELECT ?, site, site_created_at, url, title, image, section, published, bucket FROM pending_meta ${article}`,
        seq,
        site,
        site_created_at,
        url,
      );
      sql.exec(`DELETE FROM pending ${article}`, site, site_created_at, url);
      sql.exec(`DELETE FROM pending_meta ${article}`, site, site_created_at, url);
    }
    return seq;
  });
}

interface OutboxBatch {
  counts: CountRow[];
  metas: MetaRow[];
}

function readBatch(sql: SqlStorage, seq: number): OutboxBatch {
  const counts = sql
    .exec<CountRow & Record<string, SqlStorageValue>>(
      `SELECT site, site_created_at AS siteCreatedAt, url, bucket, network, n FROM outbox WHERE seq = ?
       ORDER BY site, site_created_at, url, bucket, network`,
      seq,
    )
    .toArray();
  const metas = sql
    .exec<MetaRow & Record<string, SqlStorageValue>>(
      `SELECT site, site_created_at AS siteCreatedAt, url, title, image, section, published, bucket
       FROM outbox_meta WHERE seq = ? ORDER BY site, site_created_at, url`,
      seq,
    )
    .toArray();
  return { counts, metas };
}

function writeBatch(sql: SqlStorage, seq: number, { counts, metas }: OutboxBatch): void {
  for (const c of counts) {
    sql.exec(
      'INSERT INTO outbox VALUES (?, ?, ?, ?, ?, ?, ?)',
      seq,
      c.site,
      c.siteCreatedAt,
      c.url,
      c.bucket,
      c.network,
      c.n,
    );
  }
  for (const m of metas) {
    sql.exec(
      'INSERT INTO outbox_meta VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      seq,
      m.site,
      m.siteCreatedAt,
      m.url,
      m.title,
      m.image,
      m.section,
      m.published,
      m.bucket,
    );
  }
}

function clearBatch(sql: SqlStorage, seq: number): void {
  sql.exec('DELETE FROM outbox WHERE seq = ?', seq);
  sql.exec('DELETE FROM outbox_meta WHERE seq = ?', seq);
  sql.exec('DELETE FROM outbox_refusals WHERE seq = ?', seq);
}

/** Counts one more refusal of batch `seq`; answers how many there were. */
const countRefusal = (sql: SqlStorage, seq: number): number =>
  sql
    .exec<{ refusals: number }>(
      `INSERT INTO outbox_refusals (seq, refusals) VALUES (?, 1)
       ON CONFLICT (seq) DO UPDATE SET refusals = refusals + 1 RETURNING refusals`,
      seq,
    )
    .one().refusals;

/** Sends outbox batch `seq` to D1, then clears it. Throws, keeping it, if D1 fails. */
async function sendBatch(storage: DurableObjectStorage, flush: FlushContext, seq: number): Promise<void> {
  const { db, source } = flush;
  const batch = readBatch(storage.sql, seq);
  try {
    await withTimeout(applyFlush(db, flushQueries(source, seq, toFlushBatch(batch.counts, batch.metas), Date.now())));
  } catch (err) {
    // A replay of a committed batch (or a commit whose answer was lost) fails
    // on flush_log's key: then the batch is in D1 already. The check throws
    // when D1 does not answer, which the shard retries later as it is.
    if (!(await withTimeout(isFlushCommitted(db, source, seq)))) {
      await refused(storage, flush, seq, batch, err);
      return;
    }
  }
  clearBatch(storage.sql, seq);
}

/**
 * Batch `seq` was refused while D1 answers: retried as it is at first (throws
 * `err`), then split in two, and a single row set aside.
 */
async function refused(
  storage: DurableObjectStorage,
  flush: FlushContext,
  seq: number,
  batch: OutboxBatch,
  err: unknown,
): Promise<void> {
  if (countRefusal(storage.sql, seq) < REFUSALS_BEFORE_SPLIT) throw err;
  if (batch.counts.length + batch.metas.length === 1) {
    await setAside(storage.sql, flush, seq, batch, err);
    return;
  }
  if (!(await withTimeout(claimFlush(flush.db, flush.source, seq, Date.now())))) {
    clearBatch(storage.sql, seq); // It committed after all.
    return;
  }
  const [first, second] = halves(batch);
  const sql = storage.sql;
  storage.transactionSync(() => {
    clearBatch(sql, seq);
    for (const half of [first, second]) {
      const halfSeq = nextSeq(sql);
      writeBatch(sql, halfSeq, half);
      // Half of a batch refused that often is split at its first refusal.
      sql.exec('INSERT INTO outbox_refusals (seq, refusals) VALUES (?, ?)', halfSeq, REFUSALS_BEFORE_SPLIT - 1);
    }
  });
}

/** A batch of two or more rows as two batches of about half as many, rows in order. */
export function halves({ counts, metas }: OutboxBatch): [OutboxBatch, OutboxBatch] {
  const half = Math.ceil((counts.length + metas.length) / 2);
  return [
    { counts: counts.slice(0, half), metas: metas.slice(0, Math.max(0, half - counts.length)) },
    { counts: counts.slice(half), metas: metas.slice(Math.max(0, half - counts.length)) },
  ];
}

/** Sets aside the single row of batch `seq`, with the error D1 refused it with, and clears the batch. */
async function setAside(
  sql: SqlStorage,
  flush: FlushContext,
  seq: number,
  { counts, metas }: OutboxBatch,
  err: unknown,
): Promise<void> {
  const count = counts[0];
  const meta = metas[0];
  const row: SetAsideRow = count
    ? { ...count, title: null, image: null, section: null, published: null }
    : { ...meta!, network: null, n: null };
  const { db, source } = flush;
  try {
    await withTimeout(applyFlush(db, setAsideQueries(source, seq, row, String(err), Date.now())));
  } catch (setAsideErr) {
    if (!(await withTimeout(isFlushCommitted(db, source, seq)))) throw setAsideErr;
  }
  console.error(`shard set aside a row D1 kept refusing: ${row.site} ${row.url}`, err);
  clearBatch(sql, seq);
}
