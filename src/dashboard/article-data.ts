import type { Series } from '../../common/dashboard-json';
import type { ArticleRecord } from '../articles/article-schema';
import { registryFor } from '../articles/registry-client';
import { readArticle, readArticleNetworks, readArticleSeries, type StoredArticle } from '../db/article-page';
import { type NetworkShares, type Period, periodSpan } from '../db/series';
import { readPopular } from '../popular/read-popular';
import { MAX_LIMIT } from '../ranking/popular-request';
import { type RankWindow, WINDOWS } from '../ranking/windows';
import type { Site } from '../sites/site-schema';
import { bucketOf } from '../time';
import { hourMinuteOf } from './overview-data';

/** The article page's periods: those its hourly rows cover (hourly counts are kept 31 days at least). */
export const ARTICLE_PERIODS = ['24h', '7d', '30d'] as const satisfies readonly Period[];
export type ArticlePeriod = (typeof ARTICLE_PERIODS)[number];

/** The article's place in one window of the popular ranking by views, and its counts there; null below the top MAX_LIMIT. */
export interface WindowRank {
  window: RankWindow;
  place: { rank: number; views: number; shares: number } | null;
}

/** What the article page shows. */
export interface ArticleView {
  article: StoredArticle;
  /** What the site's registry holds of it (status, aliases, last check); null for an article it never took (seeded, or counted before it). */
  registered: ArticleRecord | null;
  period: ArticlePeriod;
  series: Series;
  networks: NetworkShares[];
  ranks: WindowRank[];
  hourMinute: number;
}

/**
 * Where an article stands in each window: the popular endpoint's own ranking
 * by views (src/popular/read-popular.ts), read to its largest limit.
 */
async function readRanks(db: D1Database, site: Site, url: string, nowMs: number): Promise<WindowRank[]> {
  const lists = await Promise.all(
    WINDOWS.map((window) =>
      readPopular(db, site, { window, by: 'views', limit: MAX_LIMIT, section: null, exclude: [] }, nowMs),
    ),
  );
  return lists.map((list) => {
    const item = list.items.find((candidate) => candidate.url === url);
    return { window: list.window, place: item ? { rank: item.rank, views: item.views, shares: item.shares } : null };
  });
}

/**
 * One article of `site` over `period`, or null when the site has no counts
 * for it. `url` may be another spelling of an article (an alias the
 * registry knows): the counts are the canonical article's.
 */
export async function readArticleView(
  env: Pick<Env, 'DB' | 'ARTICLES'>,
  site: Site,
  url: string,
  period: ArticlePeriod,
  nowMs: number,
): Promise<ArticleView | null> {
  const db = env.DB;
  const registered = await registryFor(env, site).find(url);
  const key = registered?.url ?? url;
  const span = periodSpan(period, bucketOf(nowMs), site.settings.time_zone);
  const [article, series, networks, ranks] = await Promise.all([
    readArticle(db, site.id, key),
    readArticleSeries(db, site.id, key, span),
    readArticleNetworks(db, site.id, key),
    readRanks(db, site, key, nowMs),
  ]);
  if (!article) return null;
  return { article, registered, period, series, networks, ranks, hourMinute: hourMinuteOf(nowMs, site) };
}
