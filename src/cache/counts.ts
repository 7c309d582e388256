import { readArticleCounts, type ArticleCounts } from '../db/counts';

/** KV's shortest TTL; counts reach readers within a minute of their flush. */
export const COUNTS_TTL_SECONDS = 60;

const kvKey = (site: string, url: string) => `counts:${site}:${url}`;

/** An article's all-time counts, from KV when fresh, else D1 (then cached). */
export async function cachedArticleCounts(env: Pick<Env, 'DB' | 'CACHE'>, site: string, url: string): Promise<ArticleCounts> {
  const cached = await env.CACHE.get<ArticleCounts>(kvKey(site, url), 'json');
  if (cached) return cached;
  const counts = await readArticleCounts(env.DB, site, url);
  await env.CACHE.put(kvKey(site, url), JSON.stringify(counts), { expirationTtl: COUNTS_TTL_SECONDS });
  return counts;
}
