import type { Series, Step, Totals } from '../../common/dashboard-json';
import { dayOfBucket, HOUR_MS, HOURS_PER_DAY } from '../time';

/** The dashboard's chart periods. */
export const PERIODS = ['24h', '7d', '30d', '90d'] as const;
export type Period = (typeof PERIODS)[number];

/** An inclusive range of points, in units of `step` (buckets or days). */
export interface SeriesSpan {
  step: Step;
  from: number;
  to: number;
}

// A day or a week reads well hour by hour; a month or a quarter is a bar per UTC day.
const PERIOD_POINTS: Record<Period, { step: Step; count: number }> = {
  '24h': { step: 'hour', count: 24 },
  '7d': { step: 'hour', count: 168 },
  '30d': { step: 'day', count: 30 },
  '90d': { step: 'day', count: 90 },
};

/**
 * The points a period charts, ending with the current hour or the current
 * (unfinished) UTC day. `24h` holds the same buckets as the ranking window.
 *
 * @example
 * periodSpan('24h', 1000) // { step: 'hour', from: 977, to: 1000 }
 */
export function periodSpan(period: Period, currentBucket: number): SeriesSpan {
  const { step, count } = PERIOD_POINTS[period];
  const last = step === 'hour' ? currentBucket : dayOfBucket(currentBucket);
  return { step, from: last - count + 1, to: last };
}

/** The span of the same length just before `span`: what a period is compared with. */
export const previousSpan = (span: SeriesSpan): SeriesSpan => ({
  step: span.step,
  from: 2 * span.from - span.to - 1,
  to: span.from - 1,
});

/** The hourly buckets a span covers. */
const bucketsOf = ({ step, from, to }: SeriesSpan): [number, number] =>
  step === 'hour' ? [from, to] : [from * HOURS_PER_DAY, (to + 1) * HOURS_PER_DAY - 1];

const STEP_SECONDS: Record<Step, number> = { hour: HOUR_MS / 1000, day: (HOURS_PER_DAY * HOUR_MS) / 1000 };

/**
 * A site's views and shares per point of `span`, from site_hours (one row per
 * site and hour, so a period costs at most 2,160 rows whatever the number of
 * articles). Points without a row are zeros, so that charts show the quiet hours.
 */
export async function readSiteSeries(db: D1Database, site: string, span: SeriesSpan): Promise<Series> {
  const [first, last] = bucketsOf(span);
  const point = span.step === 'hour' ? 'bucket' : `bucket / ${HOURS_PER_DAY}`;
  const { results } = await db
    .prepare(
      `SELECT ${point} AS point, sum(views) AS views, sum(shares) AS shares
       FROM site_hours WHERE site_id = ?1 AND bucket BETWEEN ?2 AND ?3
       GROUP BY point`,
    )
    .bind(site, first, last)
    .all<{ point: number; views: number; shares: number }>();
  const byPoint = new Map(results.map((row) => [row.point, row]));
  const series: Series = { step: span.step, times: [], views: [], shares: [] };
  for (let point = span.from; point <= span.to; point++) {
    const row = byPoint.get(point);
    series.times.push(point * STEP_SECONDS[span.step]);
    series.views.push(row?.views ?? 0);
    series.shares.push(row?.shares ?? 0);
  }
  return series;
}

/** A site's views and shares summed over `span`. */
export async function readSiteTotals(db: D1Database, site: string, span: SeriesSpan): Promise<Totals> {
  const row = await db
    .prepare(
      `SELECT coalesce(sum(views), 0) AS views, coalesce(sum(shares), 0) AS shares
       FROM site_hours WHERE site_id = ?1 AND bucket BETWEEN ?2 AND ?3`,
    )
    .bind(site, ...bucketsOf(span))
    .first<Totals>();
  return row ?? { views: 0, shares: 0 };
}

export interface NetworkShares {
  network: string;
  shares: number;
}

/** A site's shares per network over `span`, most shared first (then by name), from site_network_hours. */
export async function readNetworkShares(db: D1Database, site: string, span: SeriesSpan): Promise<NetworkShares[]> {
  const { results } = await db
    .prepare(
      `SELECT network, sum(shares) AS shares
       FROM site_network_hours WHERE site_id = ?1 AND bucket BETWEEN ?2 AND ?3
       GROUP BY network HAVING sum(shares) > 0
       ORDER BY shares DESC, network`,
    )
    .bind(site, ...bucketsOf(span))
    .all<NetworkShares>();
  return results;
}
