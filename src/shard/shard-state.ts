/**
 * The shard's own numbers in its `state` table: `epoch`, the epoch of its
 * storage (src/shard/storage-schema.ts), `failed_flushes`, the flushes
 * that failed in a row, kept so that a shard woken again goes on backing off,
 * and `journal_sealed_to`, the journal's last position sealed
 * (src/shard/journal.ts). (`next_seq`, the batch sequence, is
 * src/shard/outbox.ts's.)
 */
export type StateKey = 'epoch' | 'failed_flushes' | 'journal_sealed_to';

export const readState = (sql: SqlStorage, key: StateKey): number | null =>
  sql.exec<{ value: number }>('SELECT value FROM state WHERE key = ?', key).toArray()[0]?.value ?? null;

/** The epoch of this storage, which storage step 2 set. */
export const readEpoch = (sql: SqlStorage): number =>
  sql.exec<{ value: number }>("SELECT value FROM state WHERE key = 'epoch'").one().value;

export function writeState(sql: SqlStorage, key: StateKey, value: number): void {
  sql.exec(
    'INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    key,
    value,
  );
}
