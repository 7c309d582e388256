import { sha256Hex } from '../hashing/hex';
import { cutList } from '../popular/cut-list';
import { readPopular } from '../popular/read-popular';
import type { PopularRequest } from '../ranking/popular-request';
import { MAX_EXCLUDES, MAX_LIMIT } from '../ranking/popular-request';
import type { PopularList } from '../ranking/rank';
import type { Site } from '../sites/site-schema';
import { BoundedMap } from './bounded-map';
import { readCachedJson, writeCachedJson } from './kv';

/** How long a list is fresh, for us and for browsers (Cache-Control max-age). */
export const POPULAR_MAX_AGE_SECONDS = 60;
/** How long a list is kept at all (KV TTL, and in memory when KV misses): stale copies are served while one refresh runs. */
const KEEP_SECONDS = 600;
/** One refresh per list per isolate at a time; a refresh that hangs lets another start after this. */
const REFRESH_LEASE_MS = 30_000;

/**
 * How many articles a cached list holds: the most any request can take from
 * it, the largest `limit` after the most `exclude` can remove. Every request
 * of a site, window, by and section is cut from the same list.
 */
export const LIST_LENGTH = MAX_LIMIT + MAX_EXCLUDES;

/** The answer to one request, cut from its cached list, and the ETag of its JSON. */
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

/** Lists one isolate keeps in memory at most; the one used longest ago goes first. */
export const MEMORY_ENTRIES = 128;

/**
 * What one isolate holds of the popular lists: its newest copy of each, by
 * site and inputs (at most MEMORY_ENTRIES), and the refreshes it has running.
 */
export class PopularMemory {
  private readonly lists = new BoundedMap<string, PopularList>(MEMORY_ENTRIES);
  /** A running refresh holds its list's lease; one that hangs lets another start once the lease expires. */
  private readonly refreshLeases = new BoundedMap<string, true>(MEMORY_ENTRIES, REFRESH_LEASE_MS);

  get(key: string, nowMs: number): PopularList | undefined {
    return this.lists.get(key, nowMs);
  }

  remember(key: string, list: PopularList, nowMs: number): void {
    this.lists.set(key, list, nowMs);
  }

  /** Takes the lease on refreshing a list, unless another refresh holds it. */
  leaseRefresh(key: string, nowMs: number): boolean {
    if (this.refreshLeases.get(key, nowMs)) return false;
    this.refreshLeases.set(key, true, nowMs);
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

/** What a list depends on: requests that differ only in `limit` and `exclude` share it. */
const listInputs = (site: Site, request: PopularRequest) =>
  JSON.stringify([
    site.settings.share_weight,
    site.settings.half_life_hours,
    site.settings.exclude_paths,
    request.window,
    request.by,
    request.section,
  ]);

/** The key in KV; the version changes with the stored shape, so a deploy never reads old entries. */
const cacheKey = async (site: Site, inputs: string) => `v4/${site.id}/${await sha256Hex(inputs)}`;

/** Answers a list held in memory keeps for the requests that asked most recently; they go with the list. */
const ANSWERS_PER_LIST = 4;
const answersOf = new WeakMap<PopularList, BoundedMap<string, CachedPopular>>();
const bodies = new WeakMap<CachedPopular, string>();

/**
 * The JSON of an answer: the serialisation its ETag was computed from, kept
 * with it, since a hot answer is sent many times a second from memory.
 */
export const serialisedList = (cached: CachedPopular): string => bodies.get(cached) ?? JSON.stringify(cached.list);

/**
 * The answer to `request` from its list, cut in memory whatever its `limit`
 * and `exclude`, and tagged by the JSON the route answers (c.body of exactly
 * this serialisation, so the tag is strong).
 */
async function answerFrom(list: PopularList, request: PopularRequest, nowMs: number): Promise<CachedPopular> {
  const excluded = new Set(request.exclude);
  // Requests with equal answers share one: only the limit and which of the list's items go matter.
  const key = `${request.limit}:${list.items.flatMap((item, index) => (excluded.has(item.url) ? [index] : []))}`;
  let answers = answersOf.get(list);
  const held = answers?.get(key, nowMs);
  if (held) return held;

  const cut = cutList(list, request);
  const body = JSON.stringify(cut);
  const answer = { list: cut, etag: `"${(await sha256Hex(body)).slice(0, 32)}"` };
  bodies.set(answer, body);
  if (!answers) {
    answers = new BoundedMap(ANSWERS_PER_LIST);
    answersOf.set(list, answers);
  }
  answers.set(key, answer, nowMs);
  return answer;
}

/** The list every request of `request`'s site, window, by and section is cut from. */
const compute = (db: D1Database, site: Site, request: PopularRequest, nowMs: number) =>
  readPopular(db, site, { ...request, limit: LIST_LENGTH, exclude: [] }, nowMs);

const ageMs = (list: PopularList, nowMs: number) => nowMs - Date.parse(list.generated_at);
const isStale = (list: PopularList, nowMs: number) => ageMs(list, nowMs) >= POPULAR_MAX_AGE_SECONDS * 1000;

/** The newer of a copy from KV and one from memory, when either is kept still. */
function newerCopy(shared: PopularList | null, held: PopularList | undefined, nowMs: number): PopularList | null {
  const kept = held && ageMs(held, nowMs) < KEEP_SECONDS * 1000 ? held : undefined;
  if (!shared || !kept) return shared ?? kept ?? null;
  return ageMs(kept, nowMs) < ageMs(shared, nowMs) ? kept : shared;
}

// NOTE: there is no Cache API tier: it does nothing on workers.dev, where a plain
// `wrangler deploy` serves (https://developers.cloudflare.com/workers/runtime-apis/cache/).
/**
 * The list `request` is cut from, cached so that a front-page spike costs at
 * most one D1 computation per list, minute and isolate, not one per read:
 * from memory while fresh, else KV, else D1, storing the result in both. A
 * list older than its max-age is still served (from KV, or from memory when KV
 * misses), and refreshed in the background once per isolate at a time, so
 * that readers never queue behind D1. KV is the one shared tier; it keeps
 * often-read keys in each data centre. Until another isolate sees a new copy
 * there (usually at once in the data centre that wrote it, up to a minute
 * elsewhere), that isolate may compute the list itself. Without KV (down, or
 * failing) a list is computed once per isolate and minute.
 */
async function cachedList(
  ctx: PopularCacheContext,
  site: Site,
  request: PopularRequest,
  nowMs: number,
): Promise<PopularList> {
  const inputs = listInputs(site, request);
  // A memory hit is the hot path: it is looked up before any hashing.
  const memoryKey = `${site.id}\n${inputs}`;
  const held = ctx.memory.get(memoryKey, nowMs);
  if (held && !isStale(held, nowMs)) return held;

  const kvKey = `popular:${await cacheKey(site, inputs)}`;
  const store = (fresh: PopularList) => {
    ctx.memory.remember(memoryKey, fresh, nowMs);
    return writeCachedJson(ctx.env.CACHE, kvKey, fresh, KEEP_SECONDS);
  };

  const cached = newerCopy(await readCachedJson<PopularList>(ctx.env.CACHE, kvKey), held, nowMs);
  if (!cached) {
    const fresh = await compute(ctx.env.DB, site, request, nowMs);
    ctx.waitUntil(store(fresh));
    return fresh;
  }
  ctx.memory.remember(memoryKey, cached, nowMs);
  if (isStale(cached, nowMs) && ctx.memory.leaseRefresh(memoryKey, nowMs)) {
    const refresh = async () => {
      // Another isolate or data centre may have refreshed it already: then KV has it.
      const shared = await readCachedJson<PopularList>(ctx.env.CACHE, kvKey);
      if (shared && !isStale(shared, nowMs)) ctx.memory.remember(memoryKey, shared, nowMs);
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

/**
 * A site's popular list as `request` asks for it, with its ETag. Whatever its
 * `limit` and `exclude`, it is cut in memory from the one cached list of its
 * site, window, by and section (see cachedList), so that no reader can turn
 * their values into D1 or KV work.
 */
export async function cachedPopular(
  ctx: PopularCacheContext,
  site: Site,
  request: PopularRequest,
  nowMs: number,
): Promise<CachedPopular> {
  return answerFrom(await cachedList(ctx, site, request, nowMs), request, nowMs);
}
