-- Views and shares per article per finished UTC day (day = floor(bucket / 24)),
-- summed from article_hours by the cron rollup (src/db/rollup.ts). Keyed by day
-- before url: every reader asks for "this site, these days", a range scan.
CREATE TABLE article_days (
  site_id TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  day INTEGER NOT NULL,
  url TEXT NOT NULL,
  views INTEGER NOT NULL DEFAULT 0,
  shares INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (site_id, day, url)
) STRICT, WITHOUT ROWID;

-- Per site, the last UTC day whose daily rows are complete. Readers take whole
-- days up to it from article_days and everything later from article_hours.
CREATE TABLE rollup_state (
  site_id TEXT PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
  rolled_through_day INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Windows read "this site, these hours". Not covering on purpose: flushes update
-- views/shares all the time, and a key of (site_id, bucket) + the primary key
-- never changes after its row is inserted, so writes do not pay for the index.
CREATE INDEX article_hours_by_bucket ON article_hours (site_id, bucket);

-- The `all` window by views or shares reads the top rows in index order and
-- stops at the limit instead of sorting every article of the site.
CREATE INDEX articles_by_views ON articles (site_id, views DESC, url);
CREATE INDEX articles_by_shares ON articles (site_id, shares DESC, url);

-- A flush that lands in a day the rollup already summed (a shard that was
-- retrying, say) is added to that day's row as well, so daily rows stay exact
-- without the rollup ever having to wait for stragglers.
CREATE TRIGGER article_hours_late_insert AFTER INSERT ON article_hours
WHEN NEW.bucket < (SELECT (rolled_through_day + 1) * 24 FROM rollup_state WHERE site_id = NEW.site_id)
BEGIN
  INSERT INTO article_days (site_id, day, url, views, shares)
  VALUES (NEW.site_id, NEW.bucket / 24, NEW.url, NEW.views, NEW.shares)
  ON CONFLICT (site_id, day, url) DO UPDATE SET views = views + excluded.views, shares = shares + excluded.shares;
END;

CREATE TRIGGER article_hours_late_update AFTER UPDATE OF views, shares ON article_hours
WHEN NEW.bucket < (SELECT (rolled_through_day + 1) * 24 FROM rollup_state WHERE site_id = NEW.site_id)
BEGIN
  INSERT INTO article_days (site_id, day, url, views, shares)
  VALUES (NEW.site_id, NEW.bucket / 24, NEW.url, NEW.views - OLD.views, NEW.shares - OLD.shares)
  ON CONFLICT (site_id, day, url) DO UPDATE SET views = views + excluded.views, shares = shares + excluded.shares;
END;
