import { zonedParts } from '../common/time-zone';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The UTC hour an event received at `ms` counts in (API.md "bucket"). */
export const bucketOf = (ms: number): number => Math.floor(ms / HOUR_MS);

/** The UTC day an event received at `ms` dedups in. */
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);

export const HOURS_PER_DAY = 24;

/** The UTC day an hourly bucket belongs to. */
export const dayOfBucket = (bucket: number): number => Math.floor(bucket / HOURS_PER_DAY);

/** An inclusive range of buckets or days; empty when `from > to`. */
export interface Span {
  from: number;
  to: number;
}

export const EMPTY_SPAN: Span = { from: 1, to: 0 };

/**
 * How many minutes `zone` is ahead of UTC at `ms` (negative west of UTC).
 *
 * @example
 * zoneOffsetMinutes(Date.UTC(2026, 6, 1), 'Europe/Paris') // 120
 */
export function zoneOffsetMinutes(ms: number, zone: string): number {
  const { year, month, day, hour, minute } = zonedParts(ms, zone);
  const local = Date.UTC(year, month - 1, day, hour, minute);
  return Math.round((local - Math.floor(ms / 60_000) * 60_000) / 60_000);
}

/**
 * The local day (days since 1970-01-01 on the zone's calendar) that UTC hour
 * `bucket` starts in: a zone that is not a whole hour from UTC has hours that
 * straddle two local days, and each counts in the one where it starts.
 */
export const localDayOfBucket = (bucket: number, zone: string): number =>
  Math.floor((bucket * HOUR_MS + zoneOffsetMinutes(bucket * HOUR_MS, zone) * 60_000) / DAY_MS);

/**
 * The first UTC hour that starts in local day `day`: 23 hours later for the
 * next day where clocks go forward, 25 where they go back.
 *
 * @example
 * firstBucketOfLocalDay(20_000, 'Asia/Kolkata') // the hour starting 00:30 local time
 */
export function firstBucketOfLocalDay(day: number, zone: string): number {
  const midnight = day * DAY_MS - zoneOffsetMinutes(day * DAY_MS, zone) * 60_000;
  let bucket = Math.ceil(midnight / HOUR_MS);
  // The offset at UTC midnight can differ from the offset at local midnight by a DST change.
  while (localDayOfBucket(bucket - 1, zone) >= day) bucket--;
  while (localDayOfBucket(bucket, zone) < day) bucket++;
  return bucket;
}
