import type { PopularRequest } from '../ranking/popular-request';
import type { Candidate } from '../ranking/rank';
import {
  type RankBy,
  type RankWindow,
  RUNNING_TOTAL_WINDOWS,
  TRENDING_HOURS,
  WINDOW_HOURS,
  type WindowRows,
  windowRows,
} from '../ranking/windows';
import type { SiteSettings } from '../sites/site-schema';
import { dayOfBucket } from '../time';
import { prepareQuery, type Query, runBatch } from './query';

/** A CTE `sums (url, views, shares, reads, trending)` and its parameters, numbered from ?3. */
interface SumsSource {
  sql: string;
  params: number[];
}

// ?1 site, ?2 share_weight, then each source's own parameters from ?3 on. The
// sums are per URL, so that D1 returns one row per article, never one per hour.
const windowSums = (rows: WindowRows): SumsSource => ({
  sql: `
    counts (url, views, shares, reads) AS (
      SELECT url, views, shares, reads FROM article_hours WHERE site_id = ?1 AND bucket BETWEEN ?3 AND ?4
      UNION ALL
      SELECT url, views, shares, reads FROM article_hours WHERE site_id = ?1 AND bucket BETWEEN ?5 AND ?6
      UNION ALL
      SELECT url, views, shares, reads FROM article_days WHERE site_id = ?1 AND day BETWEEN ?7 AND ?8
    ),
    sums AS (
      SELECT url, sum(views) AS views, sum(shares) AS shares, sum(reads) AS reads, NULL AS trending
      FROM counts GROUP BY url
    )`,
  params: [rows.hours[0].from, rows.hours[0].to, rows.hours[1].from, rows.hours[1].to, rows.days.from, rows.days.to],
});

// The running totals of migration 0005 hold the buckets b > through - hours.
// Totals at this reader's hour are the window itself, read in index order.
const currentTotals = (hours: number): SumsSource => ({
  sql: `
    sums AS (
      SELECT url, views, shares, reads, NULL AS trending FROM window_totals WHERE site_id = ?1 AND hours = ?3
    )`,
  params: [hours],
});

// Totals at another hour (the next flush or the cron has yet to move them, or
// a clock ahead of this reader's moved them further) are corrected in the same
// statement, by the through_bucket it reads: so whatever commits between two
// round trips, the sums are of one consistent state. Less the hours that left
// the window since (through - hours, current - hours] and any after the
// current hour; plus the hours totals ahead have already dropped.
const correctedTotals = (hours: number, currentBucket: number): SumsSource => ({
  sql: `
    counts (url, views, shares, reads) AS (
      SELECT url, views, shares, reads FROM window_totals WHERE site_id = ?1 AND hours = ?3
      UNION ALL
      SELECT h.url, -h.views, -h.shares, -h.reads FROM window_state s JOIN article_hours h
        ON h.site_id = ?1 AND h.bucket > s.through_bucket - ?3 AND h.bucket <= ?4 - ?3
      WHERE s.site_id = ?1 AND s.hours = ?3
      UNION ALL
      SELECT h.url, -h.views, -h.shares, -h.reads FROM window_state s JOIN article_hours h
        ON h.site_id = ?1 AND h.bucket > max(?4, s.through_bucket - ?3)
      WHERE s.site_id = ?1 AND s.hours = ?3
      UNION ALL
      SELECT h.url, h.views, h.shares, h.reads FROM window_state s JOIN article_hours h
        ON h.site_id = ?1 AND h.bucket > ?4 - ?3 AND h.bucket <= min(?4, s.through_bucket - ?3)
      WHERE s.site_id = ?1 AND s.hours = ?3
    ),
    sums AS (
      SELECT url, sum(views) AS views, sum(shares) AS shares, sum(reads) AS reads, NULL AS trending
      FROM counts GROUP BY url
    )`,
  params: [hours, currentBucket],
});

// API.md: sum over b in the last 168 hours of score_b * 0.5 ^ ((current - b) / half_life).
// NOTE: workerd's SQLite authoriser allows pow() but not its alias power()
// (the allow-list in workerd's src/workerd/util/sqlite.c++). D1 binds every JS
// number as REAL, and the CAST keeps the exponent a real division regardless.
const trendingSums = (currentBucket: number, halfLifeHours: number): SumsSource => ({
  sql: `
    sums AS (
      SELECT url, sum(views) AS views, sum(shares) AS shares, sum(reads) AS reads,
             sum((views + ?2 * shares) * pow(0.5, (?3 - bucket) / CAST(?4 AS REAL))) AS trending
      FROM article_hours WHERE site_id = ?1 AND bucket BETWEEN ?5 AND ?3
      GROUP BY url
    )`,
  params: [currentBucket, halfLifeHours, currentBucket - TRENDING_HOURS + 1],
});

const METRIC_COLUMNS: Record<RankBy, string> = {
  views: 'views',
  shares: 'shares',
  score: 'score',
  reads: 'reads',
  trending: 'trending',
};

/** What a site's stored state says about where its windows' rows are. */
export interface StoredWindowState {
  /** The rollup watermark; null before the site's first rollup. */
  rolledThroughDay: number | null;
  /** The bucket the window's running totals are at; null without running totals. */
  totalsThroughBucket: number | null;
}

const hasRunningTotals = (window: RankWindow): window is (typeof RUNNING_TOTAL_WINDOWS)[number] =>
  (RUNNING_TOTAL_WINDOWS as readonly RankWindow[]).includes(window);

function sumsSource(
  settings: Pick<SiteSettings, 'half_life_hours'>,
  request: PopularRequest,
  currentBucket: number,
  { rolledThroughDay, totalsThroughBucket }: StoredWindowState,
): SumsSource | null {
  if (request.by === 'trending') return trendingSums(currentBucket, settings.half_life_hours);
  if (request.window === 'all') return null;
  const hours = WINDOW_HOURS[request.window];
  if (hasRunningTotals(request.window) && totalsThroughBucket !== null) {
    return totalsThroughBucket === currentBucket ? currentTotals(hours) : correctedTotals(hours, currentBucket);
  }
  return windowSums(windowRows(hours, currentBucket, rolledThroughDay));
}

/**
 * The GLOB of an `exclude_paths` pattern: `*` is a wildcard in both, and
 * GLOB's other specials (`?`, `[`) are written as classes that match only
 * themselves.
 *
 * @example
 * globOfPathPattern('/tag/*') // '/tag/*'
 * globOfPathPattern('/a?[b]') // '/a[?][[]b]'
 */
export const globOfPathPattern = (pattern: string): string => pattern.replace(/[?[]/g, (special) => `[${special}]`);

// The path of a's normalised URL, https://host[:port]/path[?query]: from the
// first '/' after 'https://' (8 characters) up to the '?', if any.
const AFTER_SCHEME = 'substr(a.url, 9)';
const ARTICLE_PATH = `substr(${AFTER_SCHEME}, instr(${AFTER_SCHEME}, '/'), instr(${AFTER_SCHEME} || '?', '?') - instr(${AFTER_SCHEME}, '/'))`;

/** The settings a site's ranking depends on. */
export type RankingSettings = Pick<SiteSettings, 'share_weight' | 'half_life_hours' | 'exclude_paths'>;

/**
 * The statement that ranks a site's articles for `request`: sums per URL over
 * the window's rows (or the all-time totals), of verified articles not hidden
 * and not on an excluded path, filtered, ordered by the metric then the URL,
 * cut at the limit. It narrows in SQL what `rankArticles` decides, with the
 * same rules, so that D1 returns at most `limit` rows.
 */
export function rankingQuery(
  site: string,
  settings: RankingSettings,
  request: PopularRequest,
  currentBucket: number,
  stored: StoredWindowState,
): Query {
  const metric = METRIC_COLUMNS[request.by];
  const source = sumsSource(settings, request, currentBucket, stored);
  const n = 2 + (source?.params.length ?? 0); // the filters' parameters follow the source's
  // Counted articles that never rank: not verified (yet, or any more), hidden, or on an excluded path.
  const rankable = `a.status = 'verified' AND a.hidden = 0 AND NOT EXISTS (SELECT 1 FROM json_each(?${n + 3}) WHERE ${ARTICLE_PATH} GLOB json_each.value)`;
  const filters = `${rankable} AND (?${n + 1} IS NULL OR a.section = ?${n + 1}) AND a.url NOT IN (SELECT value FROM json_each(?${n + 2}))`;
  const sql = source
    ? // CROSS JOIN keeps the sums as the outer loop: only articles with counts
      // in the window are looked up, not every article of the site.
      `WITH ${source.sql},
      ranked AS (SELECT url, views, shares, reads, views + ?2 * shares AS score, trending FROM sums)
      SELECT r.url, coalesce(a.page_url, r.url) AS link, a.title, a.image, a.section, a.published, r.views, r.shares, r.reads, r.score, r.trending
      FROM ranked r CROSS JOIN articles a ON a.site_id = ?1 AND a.url = r.url
      WHERE r.${metric} > 0 AND ${filters}
      ORDER BY r.${metric} DESC, r.url LIMIT ?${n + 4}`
    : // The all-time totals: the articles row itself, read in index order for views, shares and reads.
      `SELECT a.url, coalesce(a.page_url, a.url) AS link, a.title, a.image, a.section, a.published, a.views, a.shares, a.reads, a.views + ?2 * a.shares AS score, NULL AS trending
      FROM articles a
      WHERE a.site_id = ?1 AND ${metric === 'score' ? 'a.views + ?2 * a.shares' : `a.${metric}`} > 0 AND ${filters}
      ORDER BY ${metric === 'score' ? 'score' : `a.${metric}`} DESC, a.url LIMIT ?${n + 4}`;
  return {
    sql,
    params: [
      site,
      settings.share_weight,
      ...(source?.params ?? []),
      request.section,
      JSON.stringify(request.exclude),
      JSON.stringify(settings.exclude_paths.map(globOfPathPattern)),
      request.limit,
    ],
  };
}

/** The site's rollup watermark and the bucket of its running totals of `hours`: two key lookups. */
const windowStateQuery = (site: string, hours: number): Query => ({
  sql: `SELECT (SELECT rolled_through_day FROM rollup_state WHERE site_id = ?1) AS rolledThroughDay,
              (SELECT through_bucket FROM window_state WHERE site_id = ?1 AND hours = ?2) AS totalsThroughBucket`,
  params: [site, hours],
});

const NO_STORED_STATE: StoredWindowState = { rolledThroughDay: null, totalsThroughBucket: null };

const sameQuery = (a: Query, b: Query) =>
  a.sql === b.sql && a.params.length === b.params.length && a.params.every((p, i) => p === b.params[i]);

/** A site as its popular lists depend on it: the id and the ranking settings. */
export type RankingSite = { id: string; settings: RankingSettings };

/**
 * The ranked candidates of `request`, in one D1 round trip as a rule. A bounded
 * window's rows depend on the site's stored state, so its state is read in the
 * same batch (one transaction) as the query for the usual state: running
 * totals at this hour, days rolled up to yesterday. Only when the state is
 * otherwise (minutes after an hour or a day began, or a site's first hour)
 * does the query it calls for follow, exact whatever has committed since: an
 * older watermark means more hourly rows (see windowRows), and totals at
 * another hour are corrected by the state the query itself reads (see
 * correctedTotals). Totals, once a site has them, are never taken away.
 */
export async function readCandidates(
  db: D1Database,
  site: RankingSite,
  request: PopularRequest,
  currentBucket: number,
): Promise<Candidate[]> {
  const queryFor = (stored: StoredWindowState) => rankingQuery(site.id, site.settings, request, currentBucket, stored);
  if (request.by === 'trending' || request.window === 'all') {
    return (await prepareQuery(db, queryFor(NO_STORED_STATE)).all<Candidate>()).results;
  }
  const assumed = queryFor({ rolledThroughDay: dayOfBucket(currentBucket) - 1, totalsThroughBucket: currentBucket });
  const [state, candidates] = await runBatch<Candidate & StoredWindowState>(db, [
    windowStateQuery(site.id, WINDOW_HOURS[request.window]),
    assumed,
  ]);
  const needed = queryFor(state?.results[0] ?? NO_STORED_STATE);
  if (sameQuery(needed, assumed)) return candidates?.results ?? [];
  return (await prepareQuery(db, needed).all<Candidate>()).results;
}
