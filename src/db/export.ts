import { HOURS_PER_DAY } from '../time';

/** One article's all-time totals and metadata. */
export interface ExportTotal {
  url: string;
  title: string | null;
  section: string | null;
  published: string | null;
  views: number;
  shares: number;
  reads: number;
}

/** One article's counts on one UTC day, with the article's metadata. */
export interface ExportDay extends ExportTotal {
  day: number;
}

/** Days read per statement: bounds each answer's size however many articles a site has. */
const DAYS_PER_PAGE = 7;
/** Articles read per statement for the totals. */
const TOTALS_PER_PAGE = 1000;

/** The first and last UTC day with counts in either table; null when the site has none. */
export async function readDaySpan(db: D1Database, site: string): Promise<{ from: number; to: number } | null> {
  // Four index lookups: article_days is keyed (site_id, day, …), article_hours has (site_id, bucket).
  const row = await db
    .prepare(
      `SELECT min(day) AS first, max(day) AS last FROM (
         SELECT min(day) AS day FROM article_days WHERE site_id = ?1
         UNION ALL SELECT max(day) FROM article_days WHERE site_id = ?1
         UNION ALL SELECT min(bucket) / ${HOURS_PER_DAY} FROM article_hours WHERE site_id = ?1
         UNION ALL SELECT max(bucket) / ${HOURS_PER_DAY} FROM article_hours WHERE site_id = ?1
       )`,
    )
    .bind(site)
    .first<{ first: number | null; last: number | null }>();
  return row?.first == null || row.last == null ? null : { from: row.first, to: row.last };
}

/**
 * Each article's counts per day for days `from`..`to`, by day then URL.
 *
 * A day up to the rollup watermark is read from its daily row, which the
 * rollup and the late-write triggers keep exact, and never from hourly rows,
 * which may still be kept for it; a later day is summed from its hours. The
 * watermark and the rows are read in one statement, so a rollup committing
 * meanwhile cannot make a day count twice or not at all.
 */
export async function readDayCounts(db: D1Database, site: string, from: number, to: number): Promise<ExportDay[]> {
  const { results } = await db
    .prepare(
      `WITH watermark (day) AS (
         SELECT coalesce((SELECT rolled_through_day FROM rollup_state WHERE site_id = ?1), -1)
       ),
       counts (day, url, views, shares, reads) AS (
         SELECT day, url, views, shares, reads FROM article_days
         WHERE site_id = ?1 AND day BETWEEN ?2 AND min(?3, (SELECT day FROM watermark))
         UNION ALL
         SELECT bucket / ${HOURS_PER_DAY}, url, sum(views), sum(shares), sum(reads) FROM article_hours
         WHERE site_id = ?1
           AND bucket BETWEEN max(?2, (SELECT day FROM watermark) + 1) * ${HOURS_PER_DAY} AND (?3 + 1) * ${HOURS_PER_DAY} - 1
         GROUP BY bucket / ${HOURS_PER_DAY}, url
       )
       SELECT c.day, c.url, a.title, a.section, a.published, c.views, c.shares, c.reads
       FROM counts c LEFT JOIN articles a ON a.site_id = ?1 AND a.url = c.url
       WHERE c.views > 0 OR c.shares > 0 OR c.reads > 0
       ORDER BY c.day, c.url`,
    )
    .bind(site, from, to)
    .all<ExportDay>();
  return results;
}

/** Every day's rows of a site, oldest first, a week per statement. */
export async function* exportDays(db: D1Database, site: string): AsyncGenerator<ExportDay> {
  const days = await readDaySpan(db, site);
  if (!days) return;
  for (let from = days.from; from <= days.to; from += DAYS_PER_PAGE) {
    yield* await readDayCounts(db, site, from, Math.min(from + DAYS_PER_PAGE - 1, days.to));
  }
}

/** Up to `limit` articles' totals with a URL after `afterUrl`, by URL. */
export async function readTotals(
  db: D1Database,
  site: string,
  afterUrl: string,
  limit: number,
): Promise<ExportTotal[]> {
  const { results } = await db
    .prepare(
      `SELECT url, title, section, published, views, shares, reads FROM articles
       WHERE site_id = ?1 AND url > ?2 ORDER BY url LIMIT ?3`,
    )
    .bind(site, afterUrl, limit)
    .all<ExportTotal>();
  return results;
}

/** Every article's all-time totals, by URL, a page per statement (keyset on the URL). */
export async function* exportTotals(db: D1Database, site: string): AsyncGenerator<ExportTotal> {
  let after = '';
  for (;;) {
    const page = await readTotals(db, site, after, TOTALS_PER_PAGE);
    yield* page;
    if (page.length < TOTALS_PER_PAGE) return;
    after = page.at(-1)!.url;
  }
}
