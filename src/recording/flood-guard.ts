import { BoundedMap } from '../cache/bounded-map';
import { ApiError } from '../errors';
import { ipScope } from '../ingest/ip-scope';

/**
 * Events one address (IPv6: one /64) may send one isolate for one site in a
 * minute. The shards' per-IP cap is what stops one client inflating the
 * numbers; this only bounds the work one address makes an isolate do, so it
 * sits far above what readers sharing an address send: 300 readers each
 * sending a view every 3 seconds, or 20 readers (the default cap) each a full
 * array of 20 events every 4 seconds. In production the WAF rate-limiting rule
 * on /api/v1/events (README) stops a flood before the Worker runs.
 */
export const EVENTS_PER_MINUTE = 6_000;
/** (site, address) pairs an isolate counts at once: a megabyte or two at most. */
const MAX_KEYS = 10_000;
const MINUTE_MS = 60_000;

/**
 * The guard counts an address's events to a site under this key: site and
 * `ipScope(ip)` (an IPv6 /64 is one address). It lives only in the isolate's
 * memory, bounded and for a minute: no binding, log or storage ever sees it.
 */
export const floodGuardKey = (site: string, ip: string): string => JSON.stringify([site, ipScope(ip)]);

/** A refusal of the flood guard: 429 `rate_limited`, with the seconds to wait for `Retry-After`. */
export class RateLimited extends ApiError {
  constructor(readonly retryAfterSeconds: number) {
    super('rate_limited', 'Too many events from this address for this site; try again in a minute.');
  }
}

/**
 * The per-isolate flood guard: events (not requests: an array of 20 is 20)
 * per site and address in fixed one-minute windows, in a bounded map. An
 * address pushed out of the map by others starts again from zero, which errs
 * towards accepting: the guard bounds an isolate's work, the shards' per-IP
 * cap bounds what counts.
 */
export class FloodGuard {
  private readonly minutes: BoundedMap<string, { minute: number; events: number }>;

  constructor(
    readonly eventsPerMinute: number,
    maxKeys: number,
  ) {
    this.minutes = new BoundedMap(maxKeys, MINUTE_MS);
  }

  /**
   * Takes a request's events from `ip`, counted per site, if each site has
   * room for them this minute; a refusal takes none (a request is accepted or
   * refused whole). Answers null when taken, else the seconds until the
   * minute ends.
   */
  check(ip: string, eventsBySite: ReadonlyMap<string, number>, nowMs: number): number | null {
    const counts = [...eventsBySite].map(([site, n]) => ({ key: floodGuardKey(site, ip), n }));
    const minute = Math.floor(nowMs / MINUTE_MS);
    const used = (key: string) => {
      const window = this.minutes.get(key, nowMs);
      return window?.minute === minute ? window.events : 0;
    };
    if (counts.some(({ key, n }) => used(key) + n > this.eventsPerMinute)) {
      return Math.ceil(((minute + 1) * MINUTE_MS - nowMs) / 1000);
    }
    for (const { key, n } of counts) this.minutes.set(key, { minute, events: used(key) + n }, nowMs);
    return null;
  }
}

/** This isolate's guard on POST /api/v1/events and share links. */
export const floodGuard = new FloodGuard(EVENTS_PER_MINUTE, MAX_KEYS);
