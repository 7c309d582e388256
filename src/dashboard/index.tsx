import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { PERIODS } from '../db/series';
import { getSite, listSites } from '../db/sites';
import type { AppEnv } from '../env';
import { ApiError, unknownSite } from '../errors';
import { validate } from '../http/validation';
import { describe, errors, html } from '../openapi/describe';
import { RANK_BY, WINDOWS } from '../ranking/windows';
import { siteId } from '../sites/site-schema';
import { dashboardArticleRoutes } from './article';
import { dashboardArticleListRoutes } from './articles';
import { dashboardAssetRoutes } from './assets';
import { dashboardLoginRoutes } from './login';
import { readLiveHour, readOverview } from './overview-data';
import { ASSETS, dashboardPage, describeDashboard } from './page';
import { refuseCrossSite, requireSession } from './session';
import { dashboardSiteRoutes } from './sites';
import { warnOfWeakToken } from './token-warning';
import { NoSitePage, OverviewPage } from './views/overview';

/**
 * The overview's address: every choice is in the query, so each view can be
 * bookmarked and shared in the newsroom. A value that is not one of the
 * choices (an edited address) falls back to the default instead of failing.
 */
const overviewQuery = z.object({
  site: siteId.optional().catch(undefined),
  period: z.enum(PERIODS).catch('7d'),
  window: z.enum(WINDOWS).catch('24h'),
  by: z.enum(RANK_BY).catch('views'),
});

const liveQuery = z.object({ site: siteId });

/** The largest form: a site's fields with 50 hosts fit in a few KiB. */
const MAX_FORM_BYTES = 64 * 1024;

const limitForms = () =>
  bodyLimit({
    maxSize: MAX_FORM_BYTES,
    onError: () => {
      throw new ApiError('payload_too_large', `A dashboard form must be at most ${MAX_FORM_BYTES} bytes.`);
    },
  });

/** The routes in the OpenAPI document. */
const DOCS = {
  overview: describeDashboard("A site's overview: charts, top articles, shares by network, the last hour", {
    200: html('The overview'),
    404: html('No such site'),
  }),
  // Signed out, a script gets a 401 here rather than a redirect.
  live: describe(
    'Dashboard',
    "The live panel's numbers: this UTC hour and the one before, and the hour's top articles",
    {
      200: { description: 'JSON', content: { 'application/json': { schema: { type: 'object' } } } },
      ...errors(400, 401, 404),
    },
    { security: [{ dashboardSession: [] }] },
  ),
};

const overviewRoutes = new Hono<AppEnv>()
  .get('/', DOCS.overview, validate('query', overviewQuery), async (c) => {
    const query = c.req.valid('query');
    const sites = await listSites(c.env.DB);
    const site = query.site ? sites.find((s) => s.id === query.site) : sites[0];
    if (!site)
      return dashboardPage(c, <NoSitePage assets={ASSETS} missing={query.site ?? null} />, query.site ? 404 : 200);
    const now = Date.now();
    const rank = { window: query.window, by: query.by };
    const [overview, live] = await Promise.all([
      readOverview(c.env.DB, site, query.period, rank, now),
      readLiveHour(c.env.DB, site, now),
    ]);
    const state = { site: site.id, period: query.period, ...rank };
    return dashboardPage(
      c,
      <OverviewPage assets={ASSETS} sites={sites} site={site} state={state} overview={overview} live={live} />,
    );
  })
  .get('/api/live', DOCS.live, validate('query', liveQuery), async (c) => {
    const site = await getSite(c.env.DB, c.req.valid('query').site);
    if (!site) throw unknownSite({ id: c.req.valid('query').site });
    c.header('Cache-Control', 'no-store');
    return c.json(await readLiveHour(c.env.DB, site, Date.now()));
  });

/**
 * GET /dashboard and everything under it, mounted at DASHBOARD_PATH (paths.ts)
 * by src/app.ts. Order matters: the weak-token warning around every page; the
 * public assets; then the cross-site check and size limit for every form post
 * (sign-in included); then sign-in; then the session check in front of all
 * the rest.
 */
export const dashboardApp = new Hono<AppEnv>()
  .use('/*', warnOfWeakToken())
  .route('/', dashboardAssetRoutes)
  .use('/*', refuseCrossSite(), limitForms())
  .route('/', dashboardLoginRoutes)
  .use('/*', requireSession())
  .route('/', overviewRoutes)
  .route('/', dashboardSiteRoutes)
  .route('/', dashboardArticleRoutes)
  .route('/', dashboardArticleListRoutes);
