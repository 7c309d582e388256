-- A shard's batches are numbered per incarnation of its storage: storage made
-- anew (lost or wiped) starts again at 1 with a new random epoch
-- (src/shard/storage-schema.ts), so flush_log keys batches by shard, epoch and
-- sequence. Rows from before take epoch 0, as does the storage that wrote them;
-- so does a row a Worker deployed before this migration still inserts.
CREATE TABLE flush_log_by_epoch (
  shard TEXT NOT NULL,
  epoch INTEGER NOT NULL DEFAULT 0,
  seq INTEGER NOT NULL,
  flushed_at INTEGER NOT NULL,
  PRIMARY KEY (shard, epoch, seq)
) STRICT, WITHOUT ROWID;

INSERT INTO flush_log_by_epoch (shard, epoch, seq, flushed_at) SELECT shard, 0, seq, flushed_at FROM flush_log;
DROP TABLE flush_log;
ALTER TABLE flush_log_by_epoch RENAME TO flush_log;

-- The created_at of the last deleted site of each id. Shards tag what they
-- buffer with the created_at of the site it was counted for, and a flush
-- applies it only to a site with that created_at; a site created again under
-- the id gets a later one (src/sites/manage.ts), so it never inherits counts
-- buffered for the deleted one.
CREATE TABLE deleted_sites (
  id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Buffered rows D1 kept refusing, each alone in its batch, that a shard set
-- aside so as to go on flushing the rest (src/shard/outbox.ts). They count in
-- no total; the dashboard lists them with D1's error, so that an operator can
-- fix the cause and apply them. One row per shard batch, like flush_log.
CREATE TABLE set_aside_rows (
  shard TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  site_id TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  -- An increment: '' for views, the network for shares; NULL for an article's metadata.
  network TEXT,
  n INTEGER,
  title TEXT,
  image TEXT,
  section TEXT,
  published TEXT,
  error TEXT NOT NULL,
  set_aside_at INTEGER NOT NULL,
  PRIMARY KEY (shard, epoch, seq)
) STRICT, WITHOUT ROWID;

CREATE INDEX set_aside_rows_by_site ON set_aside_rows (site_id, set_aside_at);
