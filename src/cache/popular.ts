import { readPopular } from '../popular/read-popular';
import type { PopularRequest } from '../ranking/popular-request';
import type { PopularList } from '../ranking/rank';
import type { Site } from '../sites/site-schema';
import { readCachedJson, writeCachedJson } from './kv';

/** How long a list is fresh, for us and for browsers (Cache-Control max-age). */
export const POPULAR_MAX_AGE_SECONDS = 60;
/** How long a list is kept at all (KV TTL, and in memory when KV misses): stale copies are served while one refresh runs. */
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
  /** The lists this isolate holds (a test makes its own to stand for another isolate). */
  memory: PopularMemory;
}

/** Lists one isolate keeps in memory at most; the one stored longest ago goes first. */
export const MEMORY_ENTRIES = 128;
/** Inputs longer than this (many long `exclude` URLs) are keyed in memory by their hash, to keep keys small. */
const MAX_PLAIN_MEMORY_KEY = 512;

/**
 * What one isolate holds of the popular lists: its newest copy of each, by
 * site and inputs (at most MEMORY_ENTRIES), and the refreshes it has running.
 */
export class PopularMemory {
  private readonly lists = new Map<string, CachedPopular>();
  /** Until when each running refresh holds its list, by key. */
  private readonly refreshLeases = new Map<string, number>();

  get(key: string): CachedPopular | undefined {
    return this.lists.get(key);
  }

  remember(key: string, cached: CachedPopular): void {
    this.lists.delete(key);
    this.lists.set(key, cached);
    if (this.lists.size > MEMORY_ENTRIES) this.lists.delete(this.lists.keys().next().value!);
  }

  /** Takes the lease on refreshing a list, unless another refresh holds it. */
  leaseRefresh(key: string, nowMs: number): boolean {
    if ((this.refreshLeases.get(key) ?? 0) > nowMs) return false;
    this.refreshLeases.set(key, nowMs + REFRESH_LEASE_MS);
    return true;
  }

  endRefresh(key: string): void {
    this.refreshLeases.delete(key);
  }
}

/** The lists of this isolate, shared by every request it serves. */
const isolateMemory = new PopularMemory();

/** The cache context of a request this isolate serves. */
export const requestCacheContext = (
  env: Env,
  executionCtx: Pick<ExecutionContext, 'waitUntil'>,
): PopularCacheContext => ({
  env,
  waitUntil: (promise) => executionCtx.waitUntil(promise),
  memory: isolateMemory,
});

const hex = (buffer: ArrayBuffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
const sha256 = async (text: string) => hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));

/** What a list depends on: equal requests for a site with equal ranking settings are equal strings. */
const listInputs = (site: Site, request: PopularRequest) =>
  JSON.stringify([
    site.settings.share_weight,
    site.settings.half_life_hours,
    request.window,
    request.by,
    request.limit,
    request.section,
    request.exclude,
  ]);

/** The key in KV; the version changes with the stored shape, so a deploy never reads old entries. */
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

const ageMs = ({ list }: CachedPopular, nowMs: number) => nowMs - Date.parse(list.generated_at);
const isStale = (cached: CachedPopular, nowMs: number) => ageMs(cached, nowMs) >= POPULAR_MAX_AGE_SECONDS * 1000;

/** The newer of a copy from KV and one from memory, when either is kept still. */
function newerCopy(shared: CachedPopular | null, held: CachedPopular | undefined, nowMs: number): CachedPopular | null {
  const kept = held && ageMs(held, nowMs) < KEEP_SECONDS * 1000 ? held : undefined;
  if (!shared || !kept) return shared ?? kept ?? null;
  return ageMs(kept, nowMs) < ageMs(shared, nowMs) ? kept : shared;
}

// NOTE: there is no Cache API tier: it does nothing on workers.dev, where a plain
// `wrangler deploy` serves (https://developers.cloudflare.com/workers/runtime-apis/cache/).
/**
 * A site's popular list, cached so that a front-page spike costs at most one
 * D1 computation per list, minute and isolate, not one per read: from memory
 * while fresh, else KV, else D1, storing the result in both. A list older than
 * its max-age is still served (from KV, or from memory when KV misses), and
 * refreshed in the background once per isolate at a time, so that readers
 * never queue behind D1. KV is the one shared tier; it keeps often-read keys in
 * each data centre. Until another isolate sees a new copy there (usually at
 * once in the data centre that wrote it, up to a minute elsewhere), that
 * isolate may compute the list itself. Without KV (down, or failing) a list is
 * computed once per isolate and minute.
 */
export async function cachedPopular(
  ctx: PopularCacheContext,
  site: Site,
  request: PopularRequest,
  nowMs: number,
): Promise<CachedPopular> {
  const inputs = listInputs(site, request);
  // A memory hit is the hot path: for usual inputs it is looked up before any hashing.
  let key = inputs.length <= MAX_PLAIN_MEMORY_KEY ? null : await cacheKey(site, inputs);
  const memoryKey = `${site.id}\n${key ?? inputs}`;
  const held = ctx.memory.get(memoryKey);
  if (held && !isStale(held, nowMs)) return held;

  key ??= await cacheKey(site, inputs);
  const kvKey = `popular:${key}`;
  const store = (fresh: CachedPopular) => {
    ctx.memory.remember(memoryKey, fresh);
    return writeCachedJson(ctx.env.CACHE, kvKey, fresh, KEEP_SECONDS);
  };

  const cached = newerCopy(await readCachedJson<CachedPopular>(ctx.env.CACHE, kvKey), held, nowMs);
  if (!cached) {
    const fresh = await compute(ctx.env.DB, site, request, nowMs);
    ctx.waitUntil(store(fresh));
    return fresh;
  }
  ctx.memory.remember(memoryKey, cached);
  if (isStale(cached, nowMs) && ctx.memory.leaseRefresh(memoryKey, nowMs)) {
    const refresh = async () => {
      // Another isolate or data centre may have refreshed it already: then KV has it.
      const shared = await readCachedJson<CachedPopular>(ctx.env.CACHE, kvKey);
      if (shared && !isStale(shared, nowMs)) ctx.memory.remember(memoryKey, shared);
      else await store(await compute(ctx.env.DB, site, request, nowMs));
    };
    ctx.waitUntil(
      refresh()
        .catch((err: unknown) => console.error('popular: refresh failed', err))
        .finally(() => ctx.memory.endRefresh(memoryKey)),
    );
  }
  return cached;
}
