import { siteIdOfHost } from '../db/site-hosts';
import { getSite } from '../db/sites';
import { DEFAULT_SETTINGS, type Site } from '../sites/site-schema';
import { BoundedMap } from './bounded-map';
import { deleteCached, readCachedJson, writeCachedJson } from './kv';

const KV_TTL_SECONDS = 300;
/** How long an isolate trusts its own copy; settings and host changes reach every isolate within it. */
const MEMORY_TTL_MS = 15_000;
/** Answers of each kind (found, not found) one isolate keeps at most, per lookup. */
export const LOOKUP_MEMORY_ENTRIES = 1_000;

/**
 * What one isolate remembers of a lookup, by key. Answers found and keys not
 * found are held apart, so that a flood of invented keys never pushes out the
 * real ones.
 */
class LookupMemory<V> {
  private readonly found = new BoundedMap<string, V>(LOOKUP_MEMORY_ENTRIES, MEMORY_TTL_MS);
  private readonly missing = new BoundedMap<string, true>(LOOKUP_MEMORY_ENTRIES, MEMORY_TTL_MS);

  /** The answer remembered for `key`: a value, null (not found), or undefined (not known). */
  get(key: string, nowMs: number): V | null | undefined {
    return this.found.get(key, nowMs) ?? (this.missing.get(key, nowMs) ? null : undefined);
  }

  set(key: string, value: V | null, nowMs: number): void {
    this.forget(key);
    if (value === null) this.missing.set(key, true, nowMs);
    else this.found.set(key, value, nowMs);
  }

  forget(key: string): void {
    this.found.delete(key);
    this.missing.delete(key);
  }

  clear(): void {
    this.found.clear();
    this.missing.clear();
  }
}

const sitesById = new LookupMemory<Site>();
const siteIdsByHost = new LookupMemory<string>();
const kvKey = (id: string) => `site:${id}`;

/** A copy written before a setting existed (KV keeps copies for minutes across a deploy) gets its default. */
const withDefaults = (site: Site | null): Site | null =>
  site && { ...site, settings: { ...DEFAULT_SETTINGS, ...site.settings } };

/**
 * A site by id, read on every beacon: from this isolate's memory, else KV, else
 * D1 (filling both). Unknown sites are remembered briefly too, so a flood of
 * beacons for a site that does not exist does not reach D1.
 */
export async function loadSite(env: Pick<Env, 'DB' | 'CACHE'>, id: string, nowMs = Date.now()): Promise<Site | null> {
  const remembered = sitesById.get(id, nowMs);
  if (remembered !== undefined) return remembered;

  let site = withDefaults(await readCachedJson<Site>(env.CACHE, kvKey(id)));
  if (site === null) {
    site = await getSite(env.DB, id);
    if (site) await writeCachedJson(env.CACHE, kvKey(id), site, KV_TTL_SECONDS);
  }
  sitesById.set(id, site, nowMs);
  return site;
}

/**
 * The id of the site claiming `host` (lower-case, without port), or null: from
 * this isolate's memory, else D1. Hosts no site claims are remembered too, so
 * that asking for invented hosts does not make every request a D1 read.
 */
export async function loadSiteIdOfHost(env: Pick<Env, 'DB'>, host: string, nowMs = Date.now()): Promise<string | null> {
  const remembered = siteIdsByHost.get(host, nowMs);
  if (remembered !== undefined) return remembered;
  const id = await siteIdOfHost(env.DB, host);
  siteIdsByHost.set(host, id, nowMs);
  return id;
}

/** After an admin change: refresh KV and this isolate's copy. */
export async function storeSite(env: Pick<Env, 'CACHE'>, id: string, site: Site | null): Promise<void> {
  sitesById.forget(id);
  // The change may have moved hosts from or to any site: forget them all, it is rare.
  siteIdsByHost.clear();
  if (site) await writeCachedJson(env.CACHE, kvKey(id), site, KV_TTL_SECONDS);
  else await deleteCached(env.CACHE, kvKey(id));
}
