import { readArticleCounts } from '../db/counts';
import { sha256Hex } from '../hashing/hex';
import type { CountsBody } from '../openapi/schemas';
import { readCachedJson, writeCachedJson } from './kv';

/** KV's shortest TTL; counts reach readers within a minute of their flush. */
export const COUNTS_TTL_SECONDS = 60;

/**
 * The URL goes hashed: a key of it as it is would pass KV's 512 bytes for a
 * long URL. The version changes with the stored shape, so a deploy never reads
 * old entries.
 */
const countsKvKey = async (site: string, url: string) => `counts:${site}:v2:${await sha256Hex(url)}`;

/**
 * An article's all-time counts, from KV when fresh, else D1 (then cached).
 * `url` is the key asked for: another spelling of an article is cached under
 * it, with the article's counts and URL.
 */
export async function cachedArticleCounts(
  env: Pick<Env, 'DB' | 'CACHE'>,
  site: string,
  url: string,
): Promise<CountsBody> {
  const key = await countsKvKey(site, url);
  const cached = await readCachedJson<CountsBody>(env.CACHE, key);
  if (cached) return cached;
  const counts = await readArticleCounts(env.DB, site, url);
  await writeCachedJson(env.CACHE, key, counts, COUNTS_TTL_SECONDS);
  return counts;
}
