import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { CounterShard, RecordRequest } from '../../src/shard/counter-shard';
import { articleRouteKey } from '../../src/shard/hot-articles';
import { HotRelay } from '../../src/shard/hot-relay';
import { shardIndex, shardName } from '../../src/shard/routing';
import {
  hotArticlesOf,
  RETRY_WITHIN_MS,
  type RelayAnswer,
  type Relays,
  recordInShard,
} from '../../src/shard/shard-client';
import { dayOf } from '../../src/time';
import { storedTotals } from '../support/helpers';
import { createShardSite, type ShardSite, shardEvent } from './shard-support';

/** For tests of hundreds of concurrent beacons: well above their run time on a busy 2-core machine. */
const HOT_TEST_TIMEOUT_MS = 120_000;

/** Visitor `i`: its own IP from the benchmarking range and its own User-Agent. */
const visitorBeacon = (site: ShardSite, url: string, i: number): RecordRequest => ({
  receivedMs: Date.now(),
  ip: `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`,
  userAgent: `Mozilla/5.0 (X11; Linux x86_64) reader/${i}`,
  events: [shardEvent(site, url)],
});

/**
 * The relays' namespace, recording the relay and the time left of each call
 * made through it; the first `shardFailedFirst` calls answer, as a relay
 * does, that the platform failed the shard behind it.
 */
function countedRelays({ shardFailedFirst = 0 } = {}) {
  const calls: { relay: string; withinMs: number }[] = [];
  const relays = new Proxy(env.RELAYS, {
    get(target, property) {
      if (property !== 'getByName') return Reflect.get(target, property);
      return (name: string) => {
        const stub = target.getByName(name);
        return {
          record: async (home: string, request: RecordRequest, withinMs: number): Promise<RelayAnswer> => {
            calls.push({ relay: name, withinMs });
            if (calls.length <= shardFailedFirst) return { shardFailed: true };
            return stub.record(home, request, withinMs);
          },
        };
      };
    },
  }) as Relays;
  return { relays, calls: () => calls.length, callsMade: () => calls };
}

/** The platform's error for a Durable Object that takes no more requests. */
const overloaded = () => Object.assign(new Error('Durable Object is overloaded.'), { overloaded: true });

/** The shards' namespace, its RPC number `rpc` (from 0) failing with `failureOf(rpc)` when it makes one; `rpcs` counts them all. */
function failingShards(failureOf: (rpc: number) => Error | undefined) {
  let rpcs = 0;
  const namespace = new Proxy(env.SHARDS, {
    get(target, property) {
      if (property !== 'getByName') return Reflect.get(target, property);
      return (name: string) => ({
        take: async (beacons: RecordRequest[]) => {
          const failure = failureOf(rpcs++);
          if (failure) throw failure;
          return target.getByName(name).take(beacons);
        },
      });
    },
  }) as DurableObjectNamespace<CounterShard>;
  return { namespace, rpcs: () => rpcs };
}

/** A relay of the real binding's storage whose shards are `shards`. */
const relayOver = (shards: DurableObjectNamespace<CounterShard>, run: (relay: HotRelay) => Promise<void>) =>
  runInDurableObject(env.RELAYS.getByName(`relay-${crypto.randomUUID()}`), (_, state) =>
    run(new HotRelay(state, { ...env, SHARDS: shards })),
  );

async function repeatsInLedger(site: string): Promise<number> {
  const row = await env.DB.prepare("SELECT n FROM site_ledger WHERE site_id = ? AND day = ? AND outcome = 'repeat'")
    .bind(site, dayOf(Date.now()))
    .first<{ n: number }>();
  return row?.n ?? 0;
}

describe('a hot article', () => {
  it(
    'should go through relays once its shard finds it hot, its views and repeats counted exactly across flushes',
    async () => {
      const site = await createShardSite();
      const url = `https://${site.host}/breaking-${crypto.randomUUID()}`;
      const home = shardName(shardIndex(site.id, url, Number(env.SHARD_COUNT)));
      const shard = env.SHARDS.getByName(home);
      const { relays, calls } = countedRelays();
      const counted = new Set<number>();
      let repeats = 0;
      /** Sends visitors' beacons at once; checks each is counted once only, the first time. */
      const send = async (visitors: number[]) => {
        const answers = await Promise.all(
          visitors.map((i) => recordInShard(env.SHARDS, home, visitorBeacon(site, url, i), { relays })),
        );
        answers.forEach((n, k) => {
          const visitor = visitors[k]!;
          expect(n).toBe(counted.has(visitor) ? 0 : 1);
          if (n === 0) repeats++;
          counted.add(visitor);
        });
      };
      const isHot = () => hotArticlesOf(visitorBeacon(site, url, 0), Date.now()).length > 0;

      // Before it is hot: beacons go to its shard, some visitors twice, until the shard says it is hot
      // (50 events in one second, HOT_EVENTS_PER_SECOND of vitest.config.ts).
      let next = 0;
      for (let round = 0; round < 20 && !isHot(); round++) {
        const fresh = Array.from({ length: 60 }, (_, k) => next + k);
        next += 60;
        await send([...fresh, ...fresh.slice(0, 10)]);
      }
      expect(isHot()).toBe(true);
      expect(calls()).toBe(0);
      await runDurableObjectAlarm(shard);

      // Hot: new visitors and visitors of before, through the relays, a flush between two bursts.
      await send([...Array.from({ length: 150 }, (_, k) => next + k), ...Array.from({ length: 50 }, (_, k) => k)]);
      next += 150;
      expect(calls()).toBe(200);
      await runDurableObjectAlarm(shard);
      await send([
        ...Array.from({ length: 100 }, (_, k) => next + k),
        ...Array.from({ length: 100 }, (_, k) => next - k - 1),
      ]);
      next += 100;
      await runDurableObjectAlarm(shard);

      expect((await storedTotals(site.id, url)).views).toBe(counted.size);
      expect(counted.size).toBe(next);
      expect(await repeatsInLedger(site.id)).toBe(repeats);
    },
    HOT_TEST_TIMEOUT_MS,
  );

  it('should retry a beacon its shard failed as overloaded through a relay, and another if that one fails, counted once', async () => {
    const site = await createShardSite();
    const url = `https://${site.host}/overloaded-${crypto.randomUUID()}`;
    const home = shardName(shardIndex(site.id, url, Number(env.SHARD_COUNT)));
    // The shard's first RPC from this isolate fails as overloaded; the first relay answers that the shard
    // failed behind it too, and the next gets through.
    const { namespace } = failingShards((rpc) => (rpc === 0 ? overloaded() : undefined));
    const { relays, callsMade } = countedRelays({ shardFailedFirst: 1 });

    expect(await recordInShard(namespace, home, visitorBeacon(site, url, 1), { relays })).toBe(1);
    expect(callsMade()).toHaveLength(2);
    // Each relay is given what is left of the beacon's time, never more.
    for (const { withinMs } of callsMade()) {
      expect(withinMs).toBeGreaterThan(0);
      expect(withinMs).toBeLessThanOrEqual(RETRY_WITHIN_MS);
    }
    await runDurableObjectAlarm(env.SHARDS.getByName(home));
    expect((await storedTotals(site.id, url)).views).toBe(1);
  });

  it('should retry through a relay a beacon whose own RPC the platform failed, after its batch failed otherwise', async () => {
    const site = await createShardSite();
    const url = `https://${site.host}/own-${crypto.randomUUID()}`;
    const home = shardName(shardIndex(site.id, url, Number(env.SHARD_COUNT)));
    // The batch fails with an error of its own, so the beacon sends its own RPC, which the platform fails.
    const failures = [() => new Error('one beacon of the batch was bad'), overloaded];
    const { namespace, rpcs } = failingShards((rpc) => failures[rpc]?.());
    const { relays, calls } = countedRelays();

    expect(await recordInShard(namespace, home, visitorBeacon(site, url, 1), { relays })).toBe(1);
    expect(rpcs()).toBe(2);
    expect(calls()).toBe(1);
    await runDurableObjectAlarm(env.SHARDS.getByName(home));
    expect((await storedTotals(site.id, url)).views).toBe(1);
  });

  it('a relay should answer that its shard failed once its time is up, and pass on what the shard itself threw', async () => {
    const site = await createShardSite();
    const url = `https://${site.host}/relayed-${crypto.randomUUID()}`;
    const home = shardName(shardIndex(site.id, url, Number(env.SHARD_COUNT)));
    const alwaysOverloaded = failingShards(overloaded);
    await relayOver(alwaysOverloaded.namespace, async (relay) => {
      // With no time left, the one try every beacon gets and no other.
      expect(await relay.record(home, visitorBeacon(site, url, 1), 0)).toEqual({ shardFailed: true });
    });
    expect(alwaysOverloaded.rpcs()).toBe(1);

    const broken = failingShards(() => Object.assign(new Error('a bug in the shard'), { remote: true }));
    await relayOver(broken.namespace, async (relay) => {
      await expect(relay.record(home, visitorBeacon(site, url, 2), RETRY_WITHIN_MS)).rejects.toThrow(
        'a bug in the shard',
      );
    });
    // Its batch's RPC, then its own, as for any beacon whose batch failed.
    expect(broken.rpcs()).toBe(2);
  });

  it('a relay should answer the hot articles its shard answered, not what its isolate remembers', async () => {
    const site = await createShardSite();
    const url = `https://${site.host}/remembered-${crypto.randomUUID()}`;
    const key = articleRouteKey(site.id, url);
    const home = shardName(shardIndex(site.id, url, Number(env.SHARD_COUNT)));
    // 60 events in one beacon make the article hot at its shard, and this isolate hears it.
    const burst = { ...visitorBeacon(site, url, 1), events: Array.from({ length: 60 }, () => shardEvent(site, url)) };
    await recordInShard(env.SHARDS, home, burst);
    expect(hotArticlesOf(burst, Date.now())).toEqual([key]);

    const { relays } = countedRelays();
    const relay = relays.getByName(`${home}.relay-0`);
    expect(await relay.record(home, visitorBeacon(site, url, 2), RETRY_WITHIN_MS)).toEqual({ counted: 1, hot: [key] });
    // A shard that never had the article hot: the relay's isolate still remembers it so, its answer does not.
    const elsewhere = shardName((shardIndex(site.id, url, Number(env.SHARD_COUNT)) + 1) % Number(env.SHARD_COUNT));
    expect(await relay.record(elsewhere, visitorBeacon(site, url, 3), RETRY_WITHIN_MS)).toEqual({
      counted: 1,
      hot: [],
    });
    await runDurableObjectAlarm(env.SHARDS.getByName(home));
    await runDurableObjectAlarm(env.SHARDS.getByName(elsewhere));
    expect((await storedTotals(site.id, url)).views).toBe(3);
  });
});
