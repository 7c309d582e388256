import { Hono } from 'hono';
import { z } from 'zod';
import type { Network } from '../../common/networks';
import { COUNTS_TTL_SECONDS, cachedArticleCounts } from '../cache/counts';
import { loadSiteIdOfHost } from '../cache/sites';
import type { AppEnv } from '../env';
import { ApiError, unknownSite } from '../errors';
import { publicReadCors } from '../http/cors';
import { validate } from '../http/validation';
import { MAX_URL_LENGTH } from '../ingest/event-schema';
import { hostOf, normaliseUrl } from '../ingest/normalise-url';
import { articleKey } from '../ingest/site-rules';
import { describe, errors, json } from '../openapi/describe';
import { type ShariffBody, shariffBody } from '../openapi/schemas';
import { requireSite } from '../sites/lookup';

/**
 * Shariff's service names (heiseonline/shariff, src/js/services) for our
 * networks. Its front end puts each count on the button of that name and
 * ignores the others; `threads` and `native` have no Shariff service.
 */
export const SHARIFF_SERVICES = {
  twitter: 'x',
  facebook: 'facebook',
  linkedin: 'linkedin',
  whatsapp: 'whatsapp',
  telegram: 'telegram',
  reddit: 'reddit',
  bluesky: 'bluesky',
  mastodon: 'mastodon',
  pinterest: 'pinterest',
  mail: 'email',
  clipboard: 'copy',
} as const satisfies Record<string, Network>;

type ShariffCounts = Record<keyof typeof SHARIFF_SERVICES, number>;

/** Our share counts per network, under Shariff's service names (zero where none). */
const toShariff = (byNetwork: Record<string, number>): ShariffCounts =>
  Object.fromEntries(
    Object.entries(SHARIFF_SERVICES).map(([service, network]) => [service, byNetwork[network] ?? 0]),
  ) as ShariffCounts;

const shariffQuery = z.object({ url: z.string().min(1).max(MAX_URL_LENGTH) });

/**
 * GET /api/v1/shariff?url=…, mounted there: the Shariff backend protocol, so
 * that a page using Shariff's front end shows the share clicks we recorded.
 * The site is the one that claims the URL's host.
 */
export const shariffRoutes = new Hono<AppEnv>().use('/', publicReadCors()).get(
  '/',
  describe(
    'Reading',
    'Share counts for Shariff',
    { 200: json(shariffBody, "Our recorded shares under Shariff's service names"), ...errors(400, 404) },
    {
      description: "The Shariff backend protocol: the site is the one owning the URL's host.",
    },
  ),
  validate('query', shariffQuery),
  async (c) => {
    const { url } = c.req.valid('query');
    const normalised = normaliseUrl(url);
    if (normalised === null) throw new ApiError('invalid_url', 'The URL must be an absolute http(s) URL.');
    const host = hostOf(normalised);
    const id = await loadSiteIdOfHost(c.env, host);
    if (id === null) throw unknownSite({ host });
    const site = await requireSite(c.env, id);
    const counts = await cachedArticleCounts(c.env, site.id, articleKey(site, normalised));
    c.header('Cache-Control', `public, max-age=${COUNTS_TTL_SECONDS}`);
    return c.json(toShariff(counts.shares.by_network) satisfies ShariffBody);
  },
);
