-- Per-site totals per UTC hour, written by every shard flush: the dashboard's
-- charts read a site's period here instead of summing every article's hours.
CREATE TABLE site_hours (
  site_id TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  views INTEGER NOT NULL DEFAULT 0,
  shares INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (site_id, bucket)
) STRICT, WITHOUT ROWID;

-- Per-site shares per network per UTC hour, for "shares by network" over a period.
CREATE TABLE site_network_hours (
  site_id TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  network TEXT NOT NULL,
  shares INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (site_id, bucket, network)
) STRICT, WITHOUT ROWID;
