import { readConfig } from '../config';
import { isCountable } from '../ingest/countable';
import type { IncomingEvent } from '../ingest/event-schema';
import { articleKey, checkOrigin, shareClickOrigin } from '../ingest/site-rules';
import type { ShardEvent } from '../shard/counter-shard';
import { shardIndex, shardName } from '../shard/routing';
import { recordInShard } from '../shard/shard-client';
import { requireSite } from '../sites/lookup';
import type { Site } from '../sites/site-schema';
import { checkVisitorLimit } from './flood-guard';

export interface BeaconContext {
  receivedMs: number;
  /** `Origin`, else `Referer`, as sent. */
  origin: string | undefined;
  referer: string | undefined;
  ip: string;
  userAgent: string | undefined;
  secGpc: string | undefined;
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
    siteCreatedAt: sites.get(e.site)!.created_at,
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
      .filter((site) =>
        isCountable({ userAgent: beacon.userAgent, secGpc: beacon.secGpc, respectGpc: site.settings.respect_gpc }),
      )
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
 * Records a share-link click through the same path as a share beacon. A link
 * click carries no Origin, and a Referer only as the page's referrer policy
 * allows: a click is counted when its Referer is a page of the site (or our
 * embed of the article shared). Any other (no Referer, a link pasted in a
 * chat or on another site, a prefetch) is accepted and not counted, so that
 * the reader still reaches the network while the count only holds clicks
 * from the site's pages. Answers how many events were counted (0 or 1).
 */
export async function recordShareClick(env: Env, site: Site, event: IncomingEvent, click: ShareClick): Promise<number> {
  const origin = click.prefetch ? null : shareClickOrigin(site, event.url, click.referer, click.selfOrigin);
  if (origin === null) return 0;
  return recordEvents(env, [event], { ...click, origin });
}
