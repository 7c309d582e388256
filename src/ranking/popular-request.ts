import type { RankBy, RankWindow } from './windows';

/** A popular list to compute: the query with `exclude` already normalised. */
export interface PopularRequest {
  window: RankWindow;
  by: RankBy;
  limit: number;
  section: string | null;
  /** Normalised URLs, sorted and without repeats, so that equal requests look equal. */
  exclude: string[];
}
