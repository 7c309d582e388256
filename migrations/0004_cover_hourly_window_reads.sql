-- A window reads "this site, these hours" for every article in them. With url,
-- views and shares in the index, SQLite answers from the index alone instead
-- of one primary-key lookup per hourly row (bench/README.md: the uncached 24h
-- list of a 20,000-article site was bound by those lookups). Flushes write in
-- batches, a few D1 transactions per thousand events, so keeping the index's
-- copy of views and shares current costs little.
DROP INDEX article_hours_by_bucket;
CREATE INDEX article_hours_by_bucket ON article_hours (site_id, bucket, url, views, shares);
