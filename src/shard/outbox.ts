import {
  applyFlush,
  claimFlush,
  type FlushSource,
  flushQueries,
  type LedgerDelta,
  readFlushState,
  type SiteIncarnation,
} from '../db/counts';
import { type SetAsideRow, setAsideQueries } from '../db/set-aside';
import { dayOfBucket } from '../time';
import { ARTICLES_PER_BATCH, type CountRow, READ_COUNTER, toFlushBatch } from './batch';
import type { Journal } from './journal';
import { reserveSeqs } from './shard-state';

/** Ledger rows (site, day, outcome) per D1 batch: as ARTICLES_PER_BATCH, well under D1's per-invocation query limit. */
const LEDGER_ROWS_PER_BATCH = 100;
const BATCHES_PER_ALARM = 10;
/** How long a D1 call of a flush may take before D1 is taken as unavailable. */
export const D1_TIMEOUT_MS = 30_000;
/**
 * Refusals (isDefiniteRefusal) of one batch before the shard stops sending it
 * as it is: a batch of several rows is then split in two, a single row set
 * aside. With the backoff between attempts, eight take about four minutes, in
 * which a refusal that passes (a migration under way) passes.
 */
export const REFUSALS_BEFORE_GIVING_UP = 8;

/**
 * Whether D1 refused the batch itself, and so will refuse it again: an error
 * D1 reports for a statement it ran, with SQLite's result code
 * ("D1_ERROR: UNIQUE constraint failed: …: SQLITE_CONSTRAINT", "no such
 * column …: SQLITE_ERROR", a value too big or of the wrong type), or a value
 * it cannot bind (D1_TYPE_ERROR). Anything else says nothing of the batch and
 * is only retried: the shard's own timeout, "Network connection lost.", "D1 DB
 * is overloaded…", "…storage caused object to be reset", "…reset because its
 * code was updated" (none of which carries a result code), and the result
 * codes of a busy, locked, full or failing database.
 */
export const isDefiniteRefusal = (err: unknown): boolean =>
  err instanceof Error &&
  (err.message.startsWith('D1_TYPE_ERROR: ') ||
    /^D1_ERROR: .*: SQLITE_(CONSTRAINT|ERROR|TOOBIG|MISMATCH|RANGE)\b/s.test(err.message));

/** What a flush needs besides the shard's storage. */
export interface FlushContext {
  db: D1Database;
  source: FlushSource;
  /** The counted events' increments, held in their dedup rows. */
  journal: Journal;
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

/** The shard's tables of event counts per site incarnation, URL, hour and network. */
type EventCountTable = 'pending' | 'held';

/** Events of one hour and counter: the views (''), the reads (READ_COUNTER) or the shares on one network. */
export type HourNetworkCount = { bucket: number; network: string; n: number };

/**
 * Adds `count` to `table`'s events of a URL: the pending increments, or the
 * events held while their page is checked (held-events.ts).
 */
export function addEventCount(
  sql: SqlStorage,
  table: EventCountTable,
  { site, siteCreatedAt }: SiteIncarnation,
  url: string,
  { bucket, network, n }: HourNetworkCount,
): void {
  sql.exec(
    `INSERT INTO ${table} (site, site_created_at, url, bucket, network, n) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (site, site_created_at, url, bucket, network) DO UPDATE SET n = n + excluded.n`,
    site,
    siteCreatedAt,
    url,
    bucket,
    network,
    n,
  );
}

/** The function that adds one event of a URL, hour and network to `table`. */
export const oneEventAdder =
  (table: EventCountTable) =>
  (sql: SqlStorage, incarnation: SiteIncarnation, url: string, bucket: number, network: string): void =>
    addEventCount(sql, table, incarnation, url, { bucket, network, n: 1 });

/** Adds `n` events of a site, day and outcome to the pending ledger. */
export function bufferLedger(sql: SqlStorage, { site, siteCreatedAt, day, outcome, n }: LedgerDelta): void {
  sql.exec(
    `INSERT INTO pending_ledger (site, site_created_at, day, outcome, n) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (site, site_created_at, day, outcome) DO UPDATE SET n = n + excluded.n`,
    site,
    siteCreatedAt,
    day,
    outcome,
    n,
  );
}

export const hasPending = (sql: SqlStorage, journal: Journal): boolean =>
  journal.hasOpen() ||
  sql
    .exec('SELECT 1 FROM pending UNION ALL SELECT 1 FROM held UNION ALL SELECT 1 FROM pending_ledger LIMIT 1')
    .toArray().length > 0;

export const hasOutbox = (sql: SqlStorage): boolean =>
  sql
    .exec('SELECT 1 FROM outbox UNION ALL SELECT 1 FROM outbox_ledger UNION ALL SELECT 1 FROM journal_batches LIMIT 1')
    .toArray().length > 0;

/**
 * Sends up to BATCHES_PER_ALARM batches to D1: first each batch left in the
 * outbox by earlier flushes, once, then new batches sealed from the pending
 * rows and the journal while the outbox holds fewer than BATCHES_PER_ALARM.
 * Throws, keeping the batch being sent in the outbox, if D1 fails; and at the
 * end if D1 refused a batch, so that the shard backs off before sending it
 * again.
 *
 * Flush protocol: pending rows are sealed into an outbox batch with a new
 * sequence number, and the journal's open increments into parts with their
 * own (./journal.ts), which the outbox holds as ranges of the journal; the
 * batch goes to D1 as one transaction that starts by inserting
 * `(shard, epoch, seq)` into `flush_log`; only then is the outbox cleared.
 * A crash in between leaves the outbox, whose replay collides in `flush_log`
 * and is rolled back, so it is cleared without counting twice.
 *
 * A batch that D1 refuses (isDefiniteRefusal) REFUSALS_BEFORE_GIVING_UP times
 * is claimed in `flush_log` (so that it can never commit late) and split in
 * two new batches, each split again at its next refusal, down to single rows;
 * a single row refused REFUSALS_BEFORE_GIVING_UP times on its own is set aside
 * in D1's `set_aside_rows`, where the dashboard shows it (a ledger row is
 * dropped and logged). A batch found claimed, its split not made, is split
 * then. The other batches go on meanwhile, past one D1 refuses (which has
 * no row in `flush_log` that a later batch's pruning could take): so one bad
 * row costs its own count, visibly, and never blocks the shard.
 */
export async function flushOutbox(storage: DurableObjectStorage, flush: FlushContext): Promise<void> {
  const sql = storage.sql;
  // Batches a split makes now wait for the next attempt, after the backoff.
  const waiting = outboxSeqs(sql);
  let refusal: Refusal | null = null;
  for (let i = 0; i < BATCHES_PER_ALARM; i++) {
    if (waiting.length === 0 && outboxSeqs(sql).length < BATCHES_PER_ALARM) {
      waiting.push(...sealBatches(storage, flush.journal));
    }
    const seq = waiting.shift();
    if (seq === undefined) break;
    const refused = await sendBatch(storage, flush, seq);
    refusal ??= refused;
  }
  if (refusal) throw refusal.err;
}

/** The outbox's batches, oldest first. */
const outboxSeqs = (sql: SqlStorage): number[] =>
  sql
    .exec<{ seq: number }>(
      'SELECT seq FROM outbox UNION SELECT seq FROM outbox_ledger UNION SELECT seq FROM journal_batches ORDER BY seq',
    )
    .toArray()
    .map((row) => row.seq);

/** A new batch sequence number, one above the last. */
const nextSeq = (sql: SqlStorage): number => reserveSeqs(sql, 1);

/**
 * Seals new batches in one transaction: the pending rows' (sealPending),
 * and the journal's open increments in parts. Answers their numbers.
 */
function sealBatches(storage: DurableObjectStorage, journal: Journal): number[] {
  const sql = storage.sql;
  try {
    return storage.transactionSync(() => {
      const pending = sealPending(sql);
      return [...(pending === null ? [] : [pending]), ...journal.seal()];
    });
  } catch (err) {
    journal.forget();
    throw err;
  }
}

/**
 * Moves what the journal holds out of it, as the dedup rows that hold it are
 * about to be dropped: its sealed parts into the outbox under their own
 * numbers, its open increments into the pending rows.
 */
export function moveJournalOut(storage: DurableObjectStorage, journal: Journal): void {
  const sql = storage.sql;
  try {
    storage.transactionSync(() => {
      for (const seq of journal.sealedSeqs()) {
        writeBatch(sql, seq, { counts: journal.rowsOf(seq), ledger: [] });
        journal.forgetPart(seq);
      }
      for (const row of journal.takeOpen()) addEventCount(sql, 'pending', row, row.url, row);
    });
  } catch (err) {
    journal.forget();
    throw err;
  }
}

/**
 * Moves up to ARTICLES_PER_BATCH articles' pending rows, and up to
 * LEDGER_ROWS_PER_BATCH pending ledger rows, into a new outbox batch; inside
 * its caller's transaction.
 */
function sealPending(sql: SqlStorage): number | null {
  const articles = sql
    .exec<{ site: string; site_created_at: string; url: string }>(
      'SELECT DISTINCT site, site_created_at, url FROM pending LIMIT ?',
      ARTICLES_PER_BATCH,
    )
    .toArray();
  const ledger = sql
    .exec<LedgerDelta & Record<string, SqlStorageValue>>(
      'SELECT site, site_created_at AS siteCreatedAt, day, outcome, n FROM pending_ledger LIMIT ?',
      LEDGER_ROWS_PER_BATCH,
    )
    .toArray();
  if (articles.length === 0 && ledger.length === 0) return null;
  const seq = nextSeq(sql);
  for (const row of ledger) {
    writeLedgerRow(sql, seq, row);
    sql.exec(
      'DELETE FROM pending_ledger WHERE site = ? AND site_created_at = ? AND day = ? AND outcome = ?',
      row.site,
      row.siteCreatedAt,
      row.day,
      row.outcome,
    );
  }
  const article = 'WHERE site = ? AND site_created_at = ? AND url = ?';
  for (const { site, site_created_at, url } of articles) {
    sql.exec(
      `INSERT INTO outbox SELECT ?, site, site_created_at, url, bucket, network, n FROM pending ${article}`,
      seq,
      site,
      site_created_at,
      url,
    );
    sql.exec(`DELETE FROM pending ${article}`, site, site_created_at, url);
  }
  return seq;
}

interface OutboxBatch {
  counts: CountRow[];
  ledger: LedgerDelta[];
}

const writeLedgerRow = (sql: SqlStorage, seq: number, l: LedgerDelta): void => {
  sql.exec(
    `INSERT INTO outbox_ledger VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (seq, site, site_created_at, day, outcome) DO UPDATE SET n = n + excluded.n`,
    seq,
    l.site,
    l.siteCreatedAt,
    l.day,
    l.outcome,
    l.n,
  );
};

/** Batch `seq`: its outbox rows, or its journal part's (./journal.ts), and its ledger rows. */
function readBatch(sql: SqlStorage, journal: Journal, seq: number): OutboxBatch {
  const stored = sql
    .exec<CountRow & Record<string, SqlStorageValue>>(
      `SELECT site, site_created_at AS siteCreatedAt, url, bucket, network, n FROM outbox WHERE seq = ?
       ORDER BY site, site_created_at, url, bucket, network`,
      seq,
    )
    .toArray();
  const ledger = sql
    .exec<LedgerDelta & Record<string, SqlStorageValue>>(
      `SELECT site, site_created_at AS siteCreatedAt, day, outcome, n FROM outbox_ledger WHERE seq = ?
       ORDER BY site, site_created_at, day, outcome`,
      seq,
    )
    .toArray();
  return { counts: [...stored, ...journal.rowsOf(seq)], ledger };
}

function writeBatch(sql: SqlStorage, seq: number, { counts, ledger }: OutboxBatch): void {
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
  for (const l of ledger) writeLedgerRow(sql, seq, l);
}

function clearBatch(sql: SqlStorage, journal: Journal, seq: number): void {
  journal.forgetPart(seq);
  sql.exec('DELETE FROM outbox WHERE seq = ?', seq);
  sql.exec('DELETE FROM outbox_ledger WHERE seq = ?', seq);
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

/** A refusal by D1 of a batch the shard keeps, as it is or split. */
interface Refusal {
  err: unknown;
}

const rowsIn = ({ counts, ledger }: OutboxBatch): number => counts.length + ledger.length;

/**
 * Sends outbox batch `seq` to D1, then clears it. Answers D1's refusal if D1
 * refused it (the batch kept, or split); throws, keeping it, if D1 failed
 * otherwise.
 */
async function sendBatch(storage: DurableObjectStorage, flush: FlushContext, seq: number): Promise<Refusal | null> {
  const { db, source } = flush;
  const batch = readBatch(storage.sql, flush.journal, seq);
  try {
    // The ledger's counted events are the batch's own increments: whatever half of a split or row set aside
    // the batch is, its figures go with it.
    const ledger = [...batch.ledger, ...countedLedger(batch.counts)];
    await withTimeout(applyFlush(db, flushQueries(source, seq, toFlushBatch(batch.counts, ledger), Date.now())));
  } catch (err) {
    // A batch already applied (its answer lost, or the shard gone before
    // clearing it) or claimed fails on flush_log's key; its row there says
    // which. The check throws when D1 does not answer, and the shard retries
    // later as it is.
    const state = await withTimeout(readFlushState(db, source, seq));
    if (state === 'claimed') {
      giveUp(storage, flush.journal, seq, batch, err);
      return null;
    }
    if (state === null) {
      if (!isDefiniteRefusal(err)) throw err;
      return refused(storage, flush, seq, batch, err);
    }
  }
  clearBatch(storage.sql, flush.journal, seq);
  return null;
}

/**
 * Batch `seq` was refused (`err`): kept as it is at first, then split in two,
 * or its single row set aside. Answers the refusal while the batch or its
 * halves stay in the outbox.
 */
async function refused(
  storage: DurableObjectStorage,
  flush: FlushContext,
  seq: number,
  batch: OutboxBatch,
  err: unknown,
): Promise<Refusal | null> {
  if (countRefusal(storage.sql, seq) < REFUSALS_BEFORE_GIVING_UP) return { err };
  if (rowsIn(batch) === 1 && batch.ledger.length === 0) {
    await setAside(storage.sql, flush, seq, batch, err);
    return null;
  }
  if ((await withTimeout(claimFlush(flush.db, flush.source, seq, Date.now()))) === 'applied') {
    clearBatch(storage.sql, flush.journal, seq); // It committed after all.
    return null;
  }
  giveUp(storage, flush.journal, seq, batch, err);
  return rowsIn(batch) > 1 ? { err } : null;
}

/**
 * Gives up batch `seq`, claimed in flush_log: splits it in two new batches,
 * in one transaction with its clearing; or drops its single row, which can
 * only be a ledger row (a single increment is set aside, not claimed), and logs it. The ledger reports counts and holds none, so its row
 * is not set aside with them: the error log names it.
 */
function giveUp(storage: DurableObjectStorage, journal: Journal, seq: number, batch: OutboxBatch, err: unknown): void {
  const sql = storage.sql;
  if (rowsIn(batch) === 1) {
    const row = batch.ledger[0]!;
    console.error(
      `shard dropped a ledger row D1 kept refusing: ${row.site} day ${row.day} ${row.outcome} ${row.n}`,
      err,
    );
    clearBatch(sql, journal, seq);
    return;
  }
  storage.transactionSync(() => {
    clearBatch(sql, journal, seq);
    for (const half of halves(batch)) {
      const halfSeq = nextSeq(sql);
      writeBatch(sql, halfSeq, half);
      // Rows refused that often split again at their next refusal; a single
      // row is refused REFUSALS_BEFORE_GIVING_UP times on its own before it is set aside.
      if (rowsIn(half) > 1) {
        sql.exec('INSERT INTO outbox_refusals (seq, refusals) VALUES (?, ?)', halfSeq, REFUSALS_BEFORE_GIVING_UP - 1);
      }
    }
  });
}

/** A batch of two or more rows as two batches of about half as many, rows in order (counts, then ledger). */
export function halves({ counts, ledger }: OutboxBatch): [OutboxBatch, OutboxBatch] {
  const half = Math.ceil((counts.length + ledger.length) / 2);
  // Where the first half ends within the ledger, the lists taken one after another.
  const ledgerCut = Math.max(0, half - counts.length);
  return [
    { counts: counts.slice(0, half), ledger: ledger.slice(0, ledgerCut) },
    { counts: counts.slice(half), ledger: ledger.slice(ledgerCut) },
  ];
}

/** Sets aside the single row of batch `seq`, with the error D1 refused it with, and clears the batch. */
async function setAside(
  sql: SqlStorage,
  flush: FlushContext,
  seq: number,
  { counts }: OutboxBatch,
  err: unknown,
): Promise<void> {
  const row: SetAsideRow = { ...counts[0]!, title: null, image: null, section: null, published: null };
  const { db, source } = flush;
  try {
    await withTimeout(applyFlush(db, setAsideQueries(source, seq, row, String(err), Date.now())));
  } catch (setAsideErr) {
    if ((await withTimeout(readFlushState(db, source, seq))) === null) throw setAsideErr;
  }
  console.error(`shard set aside a row D1 kept refusing: ${row.site} ${row.url}`, err);
  clearBatch(sql, flush.journal, seq);
}

/** The ledger rows of counted events: increments summed per site, UTC day of their hour, and view, read or share. */
export function countedLedger(counts: readonly CountRow[]): LedgerDelta[] {
  const rows = new Map<string, LedgerDelta>();
  for (const { site, siteCreatedAt, bucket, network, n } of counts) {
    const day = dayOfBucket(bucket);
    const outcome = network === '' ? 'view' : network === READ_COUNTER ? 'read' : 'share';
    const key = JSON.stringify([site, siteCreatedAt, day, outcome]);
    const row = rows.get(key) ?? { site, siteCreatedAt, day, outcome, n: 0 };
    row.n += n;
    rows.set(key, row);
  }
  return [...rows.values()];
}
