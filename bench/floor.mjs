// The floor under ingest: how fast this Miniflare answers a request whose only
// work is a Durable Object write, a rate-limiter call, or both, against the
// same bare Worker doing nothing (bench/floor-worker.mjs), in interleaved
// rounds. A design that makes either hop for every beacon, unshared with other
// beacons, cannot beat these ratios here.
import { fileURLToPath } from 'node:url';
import { load, median, medianOf } from './lib/load.mjs';
import { startPlainWorker } from './lib/worker.mjs';

export const FLOOR_PATHS = ['shard', 'limiter', 'both'];

export async function benchFloor({ rounds, seconds, connections }) {
  const floor = await startPlainWorker(fileURLToPath(new URL('./floor-worker.mjs', import.meta.url)), {
    durableObjects: { SHARDS: { className: 'Shard', useSQLite: true } },
    // The binding sharepulse's beacons once called (its limit); never reached, as every request has a new key.
    ratelimits: { LIMITER: { namespace_id: '1', simple: { limit: 120, period: 60 } } },
  });
  try {
    // Warm-up: every Durable Object and the JIT (not the limiter, whose cost grows with the keys it holds).
    await load({ url: `${floor.url}/shard`, amount: 500, connections, requests: [{ method: 'POST' }] });
    const noop = [];
    const runs = Object.fromEntries(FLOOR_PATHS.map((path) => [path, []]));
    for (let round = 0; round < rounds; round++) {
      noop.push(await load({ url: `${floor.url}/noop`, seconds, connections, pids: floor.pids }));
      for (const path of FLOOR_PATHS) {
        runs[path].push(
          await load({
            url: `${floor.url}/${path}`,
            seconds,
            connections,
            requests: [{ method: 'POST' }],
            pids: floor.pids,
          }),
        );
      }
    }
    const ratioToNoop = (path) => median(runs[path].map((r, i) => r.rps / noop[i].rps));
    return {
      noop: medianOf(noop),
      ...Object.fromEntries(FLOOR_PATHS.map((path) => [path, medianOf(runs[path])])),
      ratios: Object.fromEntries(FLOOR_PATHS.map((path) => [path, ratioToNoop(path)])),
    };
  } finally {
    await floor.mf.dispose();
  }
}
