import type { CounterShard, RecordRequest } from './counter-shard';

/** How often a queued beacon looks whether its batch is done or its turn has come. */
const POLL_MS = 1;
/** How long a queued beacon waits on other requests before sending its own RPC. */
const PATIENCE_MS = 5_000;

interface Waiter {
  request: RecordRequest;
  state: 'queued' | 'lead' | 'done' | 'failed';
  counted: number;
}

interface ShardLine {
  inFlight: boolean;
  queue: Waiter[];
}

const lines = new Map<string, ShardLine>();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
 * that retry safe.
 */
export async function recordInShard(
  namespace: DurableObjectNamespace<CounterShard>,
  name: string,
  request: RecordRequest,
): Promise<number> {
  let line = lines.get(name);
  if (!line) {
    line = { inFlight: false, queue: [] };
    lines.set(name, line);
  }
  const waiter: Waiter = { request, state: 'queued', counted: 0 };
  line.queue.push(waiter);
  if (!line.inFlight) {
    line.inFlight = true;
    waiter.state = 'lead';
  }
  for (let waited = 0; waiter.state === 'queued' && waited < PATIENCE_MS; waited += POLL_MS) await sleep(POLL_MS);

  if (waiter.state === 'lead') await lead(namespace, name, line);
  if (waiter.state === 'done') return waiter.counted;

  const queued = line.queue.indexOf(waiter);
  if (queued >= 0) line.queue.splice(queued, 1);
  const [counted] = await namespace.getByName(name).record([request]);
  return counted ?? 0;
}

/** Sends every queued beacon (the leader's own first) in one RPC, then hands the line on. */
async function lead(namespace: DurableObjectNamespace<CounterShard>, name: string, line: ShardLine): Promise<void> {
  const batch = line.queue.splice(0);
  try {
    const counted = await namespace.getByName(name).record(batch.map((w) => w.request));
    for (const [i, w] of batch.entries()) Object.assign(w, { state: 'done', counted: counted[i] ?? 0 });
  } catch {
    for (const w of batch) w.state = 'failed';
  } finally {
    const next = line.queue[0];
    if (next) next.state = 'lead';
    else line.inFlight = false;
  }
}
