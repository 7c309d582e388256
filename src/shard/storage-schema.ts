/** One change to the shard's storage schema: `sql` runs once, when storage is below `step`. */
export interface StorageSchemaStep {
  step: number;
  sql: string;
}

/**
 * The shard's SQLite schema as numbered steps, run once each and in order,
 * like D1's migrations. To change the schema, append a step numbered one
 * higher; never edit, renumber or remove an old one, as shards already ran it.
 */
export const STORAGE_SCHEMA_STEPS: readonly StorageSchemaStep[] = [
  {
    // The schema from before steps were recorded. IF NOT EXISTS lets storage
    // made then, which has these tables but no record, take this step as is.
    step: 1,
    sql: `
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
    `,
  },
];

// NOTE: the version lives in a table because Durable Object SQLite refuses
// `PRAGMA user_version` (SQLITE_AUTH).
// https://developers.cloudflare.com/durable-objects/api/sqlite-storage-api/
const STEPS_TABLE = 'CREATE TABLE IF NOT EXISTS schema_steps (step INTEGER PRIMARY KEY)';

/**
 * Runs the steps this storage has not run yet, in order, each in one
 * transaction with its record, so that a step is either done and recorded or
 * not begun. Answers the version the storage ends at: its last step run.
 */
export function applyStorageSchema(
  storage: DurableObjectStorage,
  steps: readonly StorageSchemaStep[] = STORAGE_SCHEMA_STEPS,
): number {
  const sql = storage.sql;
  let version = storage.transactionSync(() => {
    sql.exec(STEPS_TABLE);
    return sql.exec<{ step: number | null }>('SELECT max(step) AS step FROM schema_steps').one().step ?? 0;
  });
  for (const { step, sql: script } of steps) {
    if (step <= version) continue;
    storage.transactionSync(() => {
      sql.exec(script);
      sql.exec('INSERT INTO schema_steps (step) VALUES (?)', step);
    });
    version = step;
  }
  return version;
}
