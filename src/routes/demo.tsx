import { Hono } from 'hono';
import { cachedPopular, requestCacheContext } from '../cache/popular';
import { loadSite } from '../cache/sites';
import { DEMO_ARTICLES, demoReportedUrl } from '../demo/articles';
import { demoPicture } from '../demo/pictures';
import type { AppEnv } from '../env';
import { withStyleNonce } from '../http/security';
import { describe, html } from '../openapi/describe';
import type { PopularRequest } from '../ranking/popular-request';
import { DEMO_POPULAR_SHOWN, DemoPage } from '../render/demo-page';

/** The demo page's "Most popular" box: the day's most-read stories, one more than shown, as the page leaves itself out. */
const DEMO_POPULAR: PopularRequest = {
  window: '24h',
  by: 'views',
  limit: DEMO_POPULAR_SHOWN + 1,
  section: null,
  exclude: [],
};

/** GET /demo, /demo/{slug} and /demo/pictures/{file}, mounted at /demo: the imaginary paper's pages and pictures. */
export const demoRoutes = new Hono<AppEnv>()
  .get(
    '/pictures/:file{[a-z0-9-]+\\.svg}',
    describe('Demo', 'A picture of a demo article', {
      200: { description: 'SVG', content: { 'image/svg+xml': { schema: { type: 'string' } } } },
      404: { description: 'No such picture' },
    }),
    (c) => {
      const picture = demoPicture(c.req.param('file'));
      if (!picture) return c.notFound();
      c.header('Cache-Control', 'public, max-age=604800');
      return c.body(picture, 200, { 'Content-Type': 'image/svg+xml' });
    },
  )
  .get(
    '/:slug{[a-z0-9-]*}?',
    withStyleNonce(),
    describe('Demo', 'A demo article page of an imaginary paper', {
      200: html('The article page'),
      404: { description: 'No such demo article' },
    }),
    async (c) => {
      const slug = c.req.param('slug') ?? '';
      const article = DEMO_ARTICLES.find((a) => a.slug === slug);
      // A 404 is what makes the page checker reject a URL invented under /demo.
      if (!article) return c.notFound();
      const origin = new URL(c.req.url).origin;
      // The same cached list the popular endpoint serves; an unseeded database has no demo site yet.
      const site = await loadSite(c.env, 'demo');
      const items = site
        ? (await cachedPopular(requestCacheContext(c.env, c.executionCtx), site, DEMO_POPULAR, Date.now())).list.items
        : [];
      const page = (
        <DemoPage
          article={article}
          origin={origin}
          reportedUrl={demoReportedUrl(article, origin, site?.settings.article_source ?? null)}
          popular={items}
          nonce={c.get('secureHeadersNonce') ?? ''}
        />
      );
      return c.html(`<!doctype html>${page}`);
    },
  );
