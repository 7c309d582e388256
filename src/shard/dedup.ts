import { sha256Hex } from '../hashing/hex';
import { ipScope } from '../ingest/ip-scope';
import { dedupKey, newSalt, visitorHash } from '../ingest/visitor';
import { dayOf } from '../time';
import type { Increment } from './batch';

/**
 * How long after its UTC day ends a day's dedup keys are kept. A beacon is
 * stamped when the Worker receives it, and may then wait for its site (KV,
 * D1), the flood guard, up to 5 s in group commit (PATIENCE_MS in
 * ./shard-client) and its RPC: seconds. Five minutes is far beyond that;
 * an event of a day closed even so is not counted (`isDayClosed`), so a key
 * is never dropped while an event of its day can still count.
 */
export const DEDUP_GRACE_MS = 5 * 60_000;

/** The oldest UTC day whose events still count at `nowMs`: today, or yesterday within DEDUP_GRACE_MS of midnight. */
const oldestOpenDay = (nowMs: number): number => dayOf(nowMs - DEDUP_GRACE_MS);

/** Whether events of `day` no longer count at `nowMs`: their dedup keys may be gone. */
export const isDayClosed = (day: number, nowMs: number): boolean => day < oldestOpenDay(nowMs);

/** The dedup tables, one per parity of the day (storage-schema.ts step 9). */
export const SEEN_TABLES = ['seen_even', 'seen_odd'] as const;

/** The table of `day`'s dedup rows. */
export const seenTable = (day: number): (typeof SEEN_TABLES)[number] => SEEN_TABLES[day % 2]!;

/** What an event's dedup key is made of, besides the visitor. */
export interface DedupFields {
  site: string;
  url: string;
  type: 'view' | 'share' | 'read';
  network: string;
  /** The popular box link the page was opened from (`sp_from`), or null. */
  from: string | null;
}

/** What the shard looks up and marks of one event's visitor on its day. */
export interface DedupKeys {
  /** The event's own: the visitor's, per article, type and network. */
  key: string;
  /** Its visitor's IP scope's, per article, type and network: the per-IP cap's. */
  capKey: string;
  /** For a read, the key of the same visitor's view of the article, which must have counted; else null. */
  viewKey: string | null;
  /** For an event opened from a popular box, the key of the visitor's click there; else null. */
  clickKey: string | null;
}

/**
 * What the shard of the URL an event was sent with saw of its visitor under
 * that URL today, when it is another spelling of the event's article: events
 * it held while the spelling's page was checked were keyed under the
 * spelling there, and count for the article now. Whether the event itself
 * was seen (a repeat), for a read its visitor's view, and its box click.
 */
export interface SeenAsSent {
  event: boolean;
  view: boolean;
  click: boolean;
}

/** An event with its keys. */
export interface EventKeys<E extends DedupFields> extends DedupKeys {
  event: E;
}

/**
 * The key under which the per-IP cap counts the visitors of one IP scope
 * (src/ingest/ip-scope.ts) for one article, type and network on a day: a
 * SHA-256 of the day's salt, the site, the scope and the event, so that, like
 * the visitor hash, it holds no IP and cannot be linked across days. Its
 * first part keeps it apart from every other hash made with the salt.
 */
async function ipCapKey(salt: string, site: string, scope: string, event: DedupFields): Promise<string> {
  // JSON of an array keeps the parts apart whatever characters they hold.
  const parts = JSON.stringify(['ip-cap', salt, site, scope, event.url, event.type, event.network]);
  // 128 bits, as for dedup keys.
  return sha256Hex(parts, 16);
}

/**
 * A shard's dedup state: one random salt per UTC day (`salts`), the dedup
 * keys of the events counted that day, each with its cap key, and of the
 * popular box clicks they made (`seen`), from which it counts in memory how
 * many distinct visitors of each IP scope counted per article, type and
 * network that day (for the per-IP cap). Hashes are made with the day's salt,
 * so that they cannot be linked across days.
 */
export class DedupState {
  private salt: { day: number; value: string } | undefined;
  /** Visitors counted per cap key, by day (today, and yesterday near midnight), each read from storage once. */
  private readonly caps = new Map<number, Map<string, number>>();

  constructor(private readonly sql: SqlStorage) {}

  /**
   * The keys of each of a beacon's events on `day`: its dedup key, one per
   * visitor (from the IP and User-Agent with the day's salt), article, type
   * and network; its cap key, the same without the User-Agent and with the
   * IP's scope (an IPv6 address's /64) instead of the IP; for a read, its
   * visitor's view key; for an event with `from`, its visitor's click key
   * (type 'click', the `from` value as network).
   */
  async keyEvents<E extends DedupFields>(
    day: number,
    ip: string,
    userAgent: string,
    events: readonly E[],
  ): Promise<EventKeys<E>[]> {
    const salt = this.saltFor(day);
    const scope = ipScope(ip);
    const visitors = new Map<string, string>();
    const keyed: EventKeys<E>[] = [];
    for (const event of events) {
      let visitor = visitors.get(event.site);
      if (visitor === undefined) {
        visitor = await visitorHash(salt, event.site, ip, userAgent);
        visitors.set(event.site, visitor);
      }
      const keyOf = (type: 'view' | 'share' | 'read' | 'click', network: string) =>
        dedupKey(visitor, event.url, type, network);
      keyed.push({
        event,
        key: await keyOf(event.type, event.network),
        capKey: await ipCapKey(salt, event.site, scope, event),
        viewKey: event.type === 'read' ? await keyOf('view', '') : null,
        clickKey: event.from === null ? null : await keyOf('click', event.from),
      });
    }
    return keyed;
  }

  /** Whether `key` was marked seen on `day`. */
  isSeen(day: number, key: string): boolean {
    return this.sql.exec(`SELECT 1 FROM ${seenTable(day)} WHERE day = ? AND key = ?`, day, key).toArray().length > 0;
  }

  /** Which of an event's keys were marked seen on `day`. */
  seenOf(day: number, { key, viewKey, clickKey }: DedupKeys): SeenAsSent {
    return {
      event: this.isSeen(day, key),
      view: viewKey !== null && this.isSeen(day, viewKey),
      click: clickKey !== null && this.isSeen(day, clickKey),
    };
  }

  /** Marks `key` seen on `day`; answers whether it is new. */
  markSeen(day: number, key: string): boolean {
    return this.sql.exec(`INSERT OR IGNORE INTO ${seenTable(day)} (day, key) VALUES (?, ?)`, day, key).rowsWritten > 0;
  }

  /**
   * Marks the key of an event that counts seen on `day`, not seen before,
   * with its cap key and, unless it is held, its increment at its journal
   * position (./journal.ts): one row is the dedup, the per-IP cap's count
   * and the pending increment.
   */
  markCounted(day: number, key: string, capKey: string, journalled?: { increment: Increment; pos: number }): void {
    // Read before the row is stored, which it would count.
    const visitors = this.capsOf(day);
    const i = journalled?.increment;
    this.sql.exec(
      `INSERT INTO ${seenTable(day)} (day, key, cap, site, site_created_at, url, bucket, counter, pos)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      day,
      key,
      capKey,
      i?.site ?? null,
      i?.siteCreatedAt ?? null,
      i?.url ?? null,
      i?.bucket ?? null,
      i?.network ?? null,
      journalled?.pos ?? null,
    );
    visitors.set(capKey, (visitors.get(capKey) ?? 0) + 1);
  }

  /** How many distinct visitors counted under `capKey` on `day`: what the per-IP cap compares. */
  scopeVisitors(day: number, capKey: string): number {
    return this.capsOf(day).get(capKey) ?? 0;
  }

  /**
   * Forgets the counts held in memory, to be read again from storage: after
   * a transaction that may have marked events counted rolled back.
   */
  forgetCaps(): void {
    this.caps.clear();
  }

  /**
   * A day's visitors per cap key: its dedup rows' cap keys counted (rows
   * read, where a count row of its own would be one more row written per
   * counted event), with the counts of ip_visitors, made before dedup rows
   * held cap keys (storage-schema.ts step 8).
   */
  private capsOf(day: number): Map<string, number> {
    const known = this.caps.get(day);
    if (known) return known;
    const visitors = new Map<string, number>();
    const counts = this.sql.exec<{ key: string; visitors: number }>(
      `SELECT key, visitors FROM ip_visitors WHERE day = ?1
       UNION ALL SELECT cap, count(*) FROM ${seenTable(day)} WHERE day = ?1 AND cap IS NOT NULL GROUP BY cap`,
      day,
    );
    for (const row of counts) visitors.set(row.key, (visitors.get(row.key) ?? 0) + row.visitors);
    this.caps.set(day, visitors);
    return visitors;
  }

  /** Whether dropExpired would drop dedup rows at `nowMs`. */
  hasExpired(nowMs: number): boolean {
    return SEEN_TABLES.some(
      (table) =>
        this.sql.exec(`SELECT 1 FROM ${table} WHERE day < ? LIMIT 1`, oldestOpenDay(nowMs)).toArray().length > 0,
    );
  }

  /**
   * Salts are deleted 48 hours after their day began; dedup keys, and the
   * per-IP counts with them, DEDUP_GRACE_MS after their day ends: their
   * table dropped and made again, unless it holds an open day's rows too
   * (a shard that slept through a whole day), which are kept.
   */
  dropExpired(nowMs: number): void {
    const today = dayOf(nowMs);
    const oldest = oldestOpenDay(nowMs);
    for (const table of SEEN_TABLES) {
      const holds = (days: string) =>
        this.sql.exec(`SELECT 1 FROM ${table} WHERE ${days} LIMIT 1`, oldest).toArray().length > 0;
      if (!holds('day < ?')) continue;
      if (holds('day >= ?')) this.sql.exec(`DELETE FROM ${table} WHERE day < ?`, oldest);
      else this.remake(table);
    }
    this.sql.exec('DELETE FROM ip_visitors WHERE day < ?', oldest);
    this.sql.exec('DELETE FROM salts WHERE day < ?', today - 1);
    if (this.salt && this.salt.day < today - 1) this.salt = undefined;
    for (const day of this.caps.keys()) if (day < oldest) this.caps.delete(day);
  }

  /** Empties `table` as a DROP TABLE does, writing no row, and makes it again as its schema says now. */
  private remake(table: string): void {
    const schema = this.sql
      .exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", table)
      .one().sql;
    this.sql.exec(`DROP TABLE ${table}`);
    this.sql.exec(schema);
  }

  /** Whether any salt is left to drop (then the shard must wake to drop it). */
  hasSalts(): boolean {
    return this.sql.exec('SELECT 1 FROM salts LIMIT 1').toArray().length > 0;
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
}
