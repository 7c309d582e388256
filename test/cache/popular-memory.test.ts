import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cachedPopular, MEMORY_ENTRIES, PopularMemory } from '../../src/cache/popular';
import type { PopularRequest } from '../../src/ranking/popular-request';
import { cacheContext, REQUEST, readSettled, seededSite, seedSecondArticle } from './popular-support';

describe("popular lists in the isolate's memory", () => {
  afterEach(() => vi.restoreAllMocks());

  it('should answer a fresh list again without reading KV or D1', async () => {
    const { site } = await seededSite(3);
    const memory = new PopularMemory();
    const computed = await readSettled(memory, site, Date.now());

    const kvGet = vi.spyOn(env.CACHE, 'get');
    const d1 = vi.spyOn(env.DB, 'prepare');
    const again = cacheContext(memory);
    expect(await cachedPopular(again.context, site, REQUEST, Date.now() + 30_000)).toBe(computed);
    await again.settle();
    expect(kvGet).not.toHaveBeenCalled();
    expect(d1).not.toHaveBeenCalled();
  });

  it('should pass a stale copy over to KV, which serves it and has it refreshed', async () => {
    const { site, host } = await seededSite(4);
    const t0 = Date.now();
    const memory = new PopularMemory();
    const original = await readSettled(memory, site, t0);
    await seedSecondArticle(site, host, t0, 9);

    const kvGet = vi.spyOn(env.CACHE, 'get');
    const stale = cacheContext(memory);
    expect(await cachedPopular(stale.context, site, REQUEST, t0 + 61_000)).toEqual(original);
    // The read, then the refresh looking for a copy another isolate refreshed.
    expect(kvGet).toHaveBeenCalledTimes(2);
    await stale.settle();

    // The refresh stored its list in memory too: the next read takes it from there.
    const refreshed = await readSettled(memory, site, t0 + 62_000);
    expect(kvGet).toHaveBeenCalledTimes(2);
    expect(refreshed.list.items.map((item) => item.views)).toEqual([9, 4]);
  });

  it('should answer a request with long inputs again from memory', async () => {
    const { site } = await seededSite(6);
    const request = {
      ...REQUEST,
      exclude: Array.from({ length: 20 }, (_, i) => `https://${site.hosts[0]}/${'long-path/'.repeat(20)}${i}`),
    };
    const first = cacheContext(new PopularMemory());
    const computed = await cachedPopular(first.context, site, request, Date.now());
    await first.settle();

    const kvGet = vi.spyOn(env.CACHE, 'get');
    const again = cacheContext(first.context.memory);
    expect(await cachedPopular(again.context, site, request, Date.now())).toBe(computed);
    expect(kvGet).not.toHaveBeenCalled();
    await again.settle();
  });

  it(`should keep at most ${MEMORY_ENTRIES} lists, dropping the one used longest ago`, async () => {
    const { site } = await seededSite(5);
    const first = cacheContext(new PopularMemory());
    const nowMs = Date.now();
    const inSection = (i: number): PopularRequest => ({ ...REQUEST, section: `s${i}` });
    const used = await cachedPopular(first.context, site, REQUEST, nowMs);
    const unused = await cachedPopular(first.context, site, inSection(0), nowMs);
    for (let i = 1; i < MEMORY_ENTRIES - 1; i++) {
      await cachedPopular(first.context, site, inSection(i), nowMs);
      // Read all along, the first list stays; the second is not read again.
      expect(await cachedPopular(first.context, site, REQUEST, nowMs)).toBe(used);
    }
    // One list more than memory holds.
    await cachedPopular(first.context, site, inSection(MEMORY_ENTRIES - 1), nowMs);
    await first.settle();

    const kvGet = vi.spyOn(env.CACHE, 'get');
    const again = cacheContext(first.context.memory);
    // The other lists are all still held...
    expect(await cachedPopular(again.context, site, REQUEST, nowMs)).toBe(used);
    for (let i = 1; i < MEMORY_ENTRIES; i++) await cachedPopular(again.context, site, inSection(i), nowMs);
    expect(kvGet).not.toHaveBeenCalled();
    // ...and the one used longest ago has to come from KV.
    expect(await cachedPopular(again.context, site, inSection(0), nowMs)).toEqual(unused);
    expect(kvGet).toHaveBeenCalledTimes(1);
    await again.settle();
  }, 60_000);

  it('should answer any limit and exclude from the list in memory, without reading KV or D1', async () => {
    const { site } = await seededSite(7);
    const memory = new PopularMemory();
    await readSettled(memory, site, Date.now());

    const kvGet = vi.spyOn(env.CACHE, 'get');
    const d1 = vi.spyOn(env.DB, 'prepare');
    const again = cacheContext(memory);
    for (let i = 0; i < 20; i++) {
      const request = { ...REQUEST, limit: 1 + i, exclude: [`https://${site.hosts[0]}/other-${i}`] };
      const { list } = await cachedPopular(again.context, site, request, Date.now());
      expect(list.items).toEqual([expect.objectContaining({ rank: 1, views: 7 })]);
    }
    await again.settle();
    expect(kvGet).not.toHaveBeenCalled();
    expect(d1).not.toHaveBeenCalled();
  });
});
