import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/**
 * CORS of the public read endpoints: any origin may read every answer (errors
 * and 304s too), and preflights are answered by hono/cors. Other requests get
 * the header on their final answer, after the handler: hono/cors sets it on a
 * placeholder response before, and Hono then copies each answer (body stream
 * and headers) into a new Response to merge it in, a fifth of a cached popular
 * read's time in the isolate (bench/README.md).
 */
export function publicReadCors(): MiddlewareHandler {
  const preflight = cors({ origin: '*', allowMethods: ['GET', 'OPTIONS'] });
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    await next();
    c.res.headers.set('Access-Control-Allow-Origin', '*');
  };
}
