-- Running totals of the windows most asked for (24 hours and 7 days; which
-- ones is src/db/window-totals.ts's choice), so that ranking them reads one row
-- per article instead of summing every hourly row of the window: a 24-hour
-- list of a 20,000-article site summed about 28,000 rows (bench/README.md).
--
-- The invariant: window_totals (site, hours, url) is the sum of the article's
-- article_hours rows with bucket > through_bucket - hours. The triggers below
-- keep it through every hourly write; advancing through_bucket subtracts the
-- hours that left the window (src/db/window-totals.ts), in the same
-- transaction. Retention deletes hourly rows only far outside any window.
-- The price: each hourly write also writes one row per window (and its two
-- index entries), and a site's first flush or cron run after this migration
-- sums its last 7 days of hourly rows once.
CREATE TABLE window_state (
  site_id TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  hours INTEGER NOT NULL,
  through_bucket INTEGER NOT NULL,
  PRIMARY KEY (site_id, hours)
) STRICT, WITHOUT ROWID;

CREATE TABLE window_totals (
  site_id TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  hours INTEGER NOT NULL,
  url TEXT NOT NULL,
  views INTEGER NOT NULL,
  shares INTEGER NOT NULL,
  PRIMARY KEY (site_id, hours, url)
) STRICT, WITHOUT ROWID;

-- By views or shares, a list is the first rows in index order: no sum, no sort.
CREATE INDEX window_totals_by_views ON window_totals (site_id, hours, views DESC, url);
CREATE INDEX window_totals_by_shares ON window_totals (site_id, hours, shares DESC, url);

CREATE TRIGGER article_hours_window_insert AFTER INSERT ON article_hours
BEGIN
  INSERT INTO window_totals (site_id, hours, url, views, shares)
  SELECT NEW.site_id, hours, NEW.url, NEW.views, NEW.shares FROM window_state
  WHERE site_id = NEW.site_id AND NEW.bucket > through_bucket - hours
  ON CONFLICT (site_id, hours, url) DO UPDATE SET views = views + excluded.views, shares = shares + excluded.shares;
END;

CREATE TRIGGER article_hours_window_update AFTER UPDATE OF views, shares ON article_hours
BEGIN
  INSERT INTO window_totals (site_id, hours, url, views, shares)
  SELECT NEW.site_id, hours, NEW.url, NEW.views - OLD.views, NEW.shares - OLD.shares FROM window_state
  WHERE site_id = NEW.site_id AND NEW.bucket > through_bucket - hours
  ON CONFLICT (site_id, hours, url) DO UPDATE SET views = views + excluded.views, shares = shares + excluded.shares;
END;
