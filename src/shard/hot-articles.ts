/**
 * Hot articles: one story that takes a large share of a site's readers. Its
 * home shard notices (HotTracker) and says so in its answers; each isolate
 * that hears it (HotRoutes) sends the article's beacons through relays
 * (./hot-relay.ts), which gather the beacons of many isolates into few RPCs
 * to the home shard. The home shard still dedups every event, so dedup stays
 * exact however the article's traffic is routed.
 */

/**
 * Events of one article in one second at its home shard that make it hot:
 * well below a Durable Object's soft limit of about 1,000 requests a second,
 * so that its beacons move to the relays before the shard is overloaded.
 */
export const HOT_EVENTS_PER_SECOND = 200;
/** How long an article stays hot after its last hot second: a story's traffic comes and goes in minutes, not seconds. */
export const HOT_FOR_MS = 60_000;
/**
 * Relays per home shard. Each takes up to about 1,000 requests a second, so
 * 16 take 16 × one object's limit, and the home shard gets at most one RPC in
 * flight from each.
 */
export const RELAY_WIDTH = 16;
/** Hot articles an isolate remembers: far more than a site has breaking stories at once. */
const REMEMBERED = 1_000;

/** The name an article goes by in hot routing: its site and URL as the Worker routes them. */
export const articleRouteKey = (site: string, url: string): string => `${site}\n${url}`;

/** The name of relay `lane` of shard `home`. */
export const relayName = (home: string, lane: number): string => `${home}.relay-${lane}`;

/** Whether `key` is hot at `nowMs` by its time in `hotUntil`; a time passed is forgotten. */
function stillHot(hotUntil: Map<string, number>, key: string, nowMs: number): boolean {
  const until = hotUntil.get(key);
  if (until === undefined) return false;
  if (until > nowMs) return true;
  hotUntil.delete(key);
  return false;
}

/** A home shard's count of each article's events in the current second, and which articles are hot. */
export class HotTracker {
  private second = -1;
  private readonly counts = new Map<string, number>();
  private readonly hotUntil = new Map<string, number>();

  constructor(private readonly threshold = HOT_EVENTS_PER_SECOND) {}

  /** Counts one event of `key` at `nowMs`; answers whether the article is hot. */
  note(key: string, nowMs: number): boolean {
    const second = Math.floor(nowMs / 1000);
    if (second !== this.second) {
      this.second = second;
      this.counts.clear();
    }
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    if (n >= this.threshold) this.hotUntil.set(key, nowMs + HOT_FOR_MS);
    return this.isHot(key, nowMs);
  }

  isHot(key: string, nowMs: number): boolean {
    return stillHot(this.hotUntil, key, nowMs);
  }
}

/** What one isolate knows of hot articles: heard from shards' and relays' answers, forgotten HOT_FOR_MS after. */
export class HotRoutes {
  private readonly hotUntil = new Map<string, number>();

  /** Notes that the shard answering at `nowMs` had `keys` hot. */
  heard(keys: readonly string[], nowMs: number): void {
    for (const key of keys) {
      // Re-inserted, so that the map's order is oldest first.
      this.hotUntil.delete(key);
      this.hotUntil.set(key, nowMs + HOT_FOR_MS);
    }
    for (const key of this.hotUntil.keys()) {
      if (this.hotUntil.size <= REMEMBERED) break;
      this.hotUntil.delete(key);
    }
  }

  isHot(key: string, nowMs: number): boolean {
    return stillHot(this.hotUntil, key, nowMs);
  }
}
