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
  {
    // The epoch of this storage, part of its batches' key in D1's flush_log
    // (src/shard/outbox.ts): storage made anew (lost or wiped) numbers its
    // batches from 1 again, and a new random epoch keeps them apart from the
    // rows the old storage left there. Storage that has numbered batches already
    // takes epoch 0, the epoch of its rows in flush_log (migration 0006), so that
    // a batch left in its outbox still collides with its own row. Epochs stay
    // within 2^53, where JavaScript numbers are exact.
    step: 2,
    sql: `
      INSERT INTO state (key, value)
      SELECT 'epoch', CASE WHEN EXISTS (SELECT 1 FROM state WHERE key = 'next_seq') THEN 0
                           ELSE 1 + abs(random() % 9007199254740990) END;
    `,
  },
  {
    // Buffered rows belong to one incarnation of their site, named by its
    // created_at (src/sites/manage.ts makes it later for a site created again
    // under an old id): a flush applies a row only while that incarnation
    // exists. Rows buffered before take '': whichever site has the id.
    step: 3,
    sql: `
      CREATE TABLE pending_by_site (
        site TEXT NOT NULL, site_created_at TEXT NOT NULL, url TEXT NOT NULL, bucket INTEGER NOT NULL,
        network TEXT NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (site, site_created_at, url, bucket, network)) WITHOUT ROWID;
      INSERT INTO pending_by_site SELECT site, '', url, bucket, network, n FROM pending;
      DROP TABLE pending;
      ALTER TABLE pending_by_site RENAME TO pending;

      CREATE TABLE pending_meta_by_site (
        site TEXT NOT NULL, site_created_at TEXT NOT NULL, url TEXT NOT NULL,
        title TEXT, image TEXT, section TEXT, published TEXT, bucket INTEGER NOT NULL,
        PRIMARY KEY (site, site_created_at, url)) WITHOUT ROWID;
      INSERT INTO pending_meta_by_site SELECT site, '', url, title, image, section, published, bucket FROM pending_meta;
      DROP TABLE pending_meta;
      ALTER TABLE pending_meta_by_site RENAME TO pending_meta;

      CREATE TABLE outbox_by_site (
        seq INTEGER NOT NULL, site TEXT NOT NULL, site_created_at TEXT NOT NULL, url TEXT NOT NULL,
        bucket INTEGER NOT NULL, network TEXT NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (seq, site, site_created_at, url, bucket, network)) WITHOUT ROWID;
      INSERT INTO outbox_by_site SELECT seq, site, '', url, bucket, network, n FROM outbox;
      DROP TABLE outbox;
      ALTER TABLE outbox_by_site RENAME TO outbox;

      CREATE TABLE outbox_meta_by_site (
        seq INTEGER NOT NULL, site TEXT NOT NULL, site_created_at TEXT NOT NULL, url TEXT NOT NULL,
        title TEXT, image TEXT, section TEXT, published TEXT, bucket INTEGER NOT NULL,
        PRIMARY KEY (seq, site, site_created_at, url)) WITHOUT ROWID;
      INSERT INTO outbox_meta_by_site SELECT seq, site, '', url, title, image, section, published, bucket FROM outbox_meta;
      DROP TABLE outbox_meta;
      ALTER TABLE outbox_meta_by_site RENAME TO outbox_meta;
    `,
  },
  {
    // How often D1, while it answers, refused each outbox batch: a batch it
    // keeps refusing is split (src/shard/outbox.ts), however often the shard
    // is woken again meanwhile.
    step: 4,
    sql: 'CREATE TABLE outbox_refusals (seq INTEGER PRIMARY KEY, refusals INTEGER NOT NULL);',
  },
  {
    // The per-IP cap (src/shard/dedup.ts): how many distinct visitors of one
    // IP scope counted for one article, type and network on a day, under a
    // hash made with the day's salt, so that no IP is stored; dropped with
    // the day's dedup keys. And the ledger (src/shard/outbox.ts): events of a
    // site and day per outcome, buffered and flushed in batches like counts.
    step: 5,
    sql: `
      CREATE TABLE ip_visitors (
        day INTEGER NOT NULL, key TEXT NOT NULL, visitors INTEGER NOT NULL,
        PRIMARY KEY (day, key)) WITHOUT ROWID;
      CREATE TABLE pending_ledger (
        site TEXT NOT NULL, site_created_at TEXT NOT NULL, day INTEGER NOT NULL, outcome TEXT NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (site, site_created_at, day, outcome)) WITHOUT ROWID;
      CREATE TABLE outbox_ledger (
        seq INTEGER NOT NULL, site TEXT NOT NULL, site_created_at TEXT NOT NULL, day INTEGER NOT NULL,
        outcome TEXT NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (seq, site, site_created_at, day, outcome)) WITHOUT ROWID;
    `,
  },
  {
    // Articles are the publisher's (src/articles/registry.ts): increments of a
    // URL whose page is being checked wait in `held`, counted for the canonical
    // article once it passes, dropped if it fails. Beacons no longer carry the
    // metadata D1 shows, so its buffers go, with the untrusted metadata they held.
    step: 6,
    sql: `
      CREATE TABLE held (
        site TEXT NOT NULL, site_created_at TEXT NOT NULL, url TEXT NOT NULL, bucket INTEGER NOT NULL,
        network TEXT NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (site, site_created_at, url, bucket, network)) WITHOUT ROWID;
      DROP TABLE pending_meta;
      DROP TABLE outbox_meta;
    `,
  },
  {
    // Counted events reach the ledger from the increments a flush sends
    // (src/shard/outbox.ts countedLedger): their rows of old, buffered or
    // sealed before this step, would count them twice.
    step: 7,
    sql: `
      DELETE FROM pending_ledger WHERE outcome IN ('view', 'share');
      DELETE FROM outbox_ledger WHERE outcome IN ('view', 'share');
    `,
  },
  {
    // The per-IP cap writes no row of its own (src/shard/dedup.ts): a counted
    // event's dedup row holds its cap key, and the shard counts a day's
    // visitors per cap key in memory, from these rows. ip_visitors keeps the
    // counts made before this step, read with them, until their day expires.
    step: 8,
    sql: 'ALTER TABLE seen ADD COLUMN cap TEXT;',
  },
  {
    // Dedup rows in two tables by their day's parity (src/shard/dedup.ts
    // seenTable): only today and yesterday are open at once, so a day past is
    // dropped whole, and a DROP TABLE writes no row where a DELETE writes one
    // per row.
    step: 9,
    sql: `
      CREATE TABLE seen_even (day INTEGER NOT NULL, key TEXT NOT NULL, cap TEXT, PRIMARY KEY (day, key)) WITHOUT ROWID;
      CREATE TABLE seen_odd (day INTEGER NOT NULL, key TEXT NOT NULL, cap TEXT, PRIMARY KEY (day, key)) WITHOUT ROWID;
      INSERT INTO seen_even SELECT day, key, cap FROM seen WHERE day % 2 = 0;
      INSERT INTO seen_odd SELECT day, key, cap FROM seen WHERE day % 2 = 1;
      DROP TABLE seen;
    `,
  },
  {
    // The journal (src/shard/journal.ts): a counted event's dedup row holds
    // its increment and a position, so that counting it writes that one row;
    // a flush seals ranges of positions as batches. Increments buffered
    // before stay in \`pending\`, which still takes those of held events.
    step: 10,
    sql: `
      ALTER TABLE seen_even ADD COLUMN site TEXT;
      ALTER TABLE seen_even ADD COLUMN site_created_at TEXT;
      ALTER TABLE seen_even ADD COLUMN url TEXT;
      ALTER TABLE seen_even ADD COLUMN bucket INTEGER;
      ALTER TABLE seen_even ADD COLUMN counter TEXT;
      ALTER TABLE seen_even ADD COLUMN pos INTEGER;
      ALTER TABLE seen_odd ADD COLUMN site TEXT;
      ALTER TABLE seen_odd ADD COLUMN site_created_at TEXT;
      ALTER TABLE seen_odd ADD COLUMN url TEXT;
      ALTER TABLE seen_odd ADD COLUMN bucket INTEGER;
      ALTER TABLE seen_odd ADD COLUMN counter TEXT;
      ALTER TABLE seen_odd ADD COLUMN pos INTEGER;
      CREATE TABLE journal_batches (
        seq INTEGER PRIMARY KEY, from_pos INTEGER NOT NULL, to_pos INTEGER NOT NULL, part INTEGER NOT NULL);
    `,
  },
  {
    // A sealed part's size in articles, with it: a deploy that changes the
    // size must not cut a range sealed before into other parts, as a part
    // sent again must be the part sent before.
    step: 11,
    sql: 'ALTER TABLE journal_batches ADD COLUMN part_articles INTEGER NOT NULL DEFAULT 100;',
  },
  {
    // The journal's last position sealed, in the row of the batch numbers a
    // seal reserves (src/shard/shard-state.ts reserveSeqs): a seal writes one
    // row of state where it wrote two. Its row of step 10's time moves there.
    step: 12,
    sql: `
      ALTER TABLE state ADD COLUMN pos INTEGER;
      INSERT INTO state (key, value, pos)
      SELECT 'next_seq', 1, value FROM state WHERE key = 'journal_sealed_to'
      ON CONFLICT (key) DO UPDATE SET pos = excluded.pos;
      DELETE FROM state WHERE key = 'journal_sealed_to';
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
