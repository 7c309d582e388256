import { dayOfBucket, EMPTY_SPAN, HOURS_PER_DAY, type Span } from '../time';

/**
 * Days one run rolls up or deletes at most, per site: a run stays a few bounded
 * statements however far behind a site is; an hourly cron catches up quickly.
 */
export const DAYS_PER_RUN = 3;

export interface RollupInput {
  currentBucket: number;
  /** The site's watermark: whole days up to it have daily rows. Null before the first run. */
  rolledThroughDay: number | null;
  /** The site's oldest hourly bucket and daily row, null when it has none. */
  oldestHour: number | null;
  oldestDay: number | null;
  hourlyRetentionDays: number;
  dailyRetentionDays: number;
}

export interface RollupPlan {
  /** Days to sum from hourly rows into daily rows. */
  roll: Span;
  /** The watermark once `roll` is written. */
  rolledThroughDay: number;
  /** Hourly buckets to delete: past retention, and in days already rolled up. */
  deleteHours: Span;
  /** Days whose daily rows are past retention. */
  deleteDays: Span;
}

/**
 * What one cron run does for one site: roll the finished UTC days after the
 * watermark into daily rows, then drop rows past the site's retention.
 *
 * Hourly retention is at least 31 days (the schema's minimum) and an hour is
 * only deleted once its day is rolled up, so the 30-day window's oldest edge
 * hours and every day a reader may still take from hourly rows are kept.
 * Days past daily retention are not rolled up at all: their rows would be
 * deleted at once, and no window reaches them.
 */
export function planRollup(input: RollupInput): RollupPlan {
  const { currentBucket, rolledThroughDay, oldestHour, oldestDay, hourlyRetentionDays, dailyRetentionDays } = input;
  const lastFinishedDay = dayOfBucket(currentBucket) - 1;
  const firstKeptDay = dayOfBucket(currentBucket) - dailyRetentionDays + 1;

  // Without a watermark, start at the oldest hourly row; with no rows at all
  // every finished day is trivially rolled up.
  const next =
    rolledThroughDay !== null
      ? rolledThroughDay + 1
      : oldestHour !== null
        ? dayOfBucket(oldestHour)
        : lastFinishedDay + 1;
  const from = Math.max(next, firstKeptDay);
  const to = Math.min(lastFinishedDay, from + DAYS_PER_RUN - 1);
  const watermark = Math.max(rolledThroughDay ?? Number.NEGATIVE_INFINITY, to);

  const firstKeptHour = Math.min(
    currentBucket - hourlyRetentionDays * HOURS_PER_DAY + 1,
    (watermark + 1) * HOURS_PER_DAY,
  );
  return {
    roll: from <= to ? { from, to } : EMPTY_SPAN,
    rolledThroughDay: watermark,
    deleteHours: chunk(oldestHour, firstKeptHour - 1, DAYS_PER_RUN * HOURS_PER_DAY),
    deleteDays: chunk(oldestDay, firstKeptDay - 1, DAYS_PER_RUN),
  };
}

/** From `oldest` up to `last`, at most `size` long. */
const chunk = (oldest: number | null, last: number, size: number): Span =>
  oldest !== null && oldest <= last ? { from: oldest, to: Math.min(last, oldest + size - 1) } : EMPTY_SPAN;
