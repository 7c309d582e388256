import { Hono } from 'hono';
import { adminAuth } from '../auth/admin-token';
import { getSite, listSites } from '../db/sites';
import { ApiError } from '../errors';
import type { AppEnv } from '../env';
import { changeSite, createSite, removeSite } from '../sites/manage';
import { createSiteBody, siteParam, updateSiteBody, type Site } from '../sites/site-schema';
import { describe, errors, json } from '../openapi/describe';
import { siteBody, siteListBody } from '../openapi/schemas';
import { validate } from '../http/validation';

const ADMIN_ERRORS = [401, 403] as const;
const security = [{ adminToken: [] }];

async function requireStoredSite(db: D1Database, id: string): Promise<Site> {
  const site = await getSite(db, id);
  if (!site) throw new ApiError(404, 'unknown_site', `No site ${id}.`);
  return site;
}

export const adminRoutes = new Hono<AppEnv>()
  .use('/api/v1/admin/*', adminAuth())
  .post(
    '/api/v1/admin/sites',
    describe('Admin', 'Create a site', { 201: json(siteBody, 'The new site'), ...errors(400, ...ADMIN_ERRORS, 409) }, { security }),
    validate('json', createSiteBody), async (c) => {
    return c.json(await createSite(c.env, c.req.valid('json'), Date.now()), 201);
  })
  .get('/api/v1/admin/sites', describe('Admin', 'List sites', { 200: json(siteListBody, 'Every site'), ...errors(...ADMIN_ERRORS) }, { security }), async (c) => c.json({ sites: await listSites(c.env.DB) }))
  .get(
    '/api/v1/admin/sites/:site',
    describe('Admin', 'Read a site', { 200: json(siteBody, 'The site'), ...errors(400, ...ADMIN_ERRORS, 404) }, { security }),
    validate('param', siteParam), async (c) =>
    c.json(await requireStoredSite(c.env.DB, c.req.valid('param').site)),
  )
  .patch(
    '/api/v1/admin/sites/:site',
    describe('Admin', 'Change a site (partial)', { 200: json(siteBody, 'The changed site'), ...errors(400, ...ADMIN_ERRORS, 404, 409) }, { security }),
    validate('param', siteParam), validate('json', updateSiteBody), async (c) => {
    const current = await requireStoredSite(c.env.DB, c.req.valid('param').site);
    return c.json(await changeSite(c.env, current, c.req.valid('json')));
  })
  .delete(
    '/api/v1/admin/sites/:site',
    describe('Admin', 'Delete a site and its counts', { 204: { description: 'Deleted' }, ...errors(400, ...ADMIN_ERRORS, 404) }, { security }),
    validate('param', siteParam), async (c) => {
    const { site } = c.req.valid('param');
    if (!(await removeSite(c.env, site))) throw new ApiError(404, 'unknown_site', `No site ${site}.`);
    return c.body(null, 204);
  });
