import type { RankBy, RankWindow } from './windows';

export const MAX_LIMIT = 50;
/** Enough for a page to leave out itself and its neighbours; keeps cache keys and queries small. */
export const MAX_EXCLUDES = 50;

/** A popular list to compute: the query with `exclude` already normalised. */
export interface PopularRequest {
  window: RankWindow;
  by: RankBy;
  limit: number;
  section: string | null;
  /** Normalised URLs, sorted and without repeats, so that equal requests look equal. */
  exclude: string[];
}
