import { Hono } from 'hono';
import { etag } from 'hono/etag';
import { cachedPopular, requestCacheContext, POPULAR_MAX_AGE_SECONDS, serialisedList } from '../cache/popular';
import type { AppEnv } from '../env';
import { popularQuery, toPopularRequest } from '../http/popular-query';
import { articleKey } from '../ingest/site-rules';
import { requireSite } from '../sites/lookup';
import { siteParam } from '../sites/site-schema';
import { describe, errors, json } from '../openapi/describe';
import { popularBody } from '../openapi/schemas';
import { validate } from '../http/validation';

// CORS comes from the `/api/v1/sites/*` middleware of countsRoutes, mounted before this;
// it sets its header on the final answer, so a 304 made by `etag` gets it too.
export const popularRoutes = new Hono<AppEnv>().get(
  '/api/v1/sites/:site/popular',
  describe('Reading', 'The most popular articles', {
    200: json(popularBody, 'Ranked articles (API.md "Ranking"); cacheable, with an ETag'),
    304: { description: 'Not modified (If-None-Match)' },
    ...errors(400, 404),
  }),
  validate('param', siteParam),
  validate('query', popularQuery),
  // A matching If-None-Match gets a 304.
  etag(),
  async (c) => {
    const site = await requireSite(c.env, c.req.valid('param').site);
    const request = toPopularRequest(c.req.valid('query'), (url) => articleKey(site, url));
    const cached = await cachedPopular(
      requestCacheContext(c.env, c.executionCtx),
      site,
      request,
      Date.now(),
    );
    c.header('Cache-Control', `public, max-age=${POPULAR_MAX_AGE_SECONDS}`);
    c.header('ETag', cached.etag);
    // The ETag is of exactly this serialisation.
    return c.body(serialisedList(cached), 200, { 'Content-Type': 'application/json' });
  },
);
