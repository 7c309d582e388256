import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cachedPopular, MEMORY_ENTRIES, PopularMemory } from '../../src/cache/popular';
import type { PopularRequest } from '../../src/ranking/popular-request';
import { bucketOf } from '../../src/time';
import { createSite } from '../support/helpers';
import { loadStoredSite, seedArticles } from '../support/seed';

const REQUEST: PopularRequest = { window: '24h', by: 'views', limit: 10, section: null, exclude: [] };

/** A cache context of an isolate's memory (a new one by default); `settle()` waits for background work. */
function cacheContext(memory = new PopularMemory()) {
  const ctx = createExecutionContext();
  return {
    context: { env, waitUntil: (p: Promise<unknown>) => ctx.waitUntil(p), memory },
    settle: () => waitOnExecutionContext(ctx),
  };
}

async function seededSite(views: number) {
  const created = await createSite();
  await seedArticles(created, [{ path: 'a', hours: [[bucketOf(Date.now()), views, 0]] }]);
  return { site: await loadStoredSite(created.id), host: created.host };
}

describe("popular lists in the isolate's memory", () => {
  afterEach(() => vi.restoreAllMocks());

  it('should answer a fresh list again without reading KV or D1', async () => {
    const { site } = await seededSite(3);
    const first = cacheContext();
    const computed = await cachedPopular(first.context, site, REQUEST, Date.now());
    await first.settle();

    const kvGet = vi.spyOn(env.CACHE, 'get');
    const d1 = vi.spyOn(env.DB, 'prepare');
    const again = cacheContext(first.context.memory);
    expect(await cachedPopular(again.context, site, REQUEST, Date.now() + 30_000)).toBe(computed);
    await again.settle();
    expect(kvGet).not.toHaveBeenCalled();
    expect(d1).not.toHaveBeenCalled();
  });

  it('should pass a stale copy over to KV, which serves it and has it refreshed', async () => {
    const { site, host } = await seededSite(4);
    const t0 = Date.now();
    const first = cacheContext();
    const original = await cachedPopular(first.context, site, REQUEST, t0);
    await first.settle();
    await seedArticles({ id: site.id, host }, [{ path: 'b', hours: [[bucketOf(t0), 9, 0]] }]);

    const kvGet = vi.spyOn(env.CACHE, 'get');
    const stale = cacheContext(first.context.memory);
    expect(await cachedPopular(stale.context, site, REQUEST, t0 + 61_000)).toEqual(original);
    // The read, then the refresh looking for a copy another isolate refreshed.
    expect(kvGet).toHaveBeenCalledTimes(2);
    await stale.settle();

    // The refresh stored its list in memory too: the next read takes it from there.
    const next = cacheContext(first.context.memory);
    const refreshed = await cachedPopular(next.context, site, REQUEST, t0 + 62_000);
    expect(kvGet).toHaveBeenCalledTimes(2);
    expect(refreshed.list.items.map((item) => item.views)).toEqual([9, 4]);
    await next.settle();
  });

  it('should hold a list asked with long inputs too', async () => {
    const { site } = await seededSite(6);
    const request = {
      ...REQUEST,
      exclude: Array.from({ length: 20 }, (_, i) => `https://${site.hosts[0]}/${'long-path/'.repeat(20)}${i}`),
    };
    const first = cacheContext();
    const computed = await cachedPopular(first.context, site, request, Date.now());
    await first.settle();

    const kvGet = vi.spyOn(env.CACHE, 'get');
    const again = cacheContext(first.context.memory);
    expect(await cachedPopular(again.context, site, request, Date.now())).toBe(computed);
    expect(kvGet).not.toHaveBeenCalled();
    await again.settle();
  });

  it(`should keep at most ${MEMORY_ENTRIES} lists, dropping the one stored longest ago`, async () => {
    const { site } = await seededSite(5);
    const first = cacheContext();
    const nowMs = Date.now();
    const oldest = await cachedPopular(first.context, site, { ...REQUEST, limit: 1 }, nowMs);
    for (let i = 0; i < MEMORY_ENTRIES; i++) {
      await cachedPopular(first.context, site, { ...REQUEST, exclude: [`https://${site.hosts[0]}/x${i}`] }, nowMs);
    }
    await first.settle();

    const kvGet = vi.spyOn(env.CACHE, 'get');
    const again = cacheContext(first.context.memory);
    // The other lists are all still held...
    for (let i = 0; i < MEMORY_ENTRIES; i++) {
      await cachedPopular(again.context, site, { ...REQUEST, exclude: [`https://${site.hosts[0]}/x${i}`] }, nowMs);
    }
    expect(kvGet).not.toHaveBeenCalled();
    // ...and the first stored has to come from KV.
    expect(await cachedPopular(again.context, site, { ...REQUEST, limit: 1 }, nowMs)).toEqual(oldest);
    expect(kvGet).toHaveBeenCalledTimes(1);
    await again.settle();
  }, 60_000);
});
