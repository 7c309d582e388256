-- A window's running totals (0005) take only the counters an hourly write
-- changed, one trigger per counter: an upsert rewrites each index of a column
-- it sets, whatever the value, and D1 bills each index row it writes, so a
-- view's hourly write rewrote each window's three indexes (by views, shares
-- and reads) where it changes one. The totals stay as 0005 and 0012 keep them.
DROP TRIGGER article_hours_window_insert;
DROP TRIGGER article_hours_window_update;

CREATE TRIGGER article_hours_window_insert_views AFTER INSERT ON article_hours WHEN NEW.views <> 0
BEGIN
  INSERT INTO window_totals (site_id, hours, url, views, shares, reads)
  SELECT NEW.site_id, hours, NEW.url, NEW.views, 0, 0 FROM window_state
  WHERE site_id = NEW.site_id AND NEW.bucket > through_bucket - hours
  ON CONFLICT (site_id, hours, url) DO UPDATE SET views = views + excluded.views;
END;

CREATE TRIGGER article_hours_window_update_views AFTER UPDATE OF views ON article_hours WHEN NEW.views <> OLD.views
BEGIN
  INSERT INTO window_totals (site_id, hours, url, views, shares, reads)
  SELECT NEW.site_id, hours, NEW.url, NEW.views - OLD.views, 0, 0 FROM window_state
  WHERE site_id = NEW.site_id AND NEW.bucket > through_bucket - hours
  ON CONFLICT (site_id, hours, url) DO UPDATE SET views = views + excluded.views;
END;

CREATE TRIGGER article_hours_window_insert_shares AFTER INSERT ON article_hours WHEN NEW.shares <> 0
BEGIN
  INSERT INTO window_totals (site_id, hours, url, views, shares, reads)
  SELECT NEW.site_id, hours, NEW.url, 0, NEW.shares, 0 FROM window_state
  WHERE site_id = NEW.site_id AND NEW.bucket > through_bucket - hours
  ON CONFLICT (site_id, hours, url) DO UPDATE SET shares = shares + excluded.shares;
END;

CREATE TRIGGER article_hours_window_update_shares AFTER UPDATE OF shares ON article_hours WHEN NEW.shares <> OLD.shares
BEGIN
  INSERT INTO window_totals (site_id, hours, url, views, shares, reads)
  SELECT NEW.site_id, hours, NEW.url, 0, NEW.shares - OLD.shares, 0 FROM window_state
  WHERE site_id = NEW.site_id AND NEW.bucket > through_bucket - hours
  ON CONFLICT (site_id, hours, url) DO UPDATE SET shares = shares + excluded.shares;
END;

CREATE TRIGGER article_hours_window_insert_reads AFTER INSERT ON article_hours WHEN NEW.reads <> 0
BEGIN
  INSERT INTO window_totals (site_id, hours, url, views, shares, reads)
  SELECT NEW.site_id, hours, NEW.url, 0, 0, NEW.reads FROM window_state
  WHERE site_id = NEW.site_id AND NEW.bucket > through_bucket - hours
  ON CONFLICT (site_id, hours, url) DO UPDATE SET reads = reads + excluded.reads;
END;

CREATE TRIGGER article_hours_window_update_reads AFTER UPDATE OF reads ON article_hours WHEN NEW.reads <> OLD.reads
BEGIN
  INSERT INTO window_totals (site_id, hours, url, views, shares, reads)
  SELECT NEW.site_id, hours, NEW.url, 0, 0, NEW.reads - OLD.reads FROM window_state
  WHERE site_id = NEW.site_id AND NEW.bucket > through_bucket - hours
  ON CONFLICT (site_id, hours, url) DO UPDATE SET reads = reads + excluded.reads;
END;
