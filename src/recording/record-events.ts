import { policyOf } from '../articles/registry-client';
import { readConfig } from '../config';
import { ApiError } from '../errors';
import { notCountedReason } from '../ingest/countable';
import type { IncomingEvent } from '../ingest/event-schema';
import { articleKey, checkOrigin, reportedAddress, shareClickOrigin } from '../ingest/site-rules';
import type { ShardEvent } from '../shard/counter-shard';
import { shardIndex, shardName } from '../shard/routing';
import { recordInShard } from '../shard/shard-client';
import { requireSite } from '../sites/lookup';
import type { Site } from '../sites/site-schema';
import { dayOf } from '../time';
import { floodGuard, RateLimited } from './flood-guard';
import { noteBeacon, sendDueInstallChecks } from './install-check';
import { restoreTallies, sendDueTallies, takeTallies, tally, type WaitUntil } from './ledger-tallies';

export interface BeaconContext {
  receivedMs: number;
  /** `Origin`, else `Referer`, as sent. */
  origin: string | undefined;
  referer: string | undefined;
  ip: string;
  userAgent: string | undefined;
  secGpc: string | undefined;
  /** The request's `ctx.waitUntil`: ledger tallies that waited long enough go out after the response. */
  waitUntil: WaitUntil;
}

/**
 * Records a request's events: every event is checked before any is recorded
 * (a request is accepted or refused whole). Events that a bot, an opted-out
 * visitor or a share to a network the site turned off sent are tallied in
 * the site's ledger and go no further; the rest pass the flood guard (or the
 * request is refused with 429, its events tallied `rate_limited`) and go each
 * to its article's shard, the first shard call carrying the ledger tallies
 * waiting for it. What the request got (accepted, or refused and why) goes
 * to the install check of each site it names. Answers how many events were
 * counted.
 */
export async function recordEvents(env: Env, events: IncomingEvent[], beacon: BeaconContext): Promise<number> {
  // The request's sites, filled as they are read: what it got goes to each one's install check.
  const sites = new Map<string, Site>();
  try {
    const counted = await recordAtSites(env, events, beacon, sites);
    noteBeacon(sites.values(), beacon, null);
    return counted;
  } catch (err) {
    // A refusal naming a site that does not exist belongs to no site's check.
    if (err instanceof ApiError && err.code !== 'unknown_site') noteBeacon(sites.values(), beacon, err);
    throw err;
  } finally {
    sendDueInstallChecks(env, beacon.waitUntil, beacon.receivedMs);
  }
}

/** recordEvents' checks and recording; `sites` gets each site as it is read. */
async function recordAtSites(
  env: Env,
  events: IncomingEvent[],
  beacon: BeaconContext,
  sites: Map<string, Site>,
): Promise<number> {
  for (const id of new Set(events.map((e) => e.site))) sites.set(id, await requireSite(env, id));
  for (const site of sites.values()) checkOrigin(site, beacon);
  const shardEvents: ShardEvent[] = events.map((e) => {
    const site = sites.get(e.site)!;
    const url = articleKey(site, e.url);
    // A read's metadata is accepted and never used.
    const metadata: Partial<Pick<IncomingEvent, 'title' | 'image' | 'section' | 'published'>> =
      e.type === 'read' ? {} : e;
    return {
      site: e.site,
      siteCreatedAt: site.created_at,
      url,
      pageUrl: reportedAddress(url, e.url),
      articles: policyOf(site),
      type: e.type,
      network: e.network ?? '',
      from: e.from ?? null,
      boxes: e.boxes ?? [],
      title: metadata.title ?? null,
      image: metadata.image ?? null,
      section: metadata.section ?? null,
      published: metadata.published ?? null,
      siteMaxPerSecond: site.settings.max_events_per_second,
      siteMaxVisitorsPerIp: site.settings.max_visitors_per_ip,
    };
  });

  const nowMs = beacon.receivedMs;
  const day = dayOf(nowMs);
  const countable: ShardEvent[] = [];
  for (const event of shardEvents) {
    const { settings } = sites.get(event.site)!;
    const reason = notCountedReason(
      {
        userAgent: beacon.userAgent,
        secGpc: beacon.secGpc,
        respectGpc: settings.respect_gpc,
        networks: settings.networks,
      },
      event,
    );
    if (reason === null) countable.push(event);
    else tally(event.site, event.siteCreatedAt, day, reason, 1, nowMs);
  }
  if (countable.length === 0) {
    sendDueTallies(env, beacon.waitUntil, nowMs);
    return 0;
  }

  // Only what would be counted meets the guard: the rest never reaches a shard.
  const eventsBySite = new Map<string, number>();
  for (const { site } of countable) eventsBySite.set(site, (eventsBySite.get(site) ?? 0) + 1);
  const retryAfter = floodGuard.check(beacon.ip, eventsBySite, nowMs);
  if (retryAfter !== null) {
    for (const [site, n] of eventsBySite) tally(site, sites.get(site)!.created_at, day, 'rate_limited', n, nowMs);
    sendDueTallies(env, beacon.waitUntil, nowMs);
    throw new RateLimited(retryAfter);
  }

  const { shardCount } = readConfig(env);
  const groups = [...Map.groupBy(countable, (e) => shardIndex(e.site, e.url, shardCount))];
  const tallies = takeTallies(eventsBySite.keys(), nowMs);
  // Shards dedup per visitor and day, so a client retrying after a partial
  // failure cannot count an event twice.
  const counted = await Promise.all(
    groups.map(([index, group], i) => {
      const carried = i === 0 && tallies.length > 0 ? tallies : undefined;
      const call = recordInShard(
        env.SHARDS,
        shardName(index),
        {
          receivedMs: nowMs,
          ip: beacon.ip,
          userAgent: beacon.userAgent ?? '',
          events: group,
          tallies: carried,
        },
        { relays: env.RELAYS },
      );
      if (!carried) return call;
      return call.catch((err: unknown) => {
        restoreTallies(carried, Date.now());
        throw err;
      });
    }),
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
