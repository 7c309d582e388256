import { Hono } from 'hono';
import { z } from 'zod';
import { isLinkNetwork, isNetwork, NETWORKS, shareUrl } from '../../common/networks';
import type { AppEnv } from '../env';
import { ApiError } from '../errors';
import { validate } from '../http/validation';
import { MAX_URL_LENGTH } from '../ingest/event-schema';
import { articleKey } from '../ingest/site-rules';
import { cutToLength } from '../ingest/text';
import { describe, errors } from '../openapi/describe';
import { RateLimited } from '../recording/flood-guard';
import { recordShareClick } from '../recording/record-events';
import { requireSite } from '../sites/lookup';
import { siteId } from '../sites/site-schema';

const shareQuery = z.object({
  site: siteId,
  url: z.string().min(1).max(MAX_URL_LENGTH),
  // Cut to the title cap, like an event's title, rather than refused.
  title: z
    .string()
    .transform((title) => cutToLength(title.trim(), 300))
    .optional(),
});

/**
 * GET /api/v1/share/{network}, mounted at /api/v1/share: the share button that
 * works without JavaScript. Records the share, then answers 302 to the
 * network's own share page, the only redirect target there is: the article URL
 * is only ever a parameter of it, and must be on one of the site's hosts. A
 * network the site turned off still redirects; its share is not counted.
 */
export const shareRoutes = new Hono<AppEnv>().get(
  '/:network',
  describe(
    'Recording',
    'Share through a network (works without JavaScript)',
    { 302: { description: "Redirect to the network's own share page" }, ...errors(400, 404) },
    {
      parameters: [
        {
          in: 'path',
          name: 'network',
          required: true,
          schema: { type: 'string', enum: NETWORKS.filter(isLinkNetwork) },
        },
      ],
    },
  ),
  validate('query', shareQuery),
  async (c) => {
    const network = c.req.param('network');
    if (!isNetwork(network)) {
      throw new ApiError('unknown_network', `No network ${network}; one of ${NETWORKS.join(', ')}.`);
    }
    if (!isLinkNetwork(network)) {
      throw new ApiError('not_a_link_network', `${network} shares in the browser and has no share page to go to.`);
    }
    const query = c.req.valid('query');
    const site = await requireSite(c.env, query.site);
    const url = articleKey(site, query.url);
    try {
      await recordShareClick(
        c.env,
        site,
        // The URL as the link gave it (what a page check fetches); its title= is for the network's
        // share page only, and never sets the article's metadata.
        { site: site.id, type: 'share', network, url: query.url },
        {
          receivedMs: Date.now(),
          origin: undefined,
          referer: c.req.header('Referer'),
          ip: c.req.header('CF-Connecting-IP') ?? '',
          userAgent: c.req.header('User-Agent'),
          secGpc: c.req.header('Sec-GPC'),
          selfOrigin: new URL(c.req.url).origin,
          prefetch: /prefetch/i.test(c.req.header('Sec-Purpose') ?? c.req.header('Purpose') ?? ''),
          waitUntil: (promise) => c.executionCtx.waitUntil(promise),
        },
      );
    } catch (err) {
      // The reader came to share: a count that could not be recorded must not
      // stop them. A flood guard's refusal is tallied in the ledger; anything
      // else is a fault of ours, so logged.
      if (!(err instanceof RateLimited)) console.error('share click not recorded', err);
    }
    c.header('Cache-Control', 'no-store');
    // The network learns the article from the URL, and nothing about the page the click came from.
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Robots-Tag', 'noindex, nofollow');
    return c.redirect(shareUrl(network, url, query.title), 302);
  },
);
