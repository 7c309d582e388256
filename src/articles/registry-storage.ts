import type { StorageSchemaStep } from '../shard/storage-schema';

/**
 * The registry's SQLite schema as numbered steps, run once each by
 * applyStorageSchema like the shard's: append a step to change it, never edit one.
 */
export const REGISTRY_SCHEMA_STEPS: readonly StorageSchemaStep[] = [
  {
    // articles: every URL the site's events or its CMS brought, under its key.
    // `page_url` is the address to fetch: as the first event reported it while
    // pending, the canonical as the page declares it once verified.
    // `metadata_set`: in beacon mode the first metadata seen stands.
    // `mirrored`: 0 while D1 lacks the row's last change (retried by the alarm).
    // aliases: other spellings, each of one canonical article.
    // new_articles: URLs taken per UTC hour, for max_new_articles_per_hour.
    // policy: the site's article settings as the last call gave them, for the alarm.
    step: 1,
    sql: `
      CREATE TABLE articles (
        url TEXT PRIMARY KEY, status TEXT NOT NULL,
        title TEXT, image TEXT, section TEXT, published TEXT, metadata_set INTEGER NOT NULL DEFAULT 0,
        hidden INTEGER NOT NULL DEFAULT 0, page_url TEXT,
        checked_at INTEGER, next_check_at INTEGER, attempts INTEGER NOT NULL DEFAULT 0, failure TEXT,
        mirrored INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
      CREATE INDEX articles_due ON articles (next_check_at) WHERE next_check_at IS NOT NULL;
      CREATE INDEX articles_unmirrored ON articles (url) WHERE mirrored = 0;
      CREATE INDEX articles_by_status ON articles (status, url);
      CREATE TABLE aliases (alias TEXT PRIMARY KEY, url TEXT NOT NULL, mirrored INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
      CREATE INDEX aliases_by_url ON aliases (url);
      CREATE TABLE new_articles (hour INTEGER PRIMARY KEY, n INTEGER NOT NULL);
      CREATE TABLE policy (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
    `,
  },
  {
    // `in_d1`: D1 may hold a row of the article (it was counted, or written
    // there), so that its rejection must reach D1. new_articles_by_scope: new
    // URLs per hour per reader's IP scope (a salted hash), for
    // newArticlesPerScope. merges: articles that became another's spelling,
    // whose D1 counts move to it.
    step: 2,
    sql: `
      ALTER TABLE articles ADD COLUMN in_d1 INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE new_articles_by_scope (
        hour INTEGER NOT NULL, scope TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (hour, scope)) WITHOUT ROWID;
      CREATE TABLE merges (from_url TEXT PRIMARY KEY, to_url TEXT NOT NULL) WITHOUT ROWID;
    `,
  },
];
