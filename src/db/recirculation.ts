import type { BoxRow } from '../recirculation/recirculation-figures';
import type { Span } from '../time';

/**
 * A site's popular-box tallies over the UTC days of `days`, a row per list
 * and position (impressions at position 0): one index range of
 * site_box_days, summed, so the answer is bounded by the lists and positions
 * (at most 21 × 51 rows) whatever the number of days.
 */
export async function readBoxRows(db: D1Database, site: string, days: Span): Promise<BoxRow[]> {
  const { results } = await db
    .prepare(
      `SELECT list, position, sum(impressions) AS impressions, sum(clicks) AS clicks,
              sum(quality_clicks) AS qualityClicks
       FROM site_box_days WHERE site_id = ?1 AND day BETWEEN ?2 AND ?3
       GROUP BY list, position`,
    )
    .bind(site, days.from, days.to)
    .all<BoxRow>();
  return results;
}
