import type { Series, Step, Totals } from '../../common/dashboard-json';
import { firstBucketOfLocalDay, HOUR_MS, localDayOfBucket } from '../time';

/** The dashboard's chart periods. */
export const PERIODS = ['24h', '7d', '30d', '90d'] as const;
export type Period = (typeof PERIODS)[number];

/**
 * An inclusive range of points, in units of `step`: UTC hours (buckets), or
 * local days of `zone` (days since 1970-01-01 on its calendar), each the UTC
 * hours that start in it (src/time.ts localDayOfBucket).
 */
export interface SeriesSpan {
  step: Step;
  from: number;
  to: number;
  zone: string;
}

// A day or a week reads well hour by hour; a month or a quarter is a bar per local day.
const PERIOD_POINTS: Record<Period, { step: Step; count: number }> = {
  '24h': { step: 'hour', count: 24 },
  '7d': { step: 'hour', count: 168 },
  '30d': { step: 'day', count: 30 },
  '90d': { step: 'day', count: 90 },
};

/**
 * The points a period charts in `zone`, ending with the current hour or the
 * current (unfinished) local day. `24h` holds the same buckets as the ranking window.
 *
 * @example
 * periodSpan('24h', 1000, 'UTC') // { step: 'hour', from: 977, to: 1000, zone: 'UTC' }
 */
export function periodSpan(period: Period, currentBucket: number, zone: string): SeriesSpan {
  const { step, count } = PERIOD_POINTS[period];
  const last = step === 'hour' ? currentBucket : localDayOfBucket(currentBucket, zone);
  return { step, from: last - count + 1, to: last, zone };
}

/** The span of the same length just before `span`: what a period is compared with. */
export const previousSpan = (span: SeriesSpan): SeriesSpan => ({
  ...span,
  from: 2 * span.from - span.to - 1,
  to: span.from - 1,
});

/** The first and last hourly bucket a span covers. */
export const spanBuckets = ({ step, from, to, zone }: SeriesSpan): [number, number] =>
  step === 'hour' ? [from, to] : [firstBucketOfLocalDay(from, zone), firstBucketOfLocalDay(to + 1, zone) - 1];

/**
 * The first bucket of each point of `span`, and the bucket after its last:
 * point i holds buckets starts[i] up to starts[i + 1] - 1.
 */
const pointStarts = (span: SeriesSpan): number[] => {
  const starts: number[] = [];
  for (let point = span.from; point <= span.to + 1; point++) {
    starts.push(span.step === 'hour' ? point : firstBucketOfLocalDay(point, span.zone));
  }
  return starts;
};

/** An hour's counts, as site_hours and article_hours keep them. */
export interface HourRow {
  bucket: number;
  views: number;
  shares: number;
  reads: number;
}

/**
 * Hourly rows (in bucket order, within `span`) as the span's points: each
 * point's time is the start of its first UTC hour, and points without a row
 * are zeros, so that charts show the quiet hours.
 */
export function seriesOfHours(span: SeriesSpan, rows: HourRow[]): Series {
  const starts = pointStarts(span);
  const series: Series = { step: span.step, zone: span.zone, times: [], views: [], shares: [], reads: [] };
  let row = 0;
  for (let point = 0; point < starts.length - 1; point++) {
    let views = 0;
    let shares = 0;
    let reads = 0;
    for (; row < rows.length && rows[row]!.bucket < starts[point + 1]!; row++) {
      views += rows[row]!.views;
      shares += rows[row]!.shares;
      reads += rows[row]!.reads;
    }
    series.times.push((starts[point]! * HOUR_MS) / 1000);
    series.views.push(views);
    series.shares.push(shares);
    series.reads.push(reads);
  }
  return series;
}

/**
 * A site's views, shares and reads per point of `span`, from site_hours (one row per
 * site and hour, so a period costs at most 2,208 rows whatever the number of
 * articles: 90 local days, two of them 25 hours long).
 */
export async function readSiteSeries(db: D1Database, site: string, span: SeriesSpan): Promise<Series> {
  const { results } = await db
    .prepare(
      `SELECT bucket, views, shares, reads FROM site_hours
       WHERE site_id = ?1 AND bucket BETWEEN ?2 AND ?3 ORDER BY bucket`,
    )
    .bind(site, ...spanBuckets(span))
    .all<HourRow>();
  return seriesOfHours(span, results);
}

/** A site's views, shares and reads summed over `span`. */
export async function readSiteTotals(db: D1Database, site: string, span: SeriesSpan): Promise<Totals> {
  const row = await db
    .prepare(
      `SELECT coalesce(sum(views), 0) AS views, coalesce(sum(shares), 0) AS shares,
              coalesce(sum(reads), 0) AS reads
       FROM site_hours WHERE site_id = ?1 AND bucket BETWEEN ?2 AND ?3`,
    )
    .bind(site, ...spanBuckets(span))
    .first<Totals>();
  return row ?? { views: 0, shares: 0, reads: 0 };
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
    .bind(site, ...spanBuckets(span))
    .all<NetworkShares>();
  return results;
}
