import { getSite } from '../db/sites';
import type { Site } from '../sites/site-schema';
import { deleteCached, readCachedJson, writeCachedJson } from './kv';

const KV_TTL_SECONDS = 300;
/** How long an isolate trusts its own copy; settings changes reach every isolate within it. */
const MEMORY_TTL_MS = 15_000;

const memory = new Map<string, { site: Site | null; until: number }>();
const kvKey = (id: string) => `site:${id}`;

/**
 * A site by id, read on every beacon: from this isolate's memory, else KV, else
 * D1 (filling both). Unknown sites are remembered briefly too, so a flood of
 * beacons for a site that does not exist does not reach D1.
 */
export async function loadSite(env: Pick<Env, 'DB' | 'CACHE'>, id: string, nowMs = Date.now()): Promise<Site | null> {
  const cached = memory.get(id);
  if (cached && cached.until > nowMs) return cached.site;

  let site = await readCachedJson<Site>(env.CACHE, kvKey(id));
  if (site === null) {
    site = await getSite(env.DB, id);
    if (site) await writeCachedJson(env.CACHE, kvKey(id), site, KV_TTL_SECONDS);
  }
  memory.set(id, { site, until: nowMs + MEMORY_TTL_MS });
  return site;
}

/** After an admin change: refresh KV and this isolate's copy. */
export async function storeSite(env: Pick<Env, 'CACHE'>, id: string, site: Site | null): Promise<void> {
  memory.delete(id);
  if (site) await writeCachedJson(env.CACHE, kvKey(id), site, KV_TTL_SECONDS);
  else await deleteCached(env.CACHE, kvKey(id));
}
