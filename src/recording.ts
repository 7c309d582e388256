import { loadSite } from './cache/sites';
import { readConfig } from './config';
import { ApiError } from './errors';
import { isCountable } from './ingest/countable';
import type { IncomingEvent } from './ingest/event-schema';
import { hostOf, normaliseUrl } from './ingest/normalise-url';
import type { ShardEvent } from './shard/counter-shard';
import { shardIndex, shardName } from './shard/routing';
import { recordInShard } from './shard/shard-client';
import type { Site } from './sites/site-schema';

export interface BeaconContext {
  receivedMs: number;
  /** `Origin`, else `Referer`, as sent. */
  origin: string | undefined;
  referer: string | undefined;
  ip: string;
  userAgent: string | undefined;
  secGpc: string | undefined;
}

const hostOfHeader = (value: string | undefined): string | null => {
  if (!value || value === 'null') return null;
  try {
    return new URL(value).hostname;
  } catch {
    return null;
  }
};

/** The request's origin must be one of the site's hosts; without any origin, refused. */
export function checkOrigin(site: Site, { origin, referer }: Pick<BeaconContext, 'origin' | 'referer'>): void {
  const host = origin !== undefined ? hostOfHeader(origin) : hostOfHeader(referer);
  if (host === null) {
    throw new ApiError(403, 'origin_required', 'The request must come from a page of the site (Origin or Referer).');
  }
  if (!site.hosts.includes(host)) {
    throw new ApiError(403, 'origin_not_allowed', `Origin host ${host} is not a host of site ${site.id}.`);
  }
}

/** The article key of `url`, refused unless it is on one of the site's hosts. */
export function articleKey(site: Site, url: string): string {
  const normalised = normaliseUrl(url);
  if (normalised === null) throw new ApiError(400, 'invalid_url', 'The URL must be an absolute http(s) URL.');
  if (!site.hosts.includes(hostOf(normalised))) {
    throw new ApiError(400, 'url_not_allowed', `The URL's host is not a host of site ${site.id}.`);
  }
  return normalised;
}

const encoder = new TextEncoder();

/**
 * The per-visitor flood guard: requests per client IP and site, counted by the
 * Rate Limiting binding. Keyed by a hash, so the limiter never holds an IP.
 */
async function checkVisitorLimit(env: Env, siteIds: string[], ip: string): Promise<void> {
  for (const site of siteIds) {
    const digest = await crypto.subtle.digest('SHA-256', encoder.encode(`${site}\n${ip}`));
    const key = btoa(String.fromCharCode(...new Uint8Array(digest).slice(0, 16)));
    const { success } = await env.VISITOR_LIMITER.limit({ key });
    if (!success) throw new ApiError(429, 'rate_limited', 'Too many events from this client for this site; try again in a minute.');
  }
}

/** A site that exists, or a 404. */
export async function requireSite(env: Env, id: string): Promise<Site> {
  const site = await loadSite(env, id);
  if (!site) throw new ApiError(404, 'unknown_site', `No site ${id}.`);
  return site;
}

/**
 * Records a request's events: every event is checked before any is recorded
 * (a request is accepted or refused whole), then each goes to its article's
 * shard. Answers how many were counted; bots and opted-out visitors count none.
 */
export async function recordEvents(env: Env, events: IncomingEvent[], beacon: BeaconContext): Promise<number> {
  const sites = new Map<string, Site>();
  for (const id of new Set(events.map((e) => e.site))) {
    const site = await requireSite(env, id);
    checkOrigin(site, beacon);
    sites.set(id, site);
  }
  const shardEvents: ShardEvent[] = events.map((e) => ({
    site: e.site,
    url: articleKey(sites.get(e.site)!, e.url),
    type: e.type,
    network: e.network ?? '',
    title: e.title ?? null,
    image: e.image ?? null,
    section: e.section ?? null,
    published: e.published ?? null,
    siteMaxPerSecond: sites.get(e.site)!.settings.max_events_per_second,
  }));

  // Bots and opt-outs are a matter of the beacon and the site, not of each event.
  const countableSites = new Set(
    [...sites.values()]
      .filter((site) => isCountable({ userAgent: beacon.userAgent, secGpc: beacon.secGpc, respectGpc: site.settings.respect_gpc }))
      .map((site) => site.id),
  );
  const countable = shardEvents.filter((e) => countableSites.has(e.site));
  // Only what would be counted is limited: the rest never reaches a shard.
  if (countable.length === 0) return 0;
  await checkVisitorLimit(env, [...new Set(countable.map((e) => e.site))], beacon.ip);
  const { shardCount } = readConfig(env);
  const byShard = Map.groupBy(countable, (e) => shardIndex(e.site, e.url, shardCount));
  // Shards dedup per visitor and day, so a client retrying after a partial
  // failure cannot count an event twice.
  const counted = await Promise.all(
    [...byShard].map(([index, group]) =>
      recordInShard(env.SHARDS, shardName(index), {
        receivedMs: beacon.receivedMs,
        ip: beacon.ip,
        userAgent: beacon.userAgent ?? '',
        events: group,
      }),
    ),
  );
  return counted.reduce((sum, n) => sum + n, 0);
}

/** A click on a share link (GET /api/v1/share/{network}): a navigation, not a beacon. */
export interface ShareClick extends BeaconContext {
  /** This Worker's own origin, to recognise clicks made in its /embed/share pages. */
  selfOrigin: string;
  /** A speculative prefetch (`Sec-Purpose: prefetch`) rather than a click. */
  prefetch: boolean;
}

/**
 * The origin a share-link click speaks for: the Referer when it is a page of
 * the site; for a click in our own /embed/share iframe (whose Referer is that
 * page, the only place it can tell), the origin of the article the embed was
 * made for, when it is on the site. Null for anything else.
 */
function shareClickOrigin(site: Site, click: ShareClick): string | null {
  const referer = click.referer ? URL.parse(click.referer) : null;
  if (!referer) return null;
  if (site.hosts.includes(referer.hostname)) return referer.origin;
  if (referer.origin !== click.selfOrigin || referer.pathname !== '/embed/share') return null;
  if (referer.searchParams.get('site') !== site.id) return null;
  const embedded = normaliseUrl(referer.searchParams.get('url') ?? '');
  return embedded !== null && site.hosts.includes(hostOf(embedded)) ? new URL(embedded).origin : null;
}

/**
 * Records a share-link click through the same path as a share beacon. A link
 * click carries no Origin, and a Referer only as the page's referrer policy
 * allows: a click is counted when its Referer is a page of the site (or our
 * embed of one). Any other (no Referer, a link pasted in a chat or on another
 * site, a prefetch) is accepted and not counted, so that the reader still
 * reaches the network while the count only holds clicks from the site's pages.
 * Answers how many events were counted (0 or 1).
 */
export async function recordShareClick(env: Env, site: Site, event: IncomingEvent, click: ShareClick): Promise<number> {
  const origin = click.prefetch ? null : shareClickOrigin(site, click);
  if (origin === null) return 0;
  return recordEvents(env, [event], { ...click, origin });
}
