import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { cachedPopular, type PopularCacheContext, type PopularMemory } from '../../src/cache/popular';
import type { PopularRequest } from '../../src/ranking/popular-request';
import type { Site } from '../../src/sites/site-schema';
import { bucketOf } from '../../src/time';
import { createSite } from '../support/helpers';
import { loadStoredSite, seedArticles } from '../support/seed';

export const REQUEST: PopularRequest = { window: '24h', by: 'views', limit: 10, section: null, exclude: [] };

/** A cache context of an isolate's `memory` and the real bindings, unless overridden; `settle()` waits for its calls' background work. */
export function cacheContext(memory: PopularMemory, overrides: Partial<PopularCacheContext> = {}) {
  const ctx = createExecutionContext();
  return {
    context: { env, waitUntil: (p: Promise<unknown>) => ctx.waitUntil(p), memory, ...overrides },
    settle: () => waitOnExecutionContext(ctx),
  };
}

/** REQUEST's list read through a context of its own at `nowMs`, answered once the read's background work is done. */
export async function readSettled(
  memory: PopularMemory,
  site: Site,
  nowMs: number,
  overrides: Partial<PopularCacheContext> = {},
) {
  const cache = cacheContext(memory, overrides);
  const answer = await cachedPopular(cache.context, site, REQUEST, nowMs);
  await cache.settle();
  return answer;
}

/** A new site with one article of `views` views this hour. */
export async function seededSite(views: number) {
  const created = await createSite();
  const [url] = await seedArticles(created, [{ path: 'a', hours: [[bucketOf(Date.now()), views, 0]] }]);
  return { site: await loadStoredSite(created.id), url: url!, host: created.host };
}

/** New counts arriving in D1: a second article of `site`, with `views` views in the hour of `nowMs`. */
export const seedSecondArticle = (site: Site, host: string, nowMs: number, views: number) =>
  seedArticles({ id: site.id, host }, [{ path: 'b', hours: [[bucketOf(nowMs), views, 0]] }]);
