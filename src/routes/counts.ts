import { Hono } from 'hono';
import { z } from 'zod';
import { COUNTS_TTL_SECONDS, cachedArticleCounts } from '../cache/counts';
import { publicReadCors } from '../http/cors';
import type { AppEnv } from '../env';
import { articleKey } from '../ingest/site-rules';
import { requireSite } from '../sites/lookup';
import { siteParam } from '../sites/site-schema';
import { describe, errors, json } from '../openapi/describe';
import { countsBody } from '../openapi/schemas';
import { validate } from '../http/validation';

const countsQuery = z.object({ url: z.string().min(1).max(4096) });

export const countsRoutes = new Hono<AppEnv>()
  .use('/api/v1/sites/*', publicReadCors())
  .get(
    '/api/v1/sites/:site/counts',
    describe('Reading', "An article's all-time counts", { 200: json(countsBody, 'Views and shares; zeros for a URL never counted'), ...errors(400, 404) }),
    validate('param', siteParam), validate('query', countsQuery), async (c) => {
    const site = await requireSite(c.env, c.req.valid('param').site);
    const url = articleKey(site, c.req.valid('query').url);
    const counts = await cachedArticleCounts(c.env, site.id, url);
    c.header('Cache-Control', `public, max-age=${COUNTS_TTL_SECONDS}`);
    return c.json(counts);
  });
