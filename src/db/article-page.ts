import type { Series } from '../../common/dashboard-json';
import { type HourRow, type NetworkShares, type SeriesSpan, seriesOfHours, spanBuckets } from './series';

/** An article as the dashboard's article page shows it: its metadata and all-time totals. */
export interface StoredArticle {
  url: string;
  /** The article as its page gives it (scheme and port included) when known, else `url`: where links go. */
  link: string;
  title: string | null;
  image: string | null;
  section: string | null;
  published: string | null;
  views: number;
  shares: number;
  reads: number;
  /** The UTC hour of its first counted event. */
  firstBucket: number;
}

/** One article of a site by its normalised URL, or null when nothing was ever counted for it. */
export async function readArticle(db: D1Database, site: string, url: string): Promise<StoredArticle | null> {
  return db
    .prepare(
      `SELECT url, coalesce(page_url, url) AS link, title, image, section, published, views, shares, reads,
              first_bucket AS firstBucket
       FROM articles WHERE site_id = ?1 AND url = ?2`,
    )
    .bind(site, url)
    .first<StoredArticle>();
}

/** One article's views, shares and reads per point of `span`, from article_hours. */
export async function readArticleSeries(db: D1Database, site: string, url: string, span: SeriesSpan): Promise<Series> {
  const { results } = await db
    .prepare(
      `SELECT bucket, views, shares, reads FROM article_hours
       WHERE site_id = ?1 AND url = ?2 AND bucket BETWEEN ?3 AND ?4 ORDER BY bucket`,
    )
    .bind(site, url, ...spanBuckets(span))
    .all<HourRow>();
  return seriesOfHours(span, results);
}

/** One article's all-time shares per network, most shared first (then by name). */
export async function readArticleNetworks(db: D1Database, site: string, url: string): Promise<NetworkShares[]> {
  const { results } = await db
    .prepare(
      `SELECT network, shares FROM article_network_shares
       WHERE site_id = ?1 AND url = ?2 AND shares > 0
       ORDER BY shares DESC, network`,
    )
    .bind(site, url)
    .all<NetworkShares>();
  return results;
}
