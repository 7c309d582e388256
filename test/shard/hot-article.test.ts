import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { CounterShard, RecordRequest } from '../../src/shard/counter-shard';
import { shardIndex, shardName } from '../../src/shard/routing';
import { hotArticlesOf, type Relays, recordInShard } from '../../src/shard/shard-client';
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

/** The relays' namespace, counting the calls made through it. */
function countedRelays() {
  let calls = 0;
  const relays = new Proxy(env.RELAYS, {
    get(target, property) {
      if (property !== 'getByName') return Reflect.get(target, property);
      return (name: string) => {
        const stub = target.getByName(name);
        return {
          record: (home: string, request: RecordRequest) => {
            calls++;
            return stub.record(home, request);
          },
        };
      };
    },
  }) as Relays;
  return { relays, calls: () => calls };
}

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
          visitors.map((i) => recordInShard(env.SHARDS, home, visitorBeacon(site, url, i), relays)),
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

  it('should retry a beacon its shard failed as overloaded through a relay, counted once', async () => {
    const site = await createShardSite();
    const url = `https://${site.host}/overloaded-${crypto.randomUUID()}`;
    const home = shardName(shardIndex(site.id, url, Number(env.SHARD_COUNT)));
    let failures = 0;
    // The shard's first RPC from this isolate fails as the platform's overloaded error; the relay's get through.
    const overloadedOnce = new Proxy(env.SHARDS, {
      get(target, property) {
        if (property !== 'getByName') return Reflect.get(target, property);
        return (name: string) => ({
          take: async (beacons: RecordRequest[]) => {
            if (failures++ === 0) throw Object.assign(new Error('Durable Object is overloaded.'), { overloaded: true });
            return target.getByName(name).take(beacons);
          },
        });
      },
    }) as DurableObjectNamespace<CounterShard>;
    const { relays, calls } = countedRelays();

    expect(await recordInShard(overloadedOnce, home, visitorBeacon(site, url, 1), relays)).toBe(1);
    expect(calls()).toBe(1);
    await runDurableObjectAlarm(env.SHARDS.getByName(home));
    expect((await storedTotals(site.id, url)).views).toBe(1);
  });
});
