import type { ArticleStatus } from '../articles/article-schema';
import type { ArticleMetadata } from '../articles/metadata';
import type { SiteIncarnation } from './counts';
import type { Query } from './query';

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

/** A rejected article D1 may hold from before: it keeps its counts and ranks no more. */
export const mirrorRejectionQuery = (
  { site, siteCreatedAt }: SiteIncarnation,
  url: string,
  checkedAt: string,
): Query => ({
  sql: `UPDATE articles SET status = 'rejected', checked_at = ?4 WHERE site_id = ?1 AND url = ?3 AND ${SITE_EXISTS}`,
  params: [site, siteCreatedAt, url, checkedAt],
});

/** Another spelling of an article, answered with its counts. */
export const mirrorAliasQuery = ({ site, siteCreatedAt }: SiteIncarnation, alias: string, url: string): Query => ({
  sql: `INSERT INTO article_aliases (site_id, alias, url) SELECT ?1, ?3, ?4 WHERE ${SITE_EXISTS}
        ON CONFLICT (site_id, alias) DO UPDATE SET url = excluded.url`,
  params: [site, siteCreatedAt, alias, url],
});
