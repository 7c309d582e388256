// The JSON the dashboard's pages hand to its script: the `#series` block of the
// overview (written by src/db/series.ts's readSiteSeries) and the answer of
// GET /dashboard/api/live (src/dashboard/overview-data.ts's readLiveHour).
// Types only, so that the Worker and client/dashboard/ read one definition.

/** A chart's point: one UTC hour (a bucket) or one local day of the site's zone (the UTC hours that start in it). */
export type Step = 'hour' | 'day';

/**
 * Columns as uPlot takes them: each point's start in Unix seconds, then its
 * views, shares and reads. Charts end now, so the last point is the current hour or
 * day, still filling. `zone` is the site's IANA time zone, to label times in.
 */
export interface Series {
  step: Step;
  zone: string;
  times: number[];
  views: number[];
  shares: number[];
  reads: number[];
}

export interface Totals {
  views: number;
  shares: number;
  reads: number;
}

/** An article of the live panel. */
export interface LiveItem {
  rank: number;
  url: string;
  title: string | null;
  views: number;
  shares: number;
}

/** The "last hour" panel: the current UTC hour (API.md's `1h` window) beside the hour before. */
export interface LiveHour {
  generated_at: string;
  /** Start of the current bucket. */
  hour_start: string;
  current: Totals;
  previous: Totals;
  items: LiveItem[];
}
