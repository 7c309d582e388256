import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { CounterShard, RecordRequest } from '../../src/shard/counter-shard';
import { LEASE_MS, PATIENCE_MS, recordInShard } from '../../src/shard/shard-client';
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
 * The real namespace, counting the RPCs made through it: `failFirst` makes the
 * first one fail, `hangFirst` never answer, as for a leader whose request was
 * cancelled mid-RPC.
 */
function observedNamespace({ failFirst = false, hangFirst = false } = {}) {
  let rpcs = 0;
  const namespace = new Proxy(env.SHARDS, {
    get(target, property) {
      if (property !== 'getByName') return Reflect.get(target, property);
      return (name: string) => {
        const stub = target.getByName(name);
        return {
          record: (beacons: RecordRequest[]) => {
            rpcs++;
            if (failFirst && rpcs === 1) return Promise.reject(new Error('shard unavailable'));
            if (hangFirst && rpcs === 1) return new Promise<never>(() => {});
            return stub.record(beacons);
          },
        };
      };
    },
  }) as DurableObjectNamespace<CounterShard>;
  return { namespace, rpcs: () => rpcs };
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
});
