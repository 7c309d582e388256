-- Articles are the publisher's (API.md "Articles"): the registry of each site
-- (src/articles/registry.ts) decides which URLs are articles and what they
-- show, and mirrors here what ranking and reading need. Counts stay written by
-- the shards' flushes; metadata is no longer theirs.
--
-- status: 'verified' (counted, ranked unless hidden) or 'rejected' (a page that
-- failed a later check: its counts stay, it ranks no more). Rows that exist
-- today were counted under the old rules and stay verified.
ALTER TABLE articles ADD COLUMN status TEXT NOT NULL DEFAULT 'verified';
-- 1: counted, never ranked (an obituary, a sponsored story).
ALTER TABLE articles ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
-- The article's address as its page gives it (scheme and port included), for links.
ALTER TABLE articles ADD COLUMN page_url TEXT;
-- ISO-8601 time of the last page check; null when never checked.
ALTER TABLE articles ADD COLUMN checked_at TEXT;

-- Other spellings of an article (an old slug that redirects, a page declaring
-- another canonical URL): the counts endpoint answers them with the article's.
CREATE TABLE article_aliases (
  site_id TEXT NOT NULL,
  alias TEXT NOT NULL, -- normalised URL
  url TEXT NOT NULL, -- the canonical article's normalised URL
  PRIMARY KEY (site_id, alias)
) STRICT, WITHOUT ROWID;
