import type { ArticleStatus } from '../articles/article-schema';
import type { ArticleMetadata } from '../articles/metadata';
import type { SiteIncarnation } from './counts';
import { prepareQuery, type Query } from './query';

/** What D1 keeps of a registry's article, for ranking, reading and links. */
export interface MirroredArticle extends ArticleMetadata {
  url: string;
  status: Exclude<ArticleStatus, 'pending'>;
  hidden: boolean;
  pageUrl: string | null;
  checkedAt: string | null;
}

const SITE_EXISTS = 'EXISTS (SELECT 1 FROM sites WHERE id = ?1 AND created_at = ?2)';

/**
 * The statement that brings D1's row of `article` to the registry's state:
 * metadata, status, hidden, address and last check; its counts untouched
 * (the shards' flushes own them), zero for an article not counted yet.
 * Written only while the site is the incarnation the registry belongs to.
 */
export const mirrorArticleQuery = (
  { site, siteCreatedAt }: SiteIncarnation,
  article: MirroredArticle,
  bucket: number,
): Query => ({
  sql: `INSERT INTO articles (site_id, url, title, image, section, published, views, shares, first_bucket,
                              status, hidden, page_url, checked_at)
        SELECT ?1, ?3, ?4, ?5, ?6, ?7, 0, 0, ?8, ?9, ?10, ?11, ?12 WHERE ${SITE_EXISTS}
        ON CONFLICT (site_id, url) DO UPDATE SET title = excluded.title, image = excluded.image,
          section = excluded.section, published = excluded.published, status = excluded.status,
          hidden = excluded.hidden, page_url = excluded.page_url, checked_at = excluded.checked_at`,
  params: [
    site,
    siteCreatedAt,
    article.url,
    article.title,
    article.image,
    article.section,
    article.published,
    bucket,
    article.status,
    article.hidden ? 1 : 0,
    article.pageUrl,
    article.checkedAt,
  ],
});

/**
 * A rejected article: the row D1 may hold from before keeps its counts and
 * ranks no more; a row made for it now (by a later flush's increments, say)
 * is rejected from the start.
 */
export const mirrorRejectionQuery = (
  { site, siteCreatedAt }: SiteIncarnation,
  url: string,
  checkedAt: string,
  bucket: number,
): Query => ({
  sql: `INSERT INTO articles (site_id, url, views, shares, first_bucket, status, checked_at)
        SELECT ?1, ?3, 0, 0, ?5, 'rejected', ?4 WHERE ${SITE_EXISTS}
        ON CONFLICT (site_id, url) DO UPDATE SET status = 'rejected', checked_at = excluded.checked_at`,
  params: [site, siteCreatedAt, url, checkedAt, bucket],
});

/** Another spelling of an article, answered with its counts. */
export const mirrorAliasQuery = ({ site, siteCreatedAt }: SiteIncarnation, alias: string, url: string): Query => ({
  sql: `INSERT INTO article_aliases (site_id, alias, url) SELECT ?1, ?3, ?4 WHERE ${SITE_EXISTS}
        ON CONFLICT (site_id, alias) DO UPDATE SET url = excluded.url`,
  params: [site, siteCreatedAt, alias, url],
});

/** An article D1 holds for a site, as a registry adopts it: counted before registries existed, or seeded. */
export interface CountedArticle extends ArticleMetadata {
  url: string;
  hidden: boolean;
  pageUrl: string | null;
}

/** Which of `urls` D1 holds as verified articles of the site: one query. */
export async function readCountedArticles(
  db: D1Database,
  { site, siteCreatedAt }: SiteIncarnation,
  urls: string[],
): Promise<CountedArticle[]> {
  const { results } = await prepareQuery(db, {
    sql: `SELECT url, title, image, section, published, hidden, page_url AS pageUrl FROM articles
          WHERE site_id = ?1 AND status = 'verified' AND url IN (SELECT value FROM json_each(?3)) AND ${SITE_EXISTS}`,
    params: [site, siteCreatedAt, JSON.stringify(urls)],
  }).all<Omit<CountedArticle, 'hidden'> & { hidden: number }>();
  return results.map((row) => ({ ...row, hidden: row.hidden === 1 }));
}

/** Whether the site is still the incarnation a registry belongs to. */
export async function siteExists(db: D1Database, { site, siteCreatedAt }: SiteIncarnation): Promise<boolean> {
  const found = await prepareQuery(db, {
    sql: `SELECT 1 AS found WHERE ${SITE_EXISTS}`,
    params: [site, siteCreatedAt],
  }).first();
  return found !== null;
}

/** The tables that hold an article's counts under its URL: the rest of each key, and the columns that add up. */
const COUNT_TABLES = [
  { table: 'article_hours', key: 'bucket', sums: ['views', 'shares', 'reads'] },
  { table: 'article_days', key: 'day', sums: ['views', 'shares', 'reads'] },
  { table: 'article_network_shares', key: 'network', sums: ['shares'] },
] as const;

/**
 * Moves what D1 counted under `from` (a URL that turned out to be another
 * spelling of `to`) to `to`: totals, hours, days (views, shares, reads) and shares per network are
 * added to the article's, and `from`'s rows go, so that its counts survive
 * the change of URL. The running window totals follow the hours by
 * themselves (migration 0005's triggers): `from`'s are only dropped. For one
 * D1 batch.
 */
export function mergeArticleQueries({ site, siteCreatedAt }: SiteIncarnation, from: string, to: string): Query[] {
  const params = [site, siteCreatedAt, from, to];
  const remove = (table: string): Query => ({
    sql: `DELETE FROM ${table} WHERE site_id = ?1 AND url = ?3 AND ${SITE_EXISTS} AND ?4 IS NOT NULL`,
    params,
  });
  return [
    {
      sql: `INSERT INTO articles (site_id, url, views, shares, reads, first_bucket, status)
            SELECT site_id, ?4, views, shares, reads, first_bucket, 'verified' FROM articles
            WHERE site_id = ?1 AND url = ?3 AND ${SITE_EXISTS}
            ON CONFLICT (site_id, url) DO UPDATE SET views = views + excluded.views, shares = shares + excluded.shares,
              reads = reads + excluded.reads,
              first_bucket = min(first_bucket, excluded.first_bucket)`,
      params,
    },
    remove('articles'),
    remove('window_totals'),
    ...COUNT_TABLES.flatMap(({ table, key, sums }): Query[] => [
      {
        sql: `INSERT INTO ${table} (site_id, url, ${key}, ${sums.join(', ')})
              SELECT site_id, ?4, ${key}, ${sums.join(', ')} FROM ${table} WHERE site_id = ?1 AND url = ?3 AND ${SITE_EXISTS}
              ON CONFLICT DO UPDATE SET ${sums.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`,
        params,
      },
      remove(table),
    ]),
  ];
}
