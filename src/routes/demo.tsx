import { Hono } from 'hono';
import { cachedPopular, requestCacheContext } from '../cache/popular';
import { loadSite } from '../cache/sites';
import { DEMO_ARTICLES } from '../demo/articles';
import type { AppEnv } from '../env';
import { withStyleNonce } from '../http/security';
import { describe, html } from '../openapi/describe';
import type { PopularRequest } from '../ranking/popular-request';
import { DemoPage } from '../render/demo-page';

/** The demo page's "Most popular" box: the day's five most-read stories. */
const DEMO_POPULAR: PopularRequest = { window: '24h', by: 'views', limit: 5, section: null, exclude: [] };

/** GET /demo and /demo/{slug}, mounted at /demo: the imaginary paper's article pages. */
export const demoRoutes = new Hono<AppEnv>().get(
  '/:slug{[a-z0-9-]*}?',
  withStyleNonce(),
  describe('Demo', 'A demo article page of an imaginary paper', {
    200: html('The article page'),
    404: { description: 'No such demo article' },
  }),
  async (c) => {
    const slug = c.req.param('slug') ?? '';
    const article = DEMO_ARTICLES.find((a) => a.slug === slug);
    if (!article) return c.notFound();
    const origin = new URL(c.req.url).origin;
    // The same cached list the popular endpoint serves; an unseeded database has no demo site yet.
    const site = await loadSite(c.env, 'demo');
    const items = site
      ? (await cachedPopular(requestCacheContext(c.env, c.executionCtx), site, DEMO_POPULAR, Date.now())).list.items
      : [];
    return c.html(
      `<!doctype html>${<DemoPage article={article} origin={origin} popular={{ request: DEMO_POPULAR, items }} nonce={c.get('secureHeadersNonce') ?? ''} />}`,
    );
  },
);
