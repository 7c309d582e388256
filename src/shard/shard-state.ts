/**
 * The shard's own numbers in its `state` table: `epoch`, the epoch of its
 * storage (src/shard/storage-schema.ts), `failed_flushes`, the flushes
 * that failed in a row, kept so that a shard woken again goes on backing off,
 * and `next_seq`, the next batch sequence number (src/shard/outbox.ts), whose
 * row holds in `pos` the journal's last position sealed (src/shard/journal.ts).
 */
export type StateKey = 'epoch' | 'failed_flushes';

export const readState = (sql: SqlStorage, key: StateKey): number | null =>
  sql.exec<{ value: number }>('SELECT value FROM state WHERE key = ?', key).toArray()[0]?.value ?? null;

/** The epoch of this storage, which storage step 2 set. */
export const readEpoch = (sql: SqlStorage): number =>
  sql.exec<{ value: number }>("SELECT value FROM state WHERE key = 'epoch'").one().value;

/**
 * Reserves `n` batch sequence numbers, one above the last; answers the first.
 * `sealedTo`, when given, is stored in the same row: a journal that seals
 * writes one row for its numbers and its position. `n` 0 stores it alone.
 */
export const reserveSeqs = (sql: SqlStorage, n: number, sealedTo: number | null = null): number =>
  sql
    .exec<{ value: number }>(
      `INSERT INTO state (key, value, pos) VALUES ('next_seq', 1 + ?1, ?2)
       ON CONFLICT (key) DO UPDATE SET value = value + ?1, pos = coalesce(?2, pos) RETURNING value`,
      n,
      sealedTo,
    )
    .one().value - n;

/** The journal's last position sealed, as reserveSeqs stored it. */
export const readSealedTo = (sql: SqlStorage): number =>
  sql.exec<{ pos: number | null }>("SELECT pos FROM state WHERE key = 'next_seq'").toArray()[0]?.pos ?? 0;

export function writeState(sql: SqlStorage, key: StateKey, value: number): void {
  sql.exec(
    'INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    key,
    value,
  );
}
