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
