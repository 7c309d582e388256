import { bucketOf } from '../ingest/time';
import type { PopularRequest } from '../ranking/popular-query';
import { rankArticles, type Candidate, type PopularList } from '../ranking/rank';
import { TRENDING_HOURS, WINDOW_HOURS, windowRows, type RankBy, type WindowRows } from '../ranking/windows';
import type { SiteSettings } from '../sites/site-schema';
import type { Query } from './counts';

/** A CTE `sums (url, views, shares, trending)` and its parameters, numbered from ?3. */
interface SumsSource {
  sql: string;
  params: number[];
}

// ?1 site, ?2 share_weight, then each source's own parameters from ?3 on. The
// sums are per URL, so that D1 returns one row per article, never one per hour.
const windowSums = (rows: WindowRows): SumsSource => ({
  sql: `
    counts (url, views, shares) AS (
      SELECT url, views, shares FROM article_hours WHERE site_id = ?1 AND bucket BETWEEN ?3 AND ?4
      UNION ALL
      SELECT url, views, shares FROM article_hours WHERE site_id = ?1 AND bucket BETWEEN ?5 AND ?6
      UNION ALL
      SELECT url, views, shares FROM article_days WHERE site_id = ?1 AND day BETWEEN ?7 AND ?8
    ),
    sums AS (
      SELECT url, sum(views) AS views, sum(shares) AS shares, NULL AS trending FROM counts GROUP BY url
    )`,
  params: [rows.hours[0].from, rows.hours[0].to, rows.hours[1].from, rows.hours[1].to, rows.days.from, rows.days.to],
});

// API.md: sum over b in the last 168 hours of score_b * 0.5 ^ ((current - b) / half_life).
// NOTE: workerd's SQLite authoriser allows pow() but not its alias power()
// (the allow-list in workerd's src/workerd/util/sqlite.c++). D1 binds every JS
// number as REAL, and the CAST keeps the exponent a real division regardless.
const trendingSums = (currentBucket: number, halfLifeHours: number): SumsSource => ({
  sql: `
    sums AS (
      SELECT url, sum(views) AS views, sum(shares) AS shares,
             sum((views + ?2 * shares) * pow(0.5, (?3 - bucket) / CAST(?4 AS REAL))) AS trending
      FROM article_hours WHERE site_id = ?1 AND bucket BETWEEN ?5 AND ?3
      GROUP BY url
    )`,
  params: [currentBucket, halfLifeHours, currentBucket - TRENDING_HOURS + 1],
});

const METRIC_COLUMNS: Record<RankBy, string> = { views: 'views', shares: 'shares', score: 'score', trending: 'trending' };

/**
 * The statement that ranks a site's articles for `request`: sums per URL over
 * the window's rows (or the all-time totals), filtered, ordered by the metric
 * then the URL, cut at the limit. It narrows in SQL what `rankArticles`
 * decides, with the same rules, so that D1 returns at most `limit` rows.
 */
export function rankingQuery(
  site: string,
  settings: Pick<SiteSettings, 'share_weight' | 'half_life_hours'>,
  request: PopularRequest,
  currentBucket: number,
  rolledThroughDay: number | null,
): Query {
  const metric = METRIC_COLUMNS[request.by];
  const source =
    request.by === 'trending'
      ? trendingSums(currentBucket, settings.half_life_hours)
      : request.window === 'all'
        ? null
        : windowSums(windowRows(WINDOW_HOURS[request.window], currentBucket, rolledThroughDay));
  const n = 2 + (source?.params.length ?? 0); // the filters' parameters follow the source's
  const filters = `(?${n + 1} IS NULL OR a.section = ?${n + 1}) AND a.url NOT IN (SELECT value FROM json_each(?${n + 2}))`;
  const sql = source
    ? // CROSS JOIN keeps the sums as the outer loop: only articles with counts
      // in the window are looked up, not every article of the site.
      `WITH ${source.sql},
      ranked AS (SELECT url, views, shares, views + ?2 * shares AS score, trending FROM sums)
      SELECT r.url, a.title, a.image, a.section, a.published, r.views, r.shares, r.score, r.trending
      FROM ranked r CROSS JOIN articles a ON a.site_id = ?1 AND a.url = r.url
      WHERE r.${metric} > 0 AND ${filters}
      ORDER BY r.${metric} DESC, r.url LIMIT ?${n + 3}`
    : // The all-time totals: the articles row itself, read in index order for views and shares.
      `SELECT a.url, a.title, a.image, a.section, a.published, a.views, a.shares, a.views + ?2 * a.shares AS score, NULL AS trending
      FROM articles a
      WHERE a.site_id = ?1 AND ${metric === 'score' ? 'a.views + ?2 * a.shares' : `a.${metric}`} > 0 AND ${filters}
      ORDER BY ${metric === 'score' ? 'score' : `a.${metric}`} DESC, a.url LIMIT ?${n + 3}`;
  return {
    sql,
    params: [site, settings.share_weight, ...(source?.params ?? []), request.section, JSON.stringify(request.exclude), request.limit],
  };
}

/** The site's rollup watermark; null before its first rollup. */
export async function readRolledThroughDay(db: D1Database, site: string): Promise<number | null> {
  const row = await db
    .prepare('SELECT rolled_through_day FROM rollup_state WHERE site_id = ?')
    .bind(site)
    .first<{ rolled_through_day: number }>();
  return row?.rolled_through_day ?? null;
}

/** The popular list of a site at `nowMs`, from D1. */
export async function readPopular(
  db: D1Database,
  site: { id: string; settings: Pick<SiteSettings, 'share_weight' | 'half_life_hours'> },
  request: PopularRequest,
  nowMs: number,
): Promise<PopularList> {
  // Only whole-day windows read daily rows; a watermark read just before a
  // rollup commits is still exact (see windowRows).
  const usesDays = request.by !== 'trending' && request.window !== 'all';
  const rolledThroughDay = usesDays ? await readRolledThroughDay(db, site.id) : null;
  const { sql, params } = rankingQuery(site.id, site.settings, request, bucketOf(nowMs), rolledThroughDay);
  const { results } = await db.prepare(sql).bind(...params).all<Candidate>();
  return {
    site: site.id,
    window: request.window,
    by: request.by,
    generated_at: new Date(nowMs).toISOString(),
    items: rankArticles(results, request),
  };
}
