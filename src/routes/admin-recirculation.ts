import { Hono } from 'hono';
import { z } from 'zod';
import { readBoxRows } from '../db/recirculation';
import type { AppEnv } from '../env';
import { isoDate } from '../export/formats';
import { validate } from '../http/validation';
import { describe, errors, json } from '../openapi/describe';
import { type RecirculationBody, recirculationBody } from '../openapi/schemas';
import { recirculationLists } from '../recirculation/recirculation-figures';
import { requireSite } from '../sites/lookup';
import { siteParam } from '../sites/site-schema';
import { dayOf } from '../time';

/** How many UTC days back from today, today included: a quarter at most, as the dashboard's longest period. */
const recirculationQuery = z.object({ days: z.coerce.number().int().min(1).max(90).default(30) });

const DOCS = describe(
  'Admin',
  "What a site's popular box brought over its last UTC days: impressions, clicks and quality clicks per list and position",
  {
    200: json(recirculationBody, 'Lists by impressions, each with its positions that had clicks'),
    ...errors(400, 401, 403, 429, 404),
  },
  { security: [{ adminToken: [] }] },
);

/**
 * A site's recirculation figures (API.md "Recirculation"), mounted at
 * /api/v1/admin/sites/{site}/recirculation behind the admin API's token check.
 */
export const adminRecirculationRoutes = new Hono<AppEnv>().get(
  '/',
  DOCS,
  validate('param', siteParam),
  validate('query', recirculationQuery),
  async (c) => {
    const site = await requireSite(c.env, c.req.valid('param').site);
    const today = dayOf(Date.now());
    const days = { from: today - c.req.valid('query').days + 1, to: today };
    const lists = recirculationLists(await readBoxRows(c.env.DB, site.id, days));
    return c.json({ from: isoDate(days.from), to: isoDate(days.to), lists } satisfies RecirculationBody);
  },
);
