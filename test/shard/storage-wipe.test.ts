import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { CounterShard } from '../../src/shard/counter-shard';
import { storedTotals } from '../support/helpers';
import { beacon, OUTBOX_ROWS, PENDING_ROWS, rowCount, shardEvent, siteWithShard } from './shard-support';

describe('a shard whose storage is wiped between flushes', () => {
  it('should keep every event it flushed counted once, and count every new event once', async () => {
    const { site, shard: stub } = await siteWithShard();
    const a = `https://${site.host}/a`;
    const b = `https://${site.host}/b`;
    const view = (url: string, ip: string) => beacon([shardEvent(site, url)], { ip });

    // Two batches flushed: 1 and 2 of the storage's sequence.
    expect(await stub.record([view(a, '198.51.100.1')])).toEqual([1]);
    await runDurableObjectAlarm(stub);
    expect(await stub.record([view(a, '198.51.100.2'), view(b, '198.51.100.2')])).toEqual([1, 1]);
    await runDurableObjectAlarm(stub);
    expect(await storedTotals(site.id, a)).toEqual({ views: 2, shares: 0 });

    // The storage is lost (say, deleted while the server was stopped): the
    // shard starts again on empty storage, numbering its batches from 1.
    let restarted: CounterShard | undefined;
    await runInDurableObject(stub, async (_, state) => {
      await state.storage.deleteAll();
      restarted = new CounterShard(state, env);
    });
    const shard = restarted!;
    const inShard = <T>(use: () => Promise<T>) => runInDurableObject(stub, use);

    // Its dedup keys went with it: a visitor of before counts again, once.
    expect(await inShard(() => shard.record([view(a, '198.51.100.1'), view(a, '198.51.100.1')]))).toEqual([1, 0]);
    await inShard(() => shard.alarm());
    expect(await inShard(() => shard.record([view(a, '198.51.100.3'), view(b, '198.51.100.3')]))).toEqual([1, 1]);
    await inShard(() => shard.alarm());

    expect(await storedTotals(site.id, a)).toEqual({ views: 4, shares: 0 });
    expect(await storedTotals(site.id, b)).toEqual({ views: 2, shares: 0 });
    expect(await rowCount(stub, OUTBOX_ROWS)).toBe(0);
    expect(await rowCount(stub, PENDING_ROWS)).toBe(0);
    await runInDurableObject(stub, (_, state) => state.storage.deleteAlarm());
  });
});
