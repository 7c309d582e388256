import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { DASHBOARD_CSS, DASHBOARD_CSS_HASH, DASHBOARD_JS, DASHBOARD_JS_HASH } from '../generated/dashboard';
import { describe } from '../openapi/describe';
import { DASHBOARD_PATH } from './paths';

/** Content-addressed paths: a page always names the current build, so each file can be cached for good. */
const SCRIPT_ROUTE = `/assets/dashboard.${DASHBOARD_JS_HASH}.js`;
const STYLE_ROUTE = `/assets/dashboard.${DASHBOARD_CSS_HASH}.css`;
export const DASHBOARD_SCRIPT_PATH = `${DASHBOARD_PATH}${SCRIPT_ROUTE}`;
export const DASHBOARD_STYLE_PATH = `${DASHBOARD_PATH}${STYLE_ROUTE}`;

/** What every page links: the one script and the one stylesheet. */
export interface DashboardAssets {
  script: string;
  style: string;
}

const asset = (body: string, contentType: string) => () =>
  new Response(body, {
    headers: {
      'Content-Type': contentType,
      'Cache-Control': 'public, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
    },
  });

/**
 * The dashboard's script (with uPlot) and stylesheet, built from client/dashboard/
 * by scripts/build-client.mjs and served by the Worker itself, like the
 * widget. Public, as the sign-in page needs them and they hold no data.
 */
export const dashboardAssetRoutes = new Hono<AppEnv>()
  .get(
    SCRIPT_ROUTE,
    describe('Dashboard', "The dashboard's script, with uPlot (content-hashed, immutable)", {
      200: { description: 'JavaScript' },
    }),
    asset(DASHBOARD_JS, 'text/javascript; charset=utf-8'),
  )
  .get(
    STYLE_ROUTE,
    describe('Dashboard', "The dashboard's stylesheet, with uPlot's (content-hashed, immutable)", {
      200: { description: 'CSS' },
    }),
    asset(DASHBOARD_CSS, 'text/css; charset=utf-8'),
  );
