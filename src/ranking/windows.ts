import { dayOfBucket, EMPTY_SPAN, HOURS_PER_DAY, type Span } from '../time';

/** The ranking windows of API.md "Ranking". */
export const WINDOWS = ['1h', '24h', '7d', '30d', 'all'] as const;
export type RankWindow = (typeof WINDOWS)[number];

export const RANK_BY = ['views', 'shares', 'score', 'reads', 'trending'] as const;
export type RankBy = (typeof RANK_BY)[number];

/** Hours each bounded window spans; `all` reads the all-time totals instead. */
export const WINDOW_HOURS: Record<Exclude<RankWindow, 'all'>, number> = { '1h': 1, '24h': 24, '7d': 168, '30d': 720 };

/**
 * Windows D1 keeps running totals of (migration 0005): the lists asked for
 * most, and the longest sums of hourly rows. `1h` sums one hour's rows; `30d`
 * sums mostly daily rows.
 */
export const RUNNING_TOTAL_WINDOWS = ['24h', '7d'] as const satisfies readonly RankWindow[];

/** Hours `trending` decays over, whatever the window. */
export const TRENDING_HOURS = 168;

const span = (from: number, to: number): Span => (from <= to ? { from, to } : EMPTY_SPAN);

/** The rows that hold one window: hourly buckets at its edges, whole days in between. */
export interface WindowRows {
  /** Buckets from article_hours: the window's older edge, then its newer edge. */
  hours: [Span, Span];
  /** Days from article_days. */
  days: Span;
}

/**
 * Which rows sum to the `hours`-hour window ending at `currentBucket` (the
 * buckets b with b > currentBucket - hours): each whole UTC day inside it that
 * the rollup has finished (day <= rolledThroughDay) from one daily row, the
 * hours before and after those days from hourly rows.
 *
 * Any `rolledThroughDay` up to the true one gives the same sum, because hourly
 * rows outlive their rollup (hourly retention >= the longest window): a reader
 * holding an older watermark reads more hourly rows, never different counts.
 *
 * @example
 * // 30 days ending at 10:00 on day 100, days up to 99 rolled up:
 * windowRows(720, 100 * 24 + 10, 99)
 * // { hours: [{ from: 1691, to: 1703 }, { from: 2400, to: 2410 }], days: { from: 71, to: 99 } }
 */
export function windowRows(hours: number, currentBucket: number, rolledThroughDay: number | null): WindowRows {
  const first = currentBucket - hours + 1;
  // Days whose 24 hours all lie in the window, up to the watermark.
  const firstWholeDay = Math.ceil(first / HOURS_PER_DAY);
  const lastWholeDay = Math.min(dayOfBucket(currentBucket + 1) - 1, rolledThroughDay ?? Number.NEGATIVE_INFINITY);
  if (firstWholeDay > lastWholeDay) return { hours: [span(first, currentBucket), EMPTY_SPAN], days: EMPTY_SPAN };
  return {
    hours: [span(first, firstWholeDay * HOURS_PER_DAY - 1), span((lastWholeDay + 1) * HOURS_PER_DAY, currentBucket)],
    days: { from: firstWholeDay, to: lastWholeDay },
  };
}
