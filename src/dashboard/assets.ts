import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { describe } from '../openapi/describe';
import { DASHBOARD_CSS, DASHBOARD_CSS_HASH, DASHBOARD_JS, DASHBOARD_JS_HASH } from '../generated/dashboard';

/** Content-addressed paths: a page always names the current build, so each file can be cached for good. */
export const DASHBOARD_SCRIPT_PATH = `/dashboard/assets/dashboard.${DASHBOARD_JS_HASH}.js`;
export const DASHBOARD_STYLE_PATH = `/dashboard/assets/dashboard.${DASHBOARD_CSS_HASH}.css`;

const asset = (body: string, contentType: string) => () =>
  new Response(body, {
    headers: {
      'Content-Type': contentType,
      'Cache-Control': 'public, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
    },
  });

/**
 * The dashboard's script (with uPlot) and stylesheet, built from src/dashboard/
 * by scripts/build-dashboard.mjs and served by the Worker itself, like the
 * widget. Public, as the sign-in page needs them and they hold no data.
 */
export const dashboardAssetRoutes = new Hono<AppEnv>()
  .get(
    DASHBOARD_SCRIPT_PATH,
    describe('Dashboard', "The dashboard's script, with uPlot (content-hashed, immutable)", { 200: { description: 'JavaScript' } }),
    asset(DASHBOARD_JS, 'text/javascript; charset=utf-8'),
  )
  .get(
    DASHBOARD_STYLE_PATH,
    describe('Dashboard', "The dashboard's stylesheet, with uPlot's (content-hashed, immutable)", { 200: { description: 'CSS' } }),
    asset(DASHBOARD_CSS, 'text/css; charset=utf-8'),
  );
