import { DurableObject } from 'cloudflare:workers';
import type { ArticleMetadata } from '../articles/metadata';
import { applyFlush, flushQueries, isFlushCommitted } from '../db/counts';
import { DAY_MS, bucketOf, dayOf } from '../time';
import { dedupKey, newSalt, visitorHash } from '../ingest/visitor';
import { readConfig } from '../config';
import { toFlushBatch, type CountRow, type MetaRow } from './batch';

/** An event as a shard receives it: validated, normalised, its site's origin checked. */
export interface ShardEvent extends ArticleMetadata {
  site: string;
  url: string;
  type: 'view' | 'share';
  network: string; // '' for a view
  /** The site's `max_events_per_second` setting. */
  siteMaxPerSecond: number;
}

export interface RecordRequest {
  receivedMs: number;
  // Used for the visitor hash only, in memory: never stored.
  ip: string;
  userAgent: string;
  events: ShardEvent[];
}

/** Articles per D1 batch: keeps one batch's statements well under D1's per-invocation query limit. */
const ARTICLES_PER_BATCH = 100;
const BATCHES_PER_ALARM = 10;
const FIRST_RETRY_MS = 2_000;
const MAX_RETRY_MS = 5 * 60_000;
const D1_TIMEOUT_MS = 30_000;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS salts (day INTEGER PRIMARY KEY, salt TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS seen (day INTEGER NOT NULL, key TEXT NOT NULL, PRIMARY KEY (day, key)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS pending (
    site TEXT NOT NULL, url TEXT NOT NULL, bucket INTEGER NOT NULL, network TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (site, url, bucket, network)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS pending_meta (
    site TEXT NOT NULL, url TEXT NOT NULL, title TEXT, image TEXT, section TEXT, published TEXT, bucket INTEGER NOT NULL,
    PRIMARY KEY (site, url)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER NOT NULL, site TEXT NOT NULL, url TEXT NOT NULL, bucket INTEGER NOT NULL, network TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (seq, site, url, bucket, network)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS outbox_meta (
    seq INTEGER NOT NULL, site TEXT NOT NULL, url TEXT NOT NULL, title TEXT, image TEXT, section TEXT, published TEXT, bucket INTEGER NOT NULL,
    PRIMARY KEY (seq, site, url)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

interface KeyedEvent {
  event: ShardEvent;
  day: number;
  bucket: number;
  second: number;
  key: string;
}

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`D1 did not answer within ${ms} ms`)), ms)),
  ]);

/**
 * One counter shard. It dedups events per visitor and day, buffers their
 * increments in its own SQLite storage (durable before the Worker answers 202),
 * and flushes them to D1 from an alarm, in batches that are safe to replay.
 *
 * Flush protocol: pending rows are sealed into an outbox batch with a new
 * sequence number; the batch goes to D1 as one transaction that starts by
 * inserting `(shard, seq)` into `flush_log`; only then is the outbox cleared. A
 * crash in between leaves the outbox, whose replay collides in `flush_log` and
 * is rolled back, so it is cleared without counting twice.
 */
export class CounterShard extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private salt: { day: number; value: string } | undefined;
  /** When the next alarm fires, as far as this instance knows; undefined until read. */
  private alarmAt: number | null | undefined;
  private failedFlushes = 0;
  /** Events counted per site in the current second: the site ceiling, approximate across evictions. */
  private readonly admitted = new Map<string, { second: number; count: number }>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
  }

  /**
   * Dedups and buffers the events of one or more beacons in one transaction;
   * answers how many events of each beacon were counted.
   */
  async record(beacons: RecordRequest[]): Promise<number[]> {
    const keyed: KeyedEvent[][] = [];
    for (const { receivedMs, ip, userAgent, events } of beacons) {
      const day = dayOf(receivedMs);
      const bucket = bucketOf(receivedMs);
      const salt = this.saltFor(day);
      const visitors = new Map<string, string>();
      const beaconKeys = [];
      for (const event of events) {
        let visitor = visitors.get(event.site);
        if (visitor === undefined) {
          visitor = await visitorHash(salt, event.site, ip, userAgent);
          visitors.set(event.site, visitor);
        }
        // 128 bits of the hash are plenty to keep keys apart and halve their storage.
        const key = (await dedupKey(visitor, event.url, event.type, event.network)).slice(0, 32);
        beaconKeys.push({ event, day, bucket, second: Math.floor(receivedMs / 1000), key });
      }
      keyed.push(beaconKeys);
    }

    const counted = this.ctx.storage.transactionSync(() => keyed.map((beaconKeys) => beaconKeys.filter((k) => this.buffer(k)).length));
    await this.flushWithin(readConfig(this.env).flushMs);
    return counted;
  }

  /**
   * Buffers one event: its increment when its dedup key is new and the site is
   * under its ceiling this second, its metadata always. Answers whether it counted.
   */
  private buffer({ event, day, bucket, second, key }: KeyedEvent): boolean {
    const { site, url, network, title, image, section, published } = event;
    let isNew = this.sql.exec('INSERT OR IGNORE INTO seen (day, key) VALUES (?, ?)', day, key).rowsWritten > 0;
    if (isNew && !this.admit(site, second, event.siteMaxPerSecond)) {
      // Not counted, so not seen either: the visitor may still count later today.
      this.sql.exec('DELETE FROM seen WHERE day = ? AND key = ?', day, key);
      isNew = false;
    }
    if (isNew) {
      this.sql.exec(
        `INSERT INTO pending (site, url, bucket, network, n) VALUES (?, ?, ?, ?, 1)
         ON CONFLICT (site, url, bucket, network) DO UPDATE SET n = n + 1`,
        site, url, bucket, network,
      );
    }
    if (title !== null || image !== null || section !== null || published !== null) {
      this.sql.exec(
        `INSERT INTO pending_meta (site, url, title, image, section, published, bucket) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (site, url) DO UPDATE SET
           title = coalesce(excluded.title, title), image = coalesce(excluded.image, image),
           section = coalesce(excluded.section, section), published = coalesce(excluded.published, published)`,
        site, url, title, image, section, published, bucket,
      );
    }
    return isNew;
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    try {
      for (let i = 0; i < BATCHES_PER_ALARM; i++) {
        const seq = this.oldestOutboxSeq() ?? this.sealBatch();
        if (seq === null) break;
        await this.send(seq);
      }
      this.failedFlushes = 0;
    } catch (err) {
      // Handled here rather than rethrown: the runtime gives up on an alarm after
      // a few retries, and the outbox must wait as long as D1 is down.
      this.failedFlushes++;
      console.error(`shard flush failed (attempt ${this.failedFlushes}); will retry`, err);
    }
    this.dropExpiredDedupState(Date.now());
    await this.scheduleNext(Date.now());
  }

  /** Takes one of the site's events for `second` if the site is under its ceiling. */
  private admit(site: string, second: number, maxPerSecond: number): boolean {
    let window = this.admitted.get(site);
    if (window?.second !== second) {
      window = { second, count: 0 };
      this.admitted.set(site, window);
    }
    if (window.count >= maxPerSecond) return false;
    window.count++;
    return true;
  }

  /** Today's salt, made at the first event of the UTC day. */
  private saltFor(day: number): string {
    if (this.salt?.day === day) return this.salt.value;
    let value = this.sql.exec<{ salt: string }>('SELECT salt FROM salts WHERE day = ?', day).toArray()[0]?.salt;
    if (value === undefined) {
      value = newSalt();
      this.sql.exec('INSERT INTO salts (day, salt) VALUES (?, ?)', day, value);
    }
    this.salt = { day, value };
    return value;
  }

  /** Salts are deleted 48 hours after their day began; dedup keys when their day ends. */
  private dropExpiredDedupState(nowMs: number): void {
    const today = dayOf(nowMs);
    this.sql.exec('DELETE FROM seen WHERE day < ?', today);
    this.sql.exec('DELETE FROM salts WHERE day < ?', today - 1);
    if (this.salt && this.salt.day < today - 1) this.salt = undefined;
  }

  private oldestOutboxSeq(): number | null {
    const row = this.sql
      .exec<{ seq: number | null }>(
        'SELECT min(seq) AS seq FROM (SELECT seq FROM outbox UNION ALL SELECT seq FROM outbox_meta)',
      )
      .one();
    return row.seq;
  }

  /** Moves up to ARTICLES_PER_BATCH articles' pending rows into a new outbox batch. */
  private sealBatch(): number | null {
    return this.ctx.storage.transactionSync(() => {
      const articles = this.sql
        .exec<{ site: string; url: string }>(
          'SELECT site, url FROM pending UNION SELECT site, url FROM pending_meta LIMIT ?',
          ARTICLES_PER_BATCH,
        )
        .toArray();
      if (articles.length === 0) return null;
      const seq = this.sql
        .exec<{ value: number }>(
          `INSERT INTO state (key, value) VALUES ('next_seq', 2)
           ON CONFLICT (key) DO UPDATE SET value = value + 1 RETURNING value`,
        )
        .one().value - 1;
      for (const { site, url } of articles) {
        this.sql.exec(
          'INSERT INTO outbox SELECT ?, site, url, bucket, network, n FROM pending WHERE site = ? AND url = ?',
          seq, site, url,
        );
        this.sql.exec(
          'INSERT INTO outbox_meta SELECT ?, site, url, title, image, section, published, bucket FROM pending_meta WHERE site = ? AND url = ?',
          seq, site, url,
        );
        this.sql.exec('DELETE FROM pending WHERE site = ? AND url = ?', site, url);
        this.sql.exec('DELETE FROM pending_meta WHERE site = ? AND url = ?', site, url);
      }
      return seq;
    });
  }

  /** Sends outbox batch `seq` to D1, then clears it. Throws, keeping it, if D1 fails. */
  private async send(seq: number): Promise<void> {
    const counts = this.sql
      .exec<CountRow & Record<string, SqlStorageValue>>('SELECT site, url, bucket, network, n FROM outbox WHERE seq = ?', seq)
      .toArray();
    const metas = this.sql
      .exec<MetaRow & Record<string, SqlStorageValue>>(
        'SELECT site, url, title, image, section, published, bucket FROM outbox_meta WHERE seq = ?',
        seq,
      )
      .toArray();
    const shard = this.ctx.id.toString();
    const db = this.env.DB;
    try {
      await withTimeout(applyFlush(db, flushQueries(shard, seq, toFlushBatch(counts, metas), Date.now())), D1_TIMEOUT_MS);
    } catch (err) {
      // A replay of a committed batch (or a commit whose answer was lost) fails
      // on flush_log's key: then the batch is in D1 already.
      if (!(await withTimeout(isFlushCommitted(db, shard, seq), D1_TIMEOUT_MS))) throw err;
    }
    this.sql.exec('DELETE FROM outbox WHERE seq = ?', seq);
    this.sql.exec('DELETE FROM outbox_meta WHERE seq = ?', seq);
  }

  private hasRows(table: 'pending' | 'pending_meta' | 'outbox' | 'outbox_meta' | 'salts'): boolean {
    return this.sql.exec(`SELECT 1 FROM ${table} LIMIT 1`).toArray().length > 0;
  }

  /** Makes sure an alarm fires within `ms` from now. */
  private async flushWithin(ms: number): Promise<void> {
    const due = Date.now() + ms;
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (this.alarmAt === null || this.alarmAt > due) {
      await this.ctx.storage.setAlarm(due);
      this.alarmAt = due;
    }
  }

  private async scheduleNext(nowMs: number): Promise<void> {
    const { flushMs } = readConfig(this.env);
    let at: number | null = null;
    if (this.hasRows('outbox') || this.hasRows('outbox_meta')) {
      at = this.failedFlushes > 0 ? nowMs + Math.min(FIRST_RETRY_MS * 2 ** (this.failedFlushes - 1), MAX_RETRY_MS) : nowMs;
    } else if (this.hasRows('pending') || this.hasRows('pending_meta')) {
      at = nowMs + flushMs;
    } else if (this.hasRows('salts')) {
      // Wake at midnight UTC to drop expired salts and dedup keys even when idle.
      at = (dayOf(nowMs) + 1) * DAY_MS;
    }
    if (at === null) {
      await this.ctx.storage.deleteAlarm();
    } else {
      await this.ctx.storage.setAlarm(at);
    }
    this.alarmAt = at;
  }
}
