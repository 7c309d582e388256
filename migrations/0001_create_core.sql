-- Sites and the hosts they own. A host belongs to at most one site.
CREATE TABLE sites (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  settings TEXT NOT NULL, -- JSON, every field of SiteSettings
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE site_hosts (
  host TEXT PRIMARY KEY,
  site_id TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE INDEX site_hosts_by_site ON site_hosts (site_id);

-- One row per article: its metadata and all-time totals, which retention never touches.
CREATE TABLE articles (
  site_id TEXT NOT NULL,
  url TEXT NOT NULL, -- normalised URL
  title TEXT,
  image TEXT,
  section TEXT,
  published TEXT,
  views INTEGER NOT NULL DEFAULT 0,
  shares INTEGER NOT NULL DEFAULT 0,
  first_bucket INTEGER NOT NULL, -- UTC hour of the first counted event
  PRIMARY KEY (site_id, url)
) STRICT, WITHOUT ROWID;

-- Views and shares per article per UTC hour (bucket = floor(ms / 3_600_000)).
CREATE TABLE article_hours (
  site_id TEXT NOT NULL,
  url TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  views INTEGER NOT NULL DEFAULT 0,
  shares INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (site_id, url, bucket)
) STRICT, WITHOUT ROWID;

-- All-time shares per article per network.
CREATE TABLE article_network_shares (
  site_id TEXT NOT NULL,
  url TEXT NOT NULL,
  network TEXT NOT NULL,
  shares INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (site_id, url, network)
) STRICT, WITHOUT ROWID;

-- One row per shard flush batch, written in the batch's own transaction: a
-- replayed batch collides here and is rolled back whole, so it never counts twice.
CREATE TABLE flush_log (
  shard TEXT NOT NULL,
  seq INTEGER NOT NULL,
  flushed_at INTEGER NOT NULL,
  PRIMARY KEY (shard, seq)
) STRICT, WITHOUT ROWID;
