import { Hono } from 'hono';
import { z } from 'zod';
import { getSite } from '../db/sites';
import type { AppEnv } from '../env';
import { validate } from '../http/validation';
import { normaliseUrl } from '../ingest/normalise-url';
import { errors, html } from '../openapi/describe';
import { siteParam } from '../sites/site-schema';
import { ARTICLE_PERIODS, readArticleView } from './article-data';
import { ASSETS, dashboardPage, describeDashboard } from './page';
import { ArticlePage, UnknownArticlePage } from './views/article';
import { UnknownSitePage } from './views/sites';

/**
 * The article page's address: the article's URL in any spelling a beacon
 * could send (normalised as beacons are), and a period; an edited period
 * falls back to the default.
 */
const articleQuery = z.object({
  url: z
    .string()
    .max(2048)
    .transform((url, ctx) => {
      const normalised = normaliseUrl(url);
      if (normalised === null) {
        ctx.addIssue({ code: 'custom', message: 'must be an absolute http(s) URL of an article' });
        return z.NEVER;
      }
      return normalised;
    }),
  period: z.enum(ARTICLE_PERIODS).catch('7d'),
});

const DOCS = {
  show: describeDashboard(
    "One article: views, shares and reads over a period on the site's clock, its rank in each window, shares by network, its status and aliases",
    {
      200: html('The article page'),
      404: html('No such site, or no counts for this article'),
      ...errors(400),
    },
  ),
};

/** GET /dashboard/sites/{site}/articles?url=…: where every title in the dashboard links. */
export const dashboardArticleRoutes = new Hono<AppEnv>().get(
  '/sites/:site/articles',
  DOCS.show,
  validate('param', siteParam),
  validate('query', articleQuery),
  async (c) => {
    const site = await getSite(c.env.DB, c.req.valid('param').site);
    if (!site) return dashboardPage(c, <UnknownSitePage assets={ASSETS} id={c.req.valid('param').site} />, 404);
    const { url, period } = c.req.valid('query');
    const view = await readArticleView(c.env, site, url, period, Date.now());
    if (!view) return dashboardPage(c, <UnknownArticlePage assets={ASSETS} site={site} url={url} />, 404);
    return dashboardPage(c, <ArticlePage assets={ASSETS} site={site} view={view} />);
  },
);
