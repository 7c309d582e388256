import { Hono } from 'hono';
import { etag } from 'hono/etag';
import { z } from 'zod';
import { COUNTS_TTL_SECONDS, cachedArticleCounts } from '../cache/counts';
import { cachedPopular, POPULAR_MAX_AGE_SECONDS, requestCacheContext, serialisedList } from '../cache/popular';
import type { AppEnv } from '../env';
import { publicReadCors } from '../http/cors';
import { popularQuery, toPopularRequest } from '../http/popular-query';
import { validate } from '../http/validation';
import { articleKey } from '../ingest/site-rules';
import { describe, errors, json } from '../openapi/describe';
import { countsBody, popularBody } from '../openapi/schemas';
import { requireSite } from '../sites/lookup';
import { siteParam } from '../sites/site-schema';

const countsQuery = z.object({ url: z.string().min(1).max(4096) });

/**
 * GET /api/v1/sites/{site}/counts and /popular, mounted at /api/v1/sites: the
 * public reads of a site, open to any origin. The CORS header is set on the
 * final answer, so a 304 made by `etag` and any error get it too.
 */
export const sitesReadRoutes = new Hono<AppEnv>()
  .use(publicReadCors())
  .get(
    '/:site/counts',
    describe('Reading', "An article's all-time counts", {
      200: json(countsBody, 'Views, reads and shares; zeros for a URL never counted'),
      ...errors(400, 404),
    }),
    validate('param', siteParam),
    validate('query', countsQuery),
    async (c) => {
      const site = await requireSite(c.env, c.req.valid('param').site);
      const url = articleKey(site, c.req.valid('query').url);
      const counts = await cachedArticleCounts(c.env, site.id, url);
      c.header('Cache-Control', `public, max-age=${COUNTS_TTL_SECONDS}`);
      return c.json(counts);
    },
  )
  .get(
    '/:site/popular',
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
      const cached = await cachedPopular(requestCacheContext(c.env, c.executionCtx), site, request, Date.now());
      c.header('Cache-Control', `public, max-age=${POPULAR_MAX_AGE_SECONDS}`);
      c.header('ETag', cached.etag);
      // The ETag is of exactly this serialisation, of a list of the documented shape.
      return c.body(serialisedList(cached), 200, { 'Content-Type': 'application/json' });
    },
  );
