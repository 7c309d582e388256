import { readPopular } from '../db/popular';
import type { PopularRequest } from '../ranking/popular-query';
import type { PopularList } from '../ranking/rank';
import type { Site } from '../sites/site-schema';
import { readCachedJson, writeCachedJson } from './kv';

/** How long a list is fresh, for us and for browsers (Cache-Control max-age). */
export const POPULAR_MAX_AGE_SECONDS = 60;
/** How long a list is kept at all (KV TTL, Cache API max-age): stale copies are served while one refresh runs. */
const KEEP_SECONDS = 600;
/** One refresh per list per isolate at a time; a refresh that hangs lets another start after this. */
const REFRESH_LEASE_MS = 30_000;

/** A computed list and the ETag of its JSON. */
export interface CachedPopular {
  list: PopularList;
  etag: string;
}

export interface PopularCacheContext {
  env: Pick<Env, 'DB' | 'CACHE'>;
  /** ExecutionContext.waitUntil: stores and refreshes happen after the answer. */
  waitUntil: (promise: Promise<unknown>) => void;
  /** The Worker's own origin, under which Cache API keys are made. */
  origin: string;
}

const refreshLeases = new Map<string, number>();

/** Lists one isolate keeps in memory at most; the one stored longest ago goes first. */
export const MEMORY_ENTRIES = 128;
/** Inputs longer than this (many long `exclude` URLs) are keyed in memory by their hash, to keep keys small. */
const MAX_PLAIN_MEMORY_KEY = 512;

/**
 * This isolate's newest copy of each list, by origin, site and inputs. While fresh,
 * a hot list (the front page's widget, read many times a second) is answered
 * from here, without a Cache API read and its parse. Once stale it is passed
 * over, and the read takes the tiers below, which serve and refresh it.
 */
const memory = new Map<string, CachedPopular>();

function remember(key: string, cached: CachedPopular): void {
  memory.delete(key);
  memory.set(key, cached);
  if (memory.size > MEMORY_ENTRIES) memory.delete(memory.keys().next().value!);
}

const hex = (buffer: ArrayBuffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
const sha256 = async (text: string) => hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));

/** What a list depends on: equal requests for a site with equal ranking settings are equal strings. */
const listInputs = (site: Site, request: PopularRequest) =>
  JSON.stringify([site.settings.share_weight, site.settings.half_life_hours, request.window, request.by, request.limit, request.section, request.exclude]);

/** The key in the Cache API and KV; the version changes with the stored shape, so a deploy never reads old entries. */
const cacheKey = async (site: Site, inputs: string) => `v1/${site.id}/${await sha256(inputs)}`;

const bodies = new WeakMap<CachedPopular, string>();

/**
 * The JSON answer of a cached list, serialised once per copy held: a hot list
 * is answered many times a second from the same copy in memory.
 */
export function serialisedList(cached: CachedPopular): string {
  let body = bodies.get(cached);
  if (body === undefined) {
    body = JSON.stringify(cached.list);
    bodies.set(cached, body);
  }
  return body;
}

async function compute(db: D1Database, site: Site, request: PopularRequest, nowMs: number): Promise<CachedPopular> {
  const list = await readPopular(db, site, request, nowMs);
  // The route answers with exactly this serialisation (c.json), so the tag is strong.
  return { list, etag: `"${(await sha256(JSON.stringify(list))).slice(0, 32)}"` };
}

const isStale = ({ list }: CachedPopular, nowMs: number) =>
  nowMs - Date.parse(list.generated_at) >= POPULAR_MAX_AGE_SECONDS * 1000;

// The Cache API failing only costs a recomputation (as KV does, see ./kv), so failures are logged, not thrown.
async function fromEdge(key: string): Promise<CachedPopular | null> {
  try {
    const response = await caches.default.match(key);
    return response ? await response.json<CachedPopular>() : null;
  } catch (err) {
    console.warn('popular: Cache API read failed', err);
    return null;
  }
}

const toEdge = (key: string, cached: CachedPopular) =>
  caches.default
    .put(key, new Response(JSON.stringify(cached), { headers: { 'Content-Type': 'application/json', 'Cache-Control': `max-age=${KEEP_SECONDS}` } }))
    .catch((err: unknown) => console.warn('popular: Cache API write failed', err));

/**
 * A site's popular list, cached so that a front-page spike costs one D1
 * computation: from this isolate's memory while fresh, else the Cache API
 * (this data centre), else KV (everywhere), else D1, storing the result in
 * all three. A list older than its max-age is still served, and refreshed in
 * the background once per isolate at a time, so that readers never queue
 * behind D1 and never all hit it at once. Without KV and the Cache API (down,
 * or failing) the list comes from D1 on every read that memory cannot answer.
 */
export async function cachedPopular(ctx: PopularCacheContext, site: Site, request: PopularRequest, nowMs: number): Promise<CachedPopular> {
  const inputs = listInputs(site, request);
  // A memory hit is the hot path: for usual inputs it is looked up before any hashing.
  let key = inputs.length <= MAX_PLAIN_MEMORY_KEY ? null : await cacheKey(site, inputs);
  const memoryKey = `${ctx.origin}\n${site.id}\n${key ?? inputs}`;
  const held = memory.get(memoryKey);
  if (held && !isStale(held, nowMs)) return held;

  key ??= await cacheKey(site, inputs);
  const edgeKey = `${ctx.origin}/__cache/popular/${key}`;
  const kvKey = `popular:${key}`;
  const store = (fresh: CachedPopular) => {
    remember(memoryKey, fresh);
    return Promise.all([toEdge(edgeKey, fresh), writeCachedJson(ctx.env.CACHE, kvKey, fresh, KEEP_SECONDS)]);
  };

  let cached = await fromEdge(edgeKey);
  if (!cached) {
    cached = await readCachedJson<CachedPopular>(ctx.env.CACHE, kvKey);
    if (cached) ctx.waitUntil(toEdge(edgeKey, cached));
  }
  if (!cached) {
    const fresh = await compute(ctx.env.DB, site, request, nowMs);
    ctx.waitUntil(store(fresh));
    return fresh;
  }
  remember(memoryKey, cached);
  if (isStale(cached, nowMs) && (refreshLeases.get(key) ?? 0) <= nowMs) {
    refreshLeases.set(key, nowMs + REFRESH_LEASE_MS);
    const refresh = async () => {
      // Another data centre may have refreshed it already: then KV has it.
      const shared = await readCachedJson<CachedPopular>(ctx.env.CACHE, kvKey);
      if (shared && !isStale(shared, nowMs)) {
        remember(memoryKey, shared);
        await toEdge(edgeKey, shared);
      }
      else await store(await compute(ctx.env.DB, site, request, nowMs));
    };
    ctx.waitUntil(
      refresh()
        .catch((err: unknown) => console.error('popular: refresh failed', err))
        .finally(() => refreshLeases.delete(key)),
    );
  }
  return cached;
}
