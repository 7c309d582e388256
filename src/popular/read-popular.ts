import { type RankingSite, readCandidates } from '../db/popular';
import type { PopularRequest } from '../ranking/popular-request';
import { type PopularList, rankArticles } from '../ranking/rank';
import { bucketOf } from '../time';

/**
 * The popular list of a site at `nowMs`: its candidates read from D1, then
 * ranked by the pure rules, which the query has already narrowed them to.
 */
export async function readPopular(
  db: D1Database,
  site: RankingSite,
  request: PopularRequest,
  nowMs: number,
): Promise<PopularList> {
  const candidates = await readCandidates(db, site, request, bucketOf(nowMs));
  return {
    site: site.id,
    window: request.window,
    by: request.by,
    generated_at: new Date(nowMs).toISOString(),
    items: rankArticles(candidates, request),
  };
}
