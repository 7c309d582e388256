import type { CounterShard, RecordRequest, ShardAnswer } from './counter-shard';
import { articleRouteKey, HotRoutes, RELAY_WIDTH, relayName } from './hot-articles';

/** How often a queued beacon looks whether its batch is done or its turn has come. */
const POLL_MS = 1;
/** How long a queued beacon waits on other requests before sending its own RPC. */
export const PATIENCE_MS = 5_000;
/**
 * How long a leader holds its shard's line. A record RPC takes milliseconds;
 * a leader whose request was cancelled mid-RPC never hands the line on, and
 * once its lease runs out the next beacon leads instead of waiting PATIENCE_MS.
 */
export const LEASE_MS = 1_000;
/**
 * How long a beacon's own RPC is tried again while the shard is overloaded
 * or unavailable: well within the time a browser gives a beacon, so that a
 * burst is answered late rather than lost (a beacon answered 5xx is a view
 * lost: sendBeacon never retries).
 */
export const RETRY_WITHIN_MS = 10_000;
const FIRST_RETRY_MS = 25;
const MAX_RETRY_MS = 1_000;

interface Waiter {
  request: RecordRequest;
  /** 'sent': in a leader's RPC, in flight; 'lead': to send the queue, itself in it. */
  state: 'queued' | 'lead' | 'sent' | 'done' | 'failed';
  answer: BeaconAnswer;
  /** What its batch failed with, when it failed. */
  failure?: unknown;
}

interface Lease {
  until: number;
}

interface ShardLine {
  /** The in-flight RPC's hold on the line; null when none is in flight. */
  lease: Lease | null;
  queue: Waiter[];
}

const lines = new Map<string, ShardLine>();

/** A shard's answer to one beacon: how many of its events counted, and which of its articles are hot there. */
export interface BeaconAnswer {
  counted: number;
  hot: string[];
}

/**
 * A relay's answer: the shard's, or that the platform failed the shard
 * behind it past the relay's retries. Told as an answer, since an error the
 * relay threw would reach its caller as the relay's own (`.remote`), never
 * to be tried again.
 */
export type RelayAnswer = BeaconAnswer | { shardFailed: true };

/** The namespace of hot articles' relays (./hot-relay.ts), as this client calls them. */
export interface Relays {
  getByName(name: string): {
    /** Records `request` in shard `home`, trying again for at most `withinMs`. */
    record(home: string, request: RecordRequest, withinMs: number): Promise<RelayAnswer>;
  };
}

/** How a beacon is sent. */
export interface ShardCall {
  /** Hot articles' relays: the Worker's calls go through them, a relay's own do not. */
  relays?: Relays;
  /** When tries end; RETRY_WITHIN_MS after the call when not given. */
  deadlineMs?: number;
}

/** The platform's failure of a shard behind a relay, as a relay answered it. */
class ShardFailedBehindRelay extends Error {
  readonly retryable = true;
}

/** What this isolate heard of hot articles from the shards and relays it called. */
const hotRoutes = new HotRoutes();

const routeKeys = (request: RecordRequest): string[] => [
  ...new Set(request.events.map((e) => articleRouteKey(e.site, e.url))),
];

/** Notes a shard's answer of hot articles; answers it per beacon, each with its own hot articles only. */
function heard({ counted, hot }: ShardAnswer, beacons: readonly RecordRequest[], nowMs: number): BeaconAnswer[] {
  hotRoutes.heard(hot, nowMs);
  const hotHere = new Set(hot);
  return beacons.map((beacon, i) => ({
    counted: counted[i] ?? 0,
    // Most answers have no hot article: no beacon's keys are made for them.
    hot: hotHere.size === 0 ? [] : routeKeys(beacon).filter((key) => hotHere.has(key)),
  }));
}

/** The hot articles among a request's, as this isolate knows them. */
export const hotArticlesOf = (request: RecordRequest, nowMs: number): string[] =>
  routeKeys(request).filter((key) => hotRoutes.isHot(key, nowMs));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Makes `waiter` the leader if no live lease holds the line. */
function takeLeadIfFree(line: ShardLine, waiter: Waiter, nowMs: number): void {
  if (line.lease !== null && line.lease.until > nowMs) return;
  line.lease = { until: nowMs + LEASE_MS };
  waiter.state = 'lead';
}

/**
 * Sends a beacon's events to a shard, coalescing the beacons that concurrent
 * requests of this isolate send to the same shard into one RPC and one storage
 * commit (group commit). At most one RPC per shard is in flight; beacons
 * arriving meanwhile queue, and when it returns the first of them sends the
 * next RPC for all, from its own request. A hot shard (one viral article) so
 * takes a batch per round trip instead of a round trip per beacon.
 *
 * Requests share plain data only, never a promise or an I/O object: each
 * queued beacon polls its own state on its own timer, as the runtime cancels
 * a request that waits on another request's I/O. Each beacon is answered only
 * once its own events are durable in the shard. A beacon whose batch failed,
 * or that waited too long, sends its own RPC: the shard's per-day dedup makes
 * that retry safe. The line is leased to its leader for LEASE_MS, so that a
 * leader that never returns holds it no longer.
 *
 * With `relays` (the Worker's calls), a beacon of an article the shard said
 * is hot goes through one of the shard's relays instead (./hot-relay.ts),
 * and so does the retry of a beacon whose own RPC the platform failed
 * (overloaded, unavailable). Waiting and tries end at `deadlineMs`, but for
 * the one try every beacon gets. Answers how many events counted.
 */
export async function recordInShard(
  namespace: DurableObjectNamespace<CounterShard>,
  name: string,
  request: RecordRequest,
  call: ShardCall = {},
): Promise<number> {
  return (await answerInShard(namespace, name, request, call)).counted;
}

/** recordInShard(), answering also which of the beacon's articles are hot at the shard: what a relay answers. */
export async function answerInShard(
  namespace: DurableObjectNamespace<CounterShard>,
  name: string,
  request: RecordRequest,
  { relays, deadlineMs = Date.now() + RETRY_WITHIN_MS }: ShardCall,
): Promise<BeaconAnswer> {
  if (relays && hotArticlesOf(request, Date.now()).length > 0) {
    return recordThroughRelays(relays, name, request, deadlineMs);
  }
  let line = lines.get(name);
  if (!line) {
    line = { lease: null, queue: [] };
    lines.set(name, line);
  }
  const waiter: Waiter = { request, state: 'queued', answer: { counted: 0, hot: [] } };
  line.queue.push(waiter);
  takeLeadIfFree(line, waiter, Date.now());
  for (
    let waited = 0;
    (waiter.state === 'queued' || waiter.state === 'sent') && waited < PATIENCE_MS && Date.now() < deadlineMs;
    waited += POLL_MS
  ) {
    await sleep(POLL_MS);
    if (waiter.state === 'queued' && line.queue[0] === waiter) takeLeadIfFree(line, waiter, Date.now());
  }

  if (waiter.state === 'lead') await lead(namespace, name, line);
  if (waiter.state === 'done') return waiter.answer;

  const queued = line.queue.indexOf(waiter);
  if (queued >= 0) line.queue.splice(queued, 1);
  if (isRetryableShardFailure(waiter.failure)) {
    if (relays) return recordThroughRelays(relays, name, request, deadlineMs);
    // Its batch was the one try every beacon gets.
    if (Date.now() >= deadlineMs) throw waiter.failure;
  }
  const own = async () => heard(await namespace.getByName(name).take([request]), [request], Date.now())[0]!;
  if (!relays) return withRetries(own, deadlineMs);
  try {
    return await own();
  } catch (err) {
    if (!isRetryableShardFailure(err)) throw err;
    // The shard is overloaded or unavailable: the retries go through its relays, which gather the beacons
    // of many isolates into few RPCs, and dedup still happens in the shard itself.
    return recordThroughRelays(relays, name, request, deadlineMs);
  }
}

/**
 * Sends a beacon through one of shard `home`'s relays, picked at random, and
 * on the platform's failure of the relay, or of the shard behind it, tries
 * another until `deadlineMs`.
 */
async function recordThroughRelays(
  relays: Relays,
  home: string,
  request: RecordRequest,
  deadlineMs: number,
): Promise<BeaconAnswer> {
  return withRetries(async () => {
    const lane = Math.floor(Math.random() * RELAY_WIDTH);
    const answer = await relays
      .getByName(relayName(home, lane))
      .record(home, request, Math.max(0, deadlineMs - Date.now()));
    if ('shardFailed' in answer) throw new ShardFailedBehindRelay(`shard ${home} failed behind its relay ${lane}`);
    hotRoutes.heard(answer.hot, Date.now());
    return answer;
  }, deadlineMs);
}

/**
 * Whether a failed call may be sent again: the platform's own failures of a
 * Durable Object (overloaded, or restarting, moving, unreachable: `.overloaded`
 * or `.retryable`), never an error the shard's code threw (`.remote`). A
 * record RPC is safe to repeat, as the shard dedups per visitor and day.
 */
export const isRetryableShardFailure = (err: unknown): boolean => {
  if (!(err instanceof Error)) return false;
  const flags = err as Error & { retryable?: boolean; overloaded?: boolean; remote?: boolean };
  return flags.remote !== true && (flags.retryable === true || flags.overloaded === true);
};

/**
 * Runs `call` until it succeeds, fails otherwise, or `deadlineMs` passes:
 * backing off exponentially with full jitter between tries, which spreads
 * the retries of a burst instead of sending them back at once.
 */
async function withRetries<T>(call: () => Promise<T>, deadlineMs: number): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const wait = Math.random() * Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt);
      if (!isRetryableShardFailure(err) || Date.now() + wait > deadlineMs) throw err;
      await sleep(wait);
    }
  }
}

/**
 * Sends every queued beacon (the leader's own first) in one RPC, then hands
 * the line on. Each is marked sent, so that a leader the line was handed to,
 * whose lease ran out before it woke, finds its beacon in this RPC and waits
 * for its answer instead of sending an RPC of its own.
 */
async function lead(namespace: DurableObjectNamespace<CounterShard>, name: string, line: ShardLine): Promise<void> {
  const lease = line.lease;
  const batch = line.queue.splice(0);
  for (const w of batch) w.state = 'sent';
  try {
    const beacons = batch.map((w) => w.request);
    const answers = heard(await namespace.getByName(name).take(beacons), beacons, Date.now());
    for (const [i, w] of batch.entries()) Object.assign(w, { state: 'done', answer: answers[i] });
  } catch (err) {
    for (const w of batch) Object.assign(w, { state: 'failed', failure: err });
  } finally {
    // A leader whose lease ran out meanwhile has nothing left to hand on.
    if (line.lease === lease) {
      const next = line.queue[0];
      if (next) {
        line.lease = { until: Date.now() + LEASE_MS };
        next.state = 'lead';
      } else {
        line.lease = null;
      }
    }
  }
}
