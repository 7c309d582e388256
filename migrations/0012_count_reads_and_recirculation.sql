-- Reads (issue 17): a reader who stayed, counted like views (once per visitor,
-- article and UTC day) beside them in every table that keeps views. Existing
-- rows take 0: nothing was read before the widget sent reads.
ALTER TABLE articles ADD COLUMN reads INTEGER NOT NULL DEFAULT 0;
ALTER TABLE article_hours ADD COLUMN reads INTEGER NOT NULL DEFAULT 0;
ALTER TABLE article_days ADD COLUMN reads INTEGER NOT NULL DEFAULT 0;
ALTER TABLE site_hours ADD COLUMN reads INTEGER NOT NULL DEFAULT 0;
ALTER TABLE window_totals ADD COLUMN reads INTEGER NOT NULL DEFAULT 0;

-- A read's increment set aside (set_aside_rows, 0006) has network '@read'
-- (READ_COUNTER, src/shard/batch.ts).

-- by=reads reads the top rows in index order, as views and shares do (0002, 0005).
CREATE INDEX articles_by_reads ON articles (site_id, reads DESC, url);
CREATE INDEX window_totals_by_reads ON window_totals (site_id, hours, reads DESC, url);

-- Windows summed from hourly rows answer from this index alone (0004): it carries reads too.
DROP INDEX article_hours_by_bucket;
CREATE INDEX article_hours_by_bucket ON article_hours (site_id, bucket, url, views, shares, reads);

-- The triggers of 0002 (late writes into rolled-up days) and 0005 (running
-- window totals), as they were, with reads.
DROP TRIGGER article_hours_late_insert;
DROP TRIGGER article_hours_late_update;
DROP TRIGGER article_hours_window_insert;
DROP TRIGGER article_hours_window_update;

CREATE TRIGGER article_hours_late_insert AFTER INSERT ON article_hours
WHEN NEW.bucket < (SELECT (rolled_through_day + 1) * 24 FROM rollup_state WHERE site_id = NEW.site_id)
BEGIN
  INSERT INTO article_days (site_id, day, url, views, shares, reads)
  VALUES (NEW.site_id, NEW.bucket / 24, NEW.url, NEW.views, NEW.shares, NEW.reads)
  ON CONFLICT (site_id, day, url) DO UPDATE
    SET views = views + excluded.views, shares = shares + excluded.shares, reads = reads + excluded.reads;
END;

CREATE TRIGGER article_hours_late_update AFTER UPDATE OF views, shares, reads ON article_hours
WHEN NEW.bucket < (SELECT (rolled_through_day + 1) * 24 FROM rollup_state WHERE site_id = NEW.site_id)
BEGIN
  INSERT INTO article_days (site_id, day, url, views, shares, reads)
  VALUES (NEW.site_id, NEW.bucket / 24, NEW.url, NEW.views - OLD.views, NEW.shares - OLD.shares, NEW.reads - OLD.reads)
  ON CONFLICT (site_id, day, url) DO UPDATE
    SET views = views + excluded.views, shares = shares + excluded.shares, reads = reads + excluded.reads;
END;

CREATE TRIGGER article_hours_window_insert AFTER INSERT ON article_hours
BEGIN
  INSERT INTO window_totals (site_id, hours, url, views, shares, reads)
  SELECT NEW.site_id, hours, NEW.url, NEW.views, NEW.shares, NEW.reads FROM window_state
  WHERE site_id = NEW.site_id AND NEW.bucket > through_bucket - hours
  ON CONFLICT (site_id, hours, url) DO UPDATE
    SET views = views + excluded.views, shares = shares + excluded.shares, reads = reads + excluded.reads;
END;

CREATE TRIGGER article_hours_window_update AFTER UPDATE OF views, shares, reads ON article_hours
BEGIN
  INSERT INTO window_totals (site_id, hours, url, views, shares, reads)
  SELECT NEW.site_id, hours, NEW.url, NEW.views - OLD.views, NEW.shares - OLD.shares, NEW.reads - OLD.reads
  FROM window_state
  WHERE site_id = NEW.site_id AND NEW.bucket > through_bucket - hours
  ON CONFLICT (site_id, hours, url) DO UPDATE
    SET views = views + excluded.views, shares = shares + excluded.shares, reads = reads + excluded.reads;
END;

-- What the popular box brought, per site and UTC day (API.md "Recirculation"):
-- impressions of each list on its position 0 row, clicks and quality clicks
-- (clicks whose read counted) per position 1..50. Shards add to it in their
-- flush batches under flush_log, as to site_ledger, whose keeping it shares:
-- no retention, deleted with the site (src/db/sites.ts).
CREATE TABLE site_box_days (
  site_id TEXT NOT NULL,
  day INTEGER NOT NULL,
  list TEXT NOT NULL, -- a list id of common/box-list.ts: `views-24h`, `trending`, …
  position INTEGER NOT NULL,
  impressions INTEGER NOT NULL DEFAULT 0,
  clicks INTEGER NOT NULL DEFAULT 0,
  quality_clicks INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (site_id, day, list, position)
) STRICT, WITHOUT ROWID;
