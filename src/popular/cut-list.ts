import type { PopularRequest } from '../ranking/popular-request';
import type { PopularList } from '../ranking/rank';

/**
 * A ranked list as one request asks for it: without the URLs it excludes, cut
 * at its limit, ranked from 1 again (API.md "Ranking": `rank` is the position
 * after `exclude`). It is the request's own ranking when `list` is ranked
 * the same way without a limit or exclusions and holds every article ranked,
 * or at least `limit` items besides the excluded ones.
 *
 * @example
 * cutList(list, { limit: 5, exclude: ['https://news.example/this-page'] })
 */
export function cutList(list: PopularList, { limit, exclude }: Pick<PopularRequest, 'limit' | 'exclude'>): PopularList {
  const excluded = new Set(exclude);
  return {
    ...list,
    items: list.items
      .filter((item) => !excluded.has(item.url))
      .slice(0, limit)
      .map((item, index) => ({ ...item, rank: index + 1 })),
  };
}
