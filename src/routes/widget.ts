import { type Context, Hono } from 'hono';
import type { AppEnv } from '../env';
import { WIDGET_HASH, WIDGET_JS } from '../generated/widget';
import { describe } from '../openapi/describe';

const script = {
  description: 'The widget script',
  content: { 'text/javascript': { schema: { type: 'string' } } },
} as const;

/** The widget's content-addressed path: cached for a year, as its content never changes. */
export const WIDGET_PATH = `/widget.${WIDGET_HASH}.js`;

const ETAG = `"${WIDGET_HASH}"`;

function serveWidget(c: Context<AppEnv>, cacheControl: string): Response {
  c.header('Cache-Control', cacheControl);
  c.header('ETag', ETAG);
  // Loadable from any page, with or without `crossorigin` (for SRI) or COEP.
  c.header('Access-Control-Allow-Origin', '*');
  c.header('Cross-Origin-Resource-Policy', 'cross-origin');
  c.header('X-Content-Type-Options', 'nosniff');
  if (c.req.header('If-None-Match') === ETAG) return c.body(null, 304);
  return c.body(WIDGET_JS, 200, { 'Content-Type': 'text/javascript; charset=utf-8' });
}

/**
 * The widget, built from client/widget/ by scripts/build-client.mjs, mounted
 * at the root. `/widget.js` is what publishers embed: cached five minutes, so
 * a deploy reaches every page soon. The hashed path never changes content; a
 * hash from an older deploy redirects to the current script rather than
 * breaking the pages that name it.
 */
export const widgetRoutes = new Hono<AppEnv>()
  .get(
    '/widget.js',
    describe('Embedding', 'The widget script', { 200: script, 304: { description: 'Not modified' } }),
    (c) => serveWidget(c, 'public, max-age=300'),
  )
  .get(
    '/:file{widget\\.[0-9a-f]{16}\\.js}',
    describe('Embedding', 'The widget script at its content-hashed path (immutable)', {
      200: script,
      302: { description: 'An older hash: redirect to /widget.js' },
    }),
    (c) => {
      if (c.req.param('file') === WIDGET_PATH.slice(1)) return serveWidget(c, 'public, max-age=31536000, immutable');
      c.header('Cache-Control', 'public, max-age=300');
      return c.redirect('/widget.js', 302);
    },
  );
