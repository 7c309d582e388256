import { Hono } from 'hono';
import { resolver } from 'hono-openapi';
import { adminAuth } from '../auth/admin-token';
import type { AppEnv } from '../env';
import { CSV_DESCRIPTION, exportBody, exportQuery, exportResponse } from '../export/download';
import { validate } from '../http/validation';
import { describe, errors } from '../openapi/describe';
import { siteParam } from '../sites/site-schema';

/**
 * GET /api/v1/admin/sites/{site}/export?format=csv|json (API.md "Operating"),
 * JSON when no format is given. It checks the admin token itself, so that it
 * does not depend on where it is mounted beside the admin routes.
 */
export const exportRoutes = new Hono<AppEnv>().get(
  '/api/v1/admin/sites/:site/export',
  describe(
    'Admin',
    "Export a site's counts per article per day, and totals",
    {
      200: {
        description: 'A download (Content-Disposition: attachment)',
        content: {
          'application/json': { schema: resolver(exportBody) },
          'text/csv': { schema: { type: 'string', description: CSV_DESCRIPTION } },
        },
      },
      ...errors(400, 401, 403, 404),
    },
    { security: [{ adminToken: [] }] },
  ),
  adminAuth(),
  validate('param', siteParam),
  validate('query', exportQuery),
  async (c) => exportResponse(c.env.DB, c.req.valid('param').site, c.req.valid('query').format, Date.now()),
);
