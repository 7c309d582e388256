import type { Context } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { describe } from '../openapi/describe';
import { DASHBOARD_SCRIPT_PATH, DASHBOARD_STYLE_PATH, type DashboardAssets } from './assets';
import { LOGIN_PATH } from './paths';

export const ASSETS: DashboardAssets = { script: DASHBOARD_SCRIPT_PATH, style: DASHBOARD_STYLE_PATH };

/**
 * A dashboard page. Its script and styles are files of this origin, so the
 * app-wide CSP (src/http/security.ts: `script-src 'self'`, no framing) holds as is.
 * The pages are private and live: never stored by any cache.
 */
export function dashboardPage(c: Context, page: JSX.Element, status: ContentfulStatusCode = 200): Response {
  c.header('Cache-Control', 'no-store');
  return c.html(`<!doctype html>${page}`, status);
}

type Responses = Parameters<typeof describe>[2];

/** A dashboard route in the OpenAPI document: tagged together, and each one's answer when signed out. */
export const describeDashboard = (
  summary: string,
  responses: Responses,
  signedOut: 'redirect' | 'public' = 'redirect',
) =>
  signedOut === 'redirect'
    ? describe(
        'Dashboard',
        summary,
        { ...responses, 303: { description: `Not signed in: redirect to ${LOGIN_PATH}` } },
        { security: [{ dashboardSession: [] }] },
      )
    : describe('Dashboard', summary, responses);
