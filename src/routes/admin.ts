import { Hono } from 'hono';
import { resolver } from 'hono-openapi';
import { z } from 'zod';
import { adminAuth } from '../auth/admin-token';
import { readLedger } from '../db/ledger';
import { getSite, listSites } from '../db/sites';
import type { AppEnv } from '../env';
import { unknownSite } from '../errors';
import { CSV_DESCRIPTION, exportQuery, exportResponse } from '../export/download';
import { exportBody } from '../export/json';
import { validate } from '../http/validation';
import { toLedgerDayBody } from '../ledger/ledger-days';
import { describe, errors, json } from '../openapi/describe';
import { type LedgerBody, ledgerBody, type SiteListBody, siteListBody } from '../openapi/schemas';
import { changeSite, createSite, removeSite } from '../sites/manage';
import { createSiteBody, type Site, siteBody, siteParam, updateSiteBody } from '../sites/site-schema';
import { dayOf } from '../time';

const ADMIN_ERRORS = [401, 403, 429] as const;
const security = [{ adminToken: [] }];

/** GET …/ledger's query: how many UTC days back from today, today included. */
const ledgerQuery = z.object({ days: z.coerce.number().int().min(1).max(400).default(30) });

async function requireStoredSite(db: D1Database, id: string): Promise<Site> {
  const site = await getSite(db, id);
  if (!site) throw unknownSite({ id });
  return site;
}

/**
 * The admin API, mounted at /api/v1/admin (API.md "Operating"): every path
 * under it, known or not, asks for the admin token first.
 */
export const adminRoutes = new Hono<AppEnv>()
  .use(adminAuth())
  .post(
    '/sites',
    describe(
      'Admin',
      'Create a site',
      { 201: json(siteBody, 'The new site'), ...errors(400, ...ADMIN_ERRORS, 409) },
      { security },
    ),
    validate('json', createSiteBody),
    async (c) => {
      return c.json(await createSite(c.env, c.req.valid('json'), Date.now()), 201);
    },
  )
  .get(
    '/sites',
    describe(
      'Admin',
      'List sites',
      { 200: json(siteListBody, 'Every site'), ...errors(...ADMIN_ERRORS) },
      { security },
    ),
    async (c) => c.json({ sites: await listSites(c.env.DB) } satisfies SiteListBody),
  )
  .get(
    '/sites/:site',
    describe(
      'Admin',
      'Read a site',
      { 200: json(siteBody, 'The site'), ...errors(400, ...ADMIN_ERRORS, 404) },
      { security },
    ),
    validate('param', siteParam),
    async (c) => c.json(await requireStoredSite(c.env.DB, c.req.valid('param').site)),
  )
  .patch(
    '/sites/:site',
    describe(
      'Admin',
      'Change a site (partial)',
      { 200: json(siteBody, 'The changed site'), ...errors(400, ...ADMIN_ERRORS, 404, 409) },
      { security },
    ),
    validate('param', siteParam),
    validate('json', updateSiteBody),
    async (c) => {
      const current = await requireStoredSite(c.env.DB, c.req.valid('param').site);
      return c.json(await changeSite(c.env, current, c.req.valid('json')));
    },
  )
  .delete(
    '/sites/:site',
    describe(
      'Admin',
      'Delete a site and its counts',
      { 204: { description: 'Deleted' }, ...errors(400, ...ADMIN_ERRORS, 404) },
      { security },
    ),
    validate('param', siteParam),
    async (c) => {
      const { site } = c.req.valid('param');
      if (!(await removeSite(c.env, site))) throw unknownSite({ id: site });
      return c.body(null, 204);
    },
  )
  // ?format=csv|json, JSON when no format is given.
  .get(
    '/sites/:site/export',
    describe(
      'Admin',
      "Export a site's counts per article per day, totals and ledger",
      {
        200: {
          description: 'A download (Content-Disposition: attachment)',
          content: {
            'application/json': { schema: resolver(exportBody) },
            'text/csv': { schema: { type: 'string', description: CSV_DESCRIPTION } },
          },
        },
        ...errors(400, ...ADMIN_ERRORS, 404),
      },
      { security },
    ),
    validate('param', siteParam),
    validate('query', exportQuery),
    async (c) => exportResponse(c.env.DB, c.req.valid('param').site, c.req.valid('query').format, Date.now()),
  )
  .get(
    '/sites/:site/ledger',
    describe(
      'Admin',
      "A site's ledger: per UTC day, events received, counted and not counted by reason",
      { 200: json(ledgerBody, 'One entry per day, newest first'), ...errors(400, ...ADMIN_ERRORS, 404) },
      { security },
    ),
    validate('param', siteParam),
    validate('query', ledgerQuery),
    async (c) => {
      const site = await requireStoredSite(c.env.DB, c.req.valid('param').site);
      const today = dayOf(Date.now());
      const days = await readLedger(c.env.DB, site.id, { from: today - c.req.valid('query').days + 1, to: today });
      return c.json({ days: days.reverse().map(toLedgerDayBody) } satisfies LedgerBody);
    },
  );
