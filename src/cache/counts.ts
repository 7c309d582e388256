import { readArticleCounts } from '../db/counts';
import type { CountsBody } from '../openapi/schemas';
import { readCachedJson, writeCachedJson } from './kv';

/** KV's shortest TTL; counts reach readers within a minute of their flush. */
export const COUNTS_TTL_SECONDS = 60;

const kvKey = (site: string, url: string) => `counts:${site}:${url}`;

/** An article's all-time counts, from KV when fresh, else D1 (then cached). */
export async function cachedArticleCounts(
  env: Pick<Env, 'DB' | 'CACHE'>,
  site: string,
  url: string,
): Promise<CountsBody> {
  const cached = await readCachedJson<CountsBody>(env.CACHE, kvKey(site, url));
  if (cached) return cached;
  const counts = await readArticleCounts(env.DB, site, url);
  await writeCachedJson(env.CACHE, kvKey(site, url), counts, COUNTS_TTL_SECONDS);
  return counts;
}
