import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { CounterShard, RecordRequest } from '../../src/shard/counter-shard';
import { LEASE_MS, PATIENCE_MS, RETRY_WITHIN_MS, recordInShard } from '../../src/shard/shard-client';
import { BROWSER_UA, storedTotals } from '../support/helpers';
import { createShardSite as createSite, type ShardSite, shardEvent } from './shard-support';

/** For tests of many concurrent beacons: well above their run time on a busy machine. */
const CONCURRENT_TEST_TIMEOUT_MS = 60_000;

const beacon = (site: ShardSite, url: string, ip: string): RecordRequest => ({
  receivedMs: Date.now(),
  ip,
  userAgent: BROWSER_UA,
  events: [shardEvent(site, url)],
});

/**
 * The real namespace, recording the beacons of each RPC made through it:
 * `failFirst` makes the first one fail, `hangFirst` never answer, as for a
 * leader whose request was cancelled mid-RPC; `holdRpcs` holds the RPCs of
 * those numbers (from 1) until `release` lets them go on; `platformFailures`
 * makes the first RPCs fail with the errors it makes, as the platform's own.
 */
function observedNamespace({
  failFirst = false,
  hangFirst = false,
  holdRpcs = [] as number[],
  platformFailures = [] as (() => Error)[],
} = {}) {
  const sent: number[] = [];
  const held = new Map<number, () => void>();
  const namespace = new Proxy(env.SHARDS, {
    get(target, property) {
      if (property !== 'getByName') return Reflect.get(target, property);
      return (name: string) => {
        const stub = target.getByName(name);
        return {
          take: async (beacons: RecordRequest[]) => {
            sent.push(beacons.length);
            const rpc = sent.length;
            if (failFirst && rpc === 1) throw new Error('shard unavailable');
            const failure = platformFailures[rpc - 1];
            if (failure) throw failure();
            if (hangFirst && rpc === 1) return new Promise<never>(() => {});
            if (holdRpcs.includes(rpc)) await new Promise<void>((resolve) => held.set(rpc, resolve));
            return stub.take(beacons);
          },
        };
      };
    },
  }) as DurableObjectNamespace<CounterShard>;
  return { namespace, rpcs: () => sent.length, sent: () => sent, release: (rpc: number) => held.get(rpc)?.() };
}

describe('recordInShard', () => {
  it(
    'should coalesce concurrent beacons for one shard into few RPCs, each answered for itself',
    async () => {
      const site = await createSite();
      const { id, host } = site;
      const { namespace, rpcs } = observedNamespace();
      const shardName = `client-${crypto.randomUUID()}`;
      const url = `https://${host}/a`;
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          recordInShard(namespace, shardName, beacon(site, url, `198.51.100.${i % 20}`)),
        ),
      );
      // 20 visitors, each twice.
      expect(results.filter((n) => n === 1)).toHaveLength(20);
      expect(results.filter((n) => n === 0)).toHaveLength(20);
      expect(rpcs()).toBeLessThan(10);
      await runDurableObjectAlarm(env.SHARDS.getByName(shardName));
      expect(await storedTotals(id, url)).toEqual({ views: 20, shares: 0 });
    },
    CONCURRENT_TEST_TIMEOUT_MS,
  );

  it('should send a lone beacon at once', async () => {
    const site = await createSite();
    const { host } = site;
    const { namespace, rpcs } = observedNamespace();
    expect(
      await recordInShard(
        namespace,
        `client-${crypto.randomUUID()}`,
        beacon(site, `https://${host}/a`, '198.51.100.1'),
      ),
    ).toBe(1);
    expect(rpcs()).toBe(1);
  });

  it(
    'should let the beacons of a failed batch go alone, losing none',
    async () => {
      const site = await createSite();
      const { id, host } = site;
      const { namespace, rpcs } = observedNamespace({ failFirst: true });
      const shardName = `client-${crypto.randomUUID()}`;
      const url = `https://${host}/a`;
      const counted = await Promise.all(
        Array.from({ length: 10 }, (_, i) => recordInShard(namespace, shardName, beacon(site, url, `198.51.100.${i}`))),
      );
      expect(counted).toEqual(new Array(10).fill(1));
      expect(rpcs()).toBeGreaterThan(1);
      await runDurableObjectAlarm(env.SHARDS.getByName(shardName));
      expect((await storedTotals(id, url)).views).toBe(10);
    },
    CONCURRENT_TEST_TIMEOUT_MS,
  );

  it('should not hold later beacons for a leader that never returns longer than its lease', async () => {
    const site = await createSite();
    const { namespace, rpcs } = observedNamespace({ hangFirst: true });
    const shardName = `client-${crypto.randomUUID()}`;
    const url = `https://${site.host}/a`;
    vi.useFakeTimers();
    onTestFinished(() => {
      vi.useRealTimers();
    });

    void recordInShard(namespace, shardName, beacon(site, url, '198.51.100.1'));
    let answered: number | undefined;
    const later = recordInShard(namespace, shardName, beacon(site, url, '198.51.100.2')).then((n) => {
      answered = n;
    });
    await vi.advanceTimersByTimeAsync(LEASE_MS - 1);
    expect(rpcs()).toBe(1);
    // The lease ran out: the next beacon leads, long before its own patience would.
    await vi.advanceTimersByTimeAsync(2);
    expect(rpcs()).toBe(2);
    expect(LEASE_MS + 1).toBeLessThan(PATIENCE_MS);
    vi.useRealTimers();
    await later;
    expect(answered).toBe(1);
  });

  it('should answer a leader whose lease ran out before it woke from the RPC that took its beacon, sending nothing itself', async () => {
    const site = await createSite();
    const { namespace, sent, release } = observedNamespace({ holdRpcs: [1, 2] });
    const shardName = `client-${crypto.randomUUID()}`;
    const url = `https://${site.host}/a`;
    vi.useFakeTimers();
    onTestFinished(() => {
      vi.useRealTimers();
    });

    // A leads; B queues behind its RPC.
    const a = recordInShard(namespace, shardName, beacon(site, url, '198.51.100.1'));
    const b = recordInShard(namespace, shardName, beacon(site, url, '198.51.100.2'));
    release(1);
    await a;
    // A handed the line to B, whose timer has not fired when its lease runs
    // out: a newcomer, C, leads, and takes B's beacon with its own.
    vi.setSystemTime(Date.now() + LEASE_MS);
    const c = recordInShard(namespace, shardName, beacon(site, url, '198.51.100.3'));
    expect(sent()).toEqual([1, 2]);
    // B wakes while C's RPC is still on its way.
    await vi.advanceTimersByTimeAsync(2);
    expect(sent()).toEqual([1, 2]);
    release(2);
    await c;
    await vi.advanceTimersByTimeAsync(1);
    expect(await Promise.all([a, b, c])).toEqual([1, 1, 1]);
    expect(sent()).toEqual([1, 2]);
  });

  it(
    'should try a beacon again while its shard is overloaded or unavailable, and count it once',
    async () => {
      const site = await createSite();
      const overloaded = () => Object.assign(new Error('Durable Object is overloaded.'), { overloaded: true });
      const unavailable = () => Object.assign(new Error('Network connection lost.'), { retryable: true });
      const { namespace, rpcs } = observedNamespace({ platformFailures: [overloaded, unavailable, overloaded] });
      const shardName = `client-${crypto.randomUUID()}`;
      const url = `https://${site.host}/a`;
      expect(await recordInShard(namespace, shardName, beacon(site, url, '198.51.100.7'))).toBe(1);
      // The leader's RPC, then the beacon's own: three failures, then the answer.
      expect(rpcs()).toBe(4);
      await runDurableObjectAlarm(env.SHARDS.getByName(shardName));
      expect((await storedTotals(site.id, url)).views).toBe(1);
    },
    CONCURRENT_TEST_TIMEOUT_MS,
  );

  it('should not try again what the shard itself refused, nor past the beacon\u2019s time', async () => {
    const site = await createSite();
    const url = `https://${site.host}/a`;
    const thrown = () => Object.assign(new Error('a bug in the shard'), { remote: true, retryable: true });
    const refused = observedNamespace({ platformFailures: [thrown, thrown] });
    await expect(
      recordInShard(refused.namespace, `client-${crypto.randomUUID()}`, beacon(site, url, '198.51.100.8')),
    ).rejects.toThrow('a bug in the shard');
    expect(refused.rpcs()).toBe(2);

    const overloaded = () => Object.assign(new Error('Durable Object is overloaded.'), { overloaded: true });
    const always = observedNamespace({ platformFailures: Array.from({ length: 10_000 }, () => overloaded) });
    vi.useFakeTimers();
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const answer = recordInShard(always.namespace, `client-${crypto.randomUUID()}`, beacon(site, url, '198.51.100.9'));
    const settled = answer.then(
      () => 'answered',
      (err: Error) => err.message,
    );
    await vi.advanceTimersByTimeAsync(RETRY_WITHIN_MS + PATIENCE_MS);
    expect(await settled).toBe('Durable Object is overloaded.');
    expect(always.rpcs()).toBeGreaterThan(5);
  });
});
