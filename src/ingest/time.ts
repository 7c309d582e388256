export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The UTC hour an event received at `ms` counts in (API.md "bucket"). */
export const bucketOf = (ms: number): number => Math.floor(ms / HOUR_MS);

/** The UTC day an event received at `ms` dedups in. */
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);
