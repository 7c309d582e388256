import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cachedPopular, LIST_LENGTH, PopularMemory } from '../../src/cache/popular';
import worker from '../../src/index';
import { readPopular } from '../../src/popular/read-popular';
import type { PopularRequest } from '../../src/ranking/popular-request';
import type { PopularList } from '../../src/ranking/rank';
import { bucketOf } from '../../src/time';
import { createSite } from '../support/helpers';
import { loadStoredSite, seedArticles } from '../support/seed';
import { cacheContext, REQUEST, readSettled, seededSite, seedSecondArticle } from './popular-support';

const POPULAR_TABLES = ['articles', 'article_hours', 'article_days', 'rollup_state', 'window_totals', 'window_state'];

/**
 * Runs `read` with every table a popular list is computed from renamed away,
 * so that any D1 query for it fails; the tables come back afterwards.
 */
async function withoutPopularTables<T>(read: () => Promise<T>): Promise<T> {
  await env.DB.batch(POPULAR_TABLES.map((t) => env.DB.prepare(`ALTER TABLE ${t} RENAME TO away_${t}`)));
  try {
    return await read();
  } finally {
    await env.DB.batch(POPULAR_TABLES.map((t) => env.DB.prepare(`ALTER TABLE away_${t} RENAME TO ${t}`)));
  }
}

/** A request through the Worker's own fetch handler, waiting for its background work. */
async function fetchWorker(url: string): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(url), env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** One isolate's memory, shared by the calls of a test unless one stands for another isolate. */
const sameIsolate = new PopularMemory();

/** Silences console[`level`] for the rest of the test (afterEach restores it), keeping what was logged. */
const captureConsole = (level: 'error' | 'warn') => vi.spyOn(console, level).mockImplementation(() => {});
/** The first argument of each call: the message, before the error it reports. */
const messages = (spy: ReturnType<typeof captureConsole>) => spy.mock.calls.map(([message]) => message);
const kvRead = expect.stringMatching(/^KV read of popular:v4\/.+ failed$/);
const kvWrite = expect.stringMatching(/^KV write of popular:v4\/.+ failed$/);

const failing = () => Promise.reject(new Error('KV is unavailable'));
/** A KV namespace that fails every call, as during an outage. */
const kvDown = {
  get: failing,
  put: failing,
  delete: failing,
  list: failing,
  getWithMetadata: failing,
} as unknown as KVNamespace;

/** The strong ETag of a JSON answer, as the route sends it. */
async function tagOf(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body)));
  const hex = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `"${hex.slice(0, 32)}"`;
}

/** The whole numbers from `from` to `to`. */
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('popular list caching', () => {
  afterEach(() => vi.restoreAllMocks());

  it('should answer a cached read without touching D1', async () => {
    const { site } = await seededSite(3);
    const url = `https://api.test/api/v1/sites/${site.id}/popular?window=7d&by=score`;
    const first = await fetchWorker(url);
    expect(first.status).toBe(200);
    const body = await first.text();

    const cached = await withoutPopularTables(() => fetchWorker(url));
    expect(cached.status).toBe(200);
    expect(await cached.text()).toBe(body);
    expect(cached.headers.get('ETag')).toBe(first.headers.get('ETag'));

    // The proof holds: with the tables away, a list not cached yet cannot be answered.
    const errors = captureConsole('error');
    const uncached = await withoutPopularTables(() => fetchWorker(`${url}&section=Elsewhere`));
    expect(uncached.status).toBe(500);
    expect(errors.mock.calls).toEqual([
      ['unhandled error', expect.objectContaining({ message: expect.stringContaining('no such table') })],
    ]);
  });

  it('should share one computation between isolates through KV', async () => {
    const { site } = await seededSite(4);
    const computed = await readSettled(sameIsolate, site, Date.now());

    // Another isolate (or data centre): its own memory, the same KV.
    const elsewhere = cacheContext(new PopularMemory());
    const fromKv = await withoutPopularTables(() => cachedPopular(elsewhere.context, site, REQUEST, Date.now()));
    expect(fromKv).toEqual(computed);
    await elsewhere.settle();
  });

  it('should serve a stale list at once and refresh it in the background', async () => {
    const { site, host } = await seededSite(5);
    const t0 = Date.now();
    const original = await readSettled(sameIsolate, site, t0);
    expect(original.list.items[0]).toMatchObject({ views: 5 });
    await seedSecondArticle(site, host, t0, 9);

    // Within max-age: the cached list, untouched.
    expect(await readSettled(sameIsolate, site, t0 + 59_000)).toEqual(original);
    // After max-age: still the old list, right away, while the refresh computes the new one in the background.
    expect(await readSettled(sameIsolate, site, t0 + 61_000)).toEqual(original);
    const refreshed = await readSettled(sameIsolate, site, t0 + 62_000);
    expect(refreshed.list.generated_at).toBe(new Date(t0 + 61_000).toISOString());
    expect(refreshed.list.items.map((item) => item.views)).toEqual([9, 5]);
    expect(refreshed.etag).not.toBe(original.etag);
  });

  it('should keep serving the stale list while D1 is failing', async () => {
    const { site } = await seededSite(6);
    const t0 = Date.now();
    const original = await readSettled(sameIsolate, site, t0);

    const stale = cacheContext(sameIsolate);
    const errors = captureConsole('error');
    const served = await withoutPopularTables(async () => {
      const list = await cachedPopular(stale.context, site, REQUEST, t0 + 120_000);
      await stale.settle(); // the refresh fails, and is only logged
      return list;
    });
    expect(served).toEqual(original);
    expect(errors.mock.calls).toEqual([
      ['popular: refresh failed', expect.objectContaining({ message: expect.stringContaining('no such table') })],
    ]);
  });

  it('should answer from D1 when KV is down', async () => {
    const { site } = await seededSite(7);
    const warnings = captureConsole('warn');
    const list = await readSettled(sameIsolate, site, Date.now(), { env: { DB: env.DB, CACHE: kvDown } });
    expect(list.list.items).toEqual([expect.objectContaining({ rank: 1, views: 7 })]);
    expect(messages(warnings)).toEqual([kvRead, kvWrite]);
  });

  it('should serve the stale copy in memory when KV misses, and refresh it in the background', async () => {
    const { site, host } = await seededSite(7);
    const t0 = Date.now();
    const original = await readSettled(sameIsolate, site, t0);
    await seedSecondArticle(site, host, t0, 11);

    const warnings = captureConsole('warn');
    expect(await readSettled(sameIsolate, site, t0 + 61_000, { env: { DB: env.DB, CACHE: kvDown } })).toBe(original);
    // The read, the refresh's look for a copy refreshed elsewhere, the refresh's store.
    expect(messages(warnings)).toEqual([kvRead, kvRead, kvWrite]);
    const refreshed = await readSettled(sameIsolate, site, t0 + 62_000, { env: { DB: env.DB, CACHE: kvDown } });
    expect(refreshed.list.items.map((item) => item.views)).toEqual([11, 7]);
    // The refreshed copy came from memory: KV was not asked again.
    expect(warnings).toHaveBeenCalledTimes(3);
  });

  it('should not serve a copy in memory older than a list is kept', async () => {
    const { site, host } = await seededSite(7);
    const t0 = Date.now();
    await readSettled(sameIsolate, site, t0);
    await seedSecondArticle(site, host, t0, 11);

    // Ten minutes on, the KV copy has expired too: the list is computed while the reader waits.
    const warnings = captureConsole('warn');
    const list = await readSettled(sameIsolate, site, t0 + 600_000, { env: { DB: env.DB, CACHE: kvDown } });
    expect(list.list.generated_at).toBe(new Date(t0 + 600_000).toISOString());
    expect(messages(warnings)).toEqual([kvRead, kvWrite]);
  });

  it("should answer the route's next read from the isolate's memory", async () => {
    const { site } = await seededSite(12);
    const url = `https://api.test/api/v1/sites/${site.id}/popular?limit=4`;
    const first = await fetchWorker(url);
    const kvGet = vi.spyOn(env.CACHE, 'get');
    const again = await fetchWorker(url);
    expect(await again.text()).toBe(await first.text());
    expect(kvGet.mock.calls.filter(([key]) => String(key).startsWith('popular:'))).toEqual([]);
  });

  it('should key lists by window, by, section and the ranking settings, and cut limit and exclude from them', async () => {
    const { site } = await seededSite(8);
    const base = await readSettled(sameIsolate, site, Date.now());
    const served = (request: PopularRequest, s = site) =>
      withoutPopularTables(() =>
        cachedPopular(cacheContext(sameIsolate).context, s, request, Date.now()).then(
          () => 'cached',
          () => 'computed',
        ),
      );
    expect(await served(REQUEST)).toBe('cached');
    expect(await served({ ...REQUEST, limit: 3 })).toBe('cached');
    expect(await served({ ...REQUEST, limit: 50, exclude: [base.list.items[0]!.url] })).toBe('cached');
    const variants: PopularRequest[] = [
      { ...REQUEST, window: '7d' },
      { ...REQUEST, by: 'score' },
      { ...REQUEST, section: 'City' },
    ];
    for (const request of variants) expect(await served(request)).toBe('computed');
    expect(await served(REQUEST, { ...site, settings: { ...site.settings, share_weight: 1 } })).toBe('computed');
    expect(await served(REQUEST, { ...site, settings: { ...site.settings, half_life_hours: 1 } })).toBe('computed');
  });

  it('should store one list per window, by and section in KV for ten minutes, whatever limit and exclude ask', async () => {
    const { site } = await seededSite(9);
    const ctx = cacheContext(sameIsolate);
    const { list } = await cachedPopular(ctx.context, site, REQUEST, Date.now());
    await cachedPopular(
      ctx.context,
      site,
      { ...REQUEST, limit: 2, exclude: [`https://${site.hosts[0]}/x`] },
      Date.now(),
    );
    await ctx.settle();
    const keys = await env.CACHE.list({ prefix: `popular:v4/${site.id}/` });
    expect(keys.keys).toHaveLength(1);
    expect(keys.keys[0]!.expiration).toBeGreaterThan(Date.now() / 1000 + 590);
    expect(keys.keys[0]!.expiration).toBeLessThanOrEqual(Date.now() / 1000 + 600);
    // The list every request is cut from: here one article, ranked as the answer ranks it.
    expect(await env.CACHE.get<PopularList>(keys.keys[0]!.name, 'json')).toEqual(list);
  });

  it('should cost at most one D1 list computation per window, by and section for 200 requests of distinct limit and exclude', async () => {
    const { site, host } = await seededSite(10);
    await seedArticles(
      { id: site.id, host },
      Array.from({ length: 30 }, (_, i) => ({
        path: `p${i}`,
        section: i % 2 ? 'City' : 'Sport',
        hours: [[bucketOf(Date.now()), 40 - i, i % 3]],
      })),
    );
    const combos = (['24h', 'all'] as const).flatMap((window) =>
      (['views', 'trending'] as const).flatMap((by) => [null, 'City'].map((section) => ({ window, by, section }))),
    );
    const nowMs = Date.now();
    const prepare = vi.spyOn(env.DB, 'prepare');
    // What one computation of each list prepares: the statements of the direct ranking.
    for (const combo of combos) await readPopular(env.DB, site, { ...combo, limit: 50, exclude: [] }, nowMs);
    const oneComputationEach = prepare.mock.calls.length;
    prepare.mockClear();

    const ctx = cacheContext(new PopularMemory());
    for (let i = 0; i < 200; i++) {
      const request: PopularRequest = {
        ...combos[i % combos.length]!,
        limit: 1 + ((i * 7) % 50),
        // A distinct exclude on every request: one invented URL, and an article now and then.
        exclude: [`https://${host}/invented-${i}`, ...(i % 3 ? [] : [`https://${host}/p${i % 30}`])].sort(),
      };
      await cachedPopular(ctx.context, site, request, nowMs);
    }
    await ctx.settle();
    expect(prepare).toHaveBeenCalledTimes(oneComputationEach);
    const keys = await env.CACHE.list({ prefix: 'popular:' });
    expect(keys.keys.filter(({ name }) => name.includes(`/${site.id}/`))).toHaveLength(combos.length);
  }, 30_000);

  it('should answer every limit and exclude exactly as the direct ranking, also around the cut of its list', async () => {
    const created = await createSite();
    const c = bucketOf(Date.now());
    // More articles than a list holds, in the section too (three in four), with ties
    // in views, so that the order by URL matters as well.
    await seedArticles(
      created,
      Array.from({ length: LIST_LENGTH + 60 }, (_, i) => ({
        path: `a${String(i).padStart(3, '0')}`,
        section: i % 4 ? 'City' : 'Sport',
        hours: [
          [c - 1, 200 - Math.floor(i / 2), i % 5],
          [c - 30, i % 7, 0],
        ],
      })),
    );
    const site = await loadStoredSite(created.id);
    const nowMs = Date.now();
    const ctx = cacheContext(new PopularMemory());
    for (const window of ['24h', 'all'] as const) {
      for (const by of ['views', 'score', 'trending'] as const) {
        for (const section of [null, 'City']) {
          const ranked = (await readPopular(env.DB, site, { window, by, section, limit: 500, exclude: [] }, nowMs))
            .items;
          // 1-based positions in the full ranking; the list holds the first LIST_LENGTH.
          const at = (positions: number[]) => positions.map((p) => ranked[p - 1]!.url);
          const excludes = [
            [],
            at([1]),
            at([49, 50, 51]),
            at([LIST_LENGTH - 1, LIST_LENGTH, LIST_LENGTH + 1]),
            at(range(1, 50)),
            at(range(51, LIST_LENGTH)),
            [...at(range(2, 49)), `https://${created.host}/never-counted`],
          ];
          for (const limit of [1, 10, 49, 50]) {
            for (const exclude of excludes) {
              const request: PopularRequest = { window, by, section, limit, exclude: [...exclude].sort() };
              const expected = await readPopular(env.DB, site, request, nowMs);
              const answer = await cachedPopular(ctx.context, site, request, nowMs);
              expect(answer.list).toEqual(expected);
              expect(answer.etag).toBe(await tagOf(JSON.stringify(expected)));
            }
          }
        }
      }
    }
    await ctx.settle();
  }, 60_000);
});
