import { Hono } from 'hono';
import { adminAuth } from '../admin-auth';
import { storeSite } from '../cache/sites';
import { deleteSite, findClaimedHosts, getSite, insertSite, isUniqueViolation, listSites, updateSite } from '../db/sites';
import { ApiError } from '../errors';
import type { AppEnv } from '../env';
import { createSiteBody, DEFAULT_SETTINGS, siteParam, siteSettings, updateSiteBody, type Site } from '../sites/site-schema';
import { describe, errors, json } from '../openapi/describe';
import { siteBody, siteListBody } from '../openapi/schemas';
import { validate } from '../validation';

const ADMIN_ERRORS = [401, 403] as const;
const security = [{ adminToken: [] }];

async function refuseClaimedHosts(db: D1Database, hosts: string[], siteId: string): Promise<void> {
  const claimed = await findClaimedHosts(db, hosts, siteId);
  if (claimed.length > 0) {
    throw new ApiError(409, 'host_taken', `Already a host of another site: ${claimed.join(', ')}.`);
  }
}

const conflictOnRace = (err: unknown): never => {
  if (isUniqueViolation(err)) throw new ApiError(409, 'conflict', 'The site id or a host was claimed meanwhile.');
  throw err;
};

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
    const body = c.req.valid('json');
    if (await getSite(c.env.DB, body.id)) throw new ApiError(409, 'site_exists', `Site ${body.id} exists already.`);
    await refuseClaimedHosts(c.env.DB, body.hosts, body.id);
    const site: Site = {
      id: body.id,
      name: body.name,
      hosts: body.hosts,
      settings: siteSettings.parse({ ...DEFAULT_SETTINGS, ...body.settings }),
      created_at: new Date().toISOString(),
    };
    await insertSite(c.env.DB, site).catch(conflictOnRace);
    await storeSite(c.env, site.id, site);
    return c.json(site, 201);
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
    const patch = c.req.valid('json');
    const site: Site = {
      ...current,
      name: patch.name ?? current.name,
      hosts: patch.hosts ?? current.hosts,
      settings: siteSettings.parse({ ...current.settings, ...patch.settings }),
    };
    if (patch.hosts) await refuseClaimedHosts(c.env.DB, site.hosts, site.id);
    await updateSite(c.env.DB, site).catch(conflictOnRace);
    await storeSite(c.env, site.id, site);
    return c.json(site);
  })
  .delete(
    '/api/v1/admin/sites/:site',
    describe('Admin', 'Delete a site and its counts', { 204: { description: 'Deleted' }, ...errors(400, ...ADMIN_ERRORS, 404) }, { security }),
    validate('param', siteParam), async (c) => {
    const { site } = c.req.valid('param');
    if (!(await deleteSite(c.env.DB, site))) throw new ApiError(404, 'unknown_site', `No site ${site}.`);
    await storeSite(c.env, site, null);
    return c.body(null, 204);
  });
