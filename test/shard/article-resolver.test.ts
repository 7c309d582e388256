import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import type { CounterShard } from '../../src/shard/counter-shard';
import { beacon, shardEvent, siteWithShard } from './shard-support';

describe('the shard asking registries about URLs', () => {
  it('should ask once about a URL whose first events arrive together, and not again once it knows', async () => {
    const { site, shard } = await siteWithShard();
    const url = `https://${site.host}/breaking`;
    const { asked, counted } = await runInDurableObject(shard, async (instance: CounterShard) => {
      const { ARTICLES } = (instance as unknown as { env: Env }).env;
      const getByName = vi.spyOn(ARTICLES, 'getByName');
      const first = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          instance.record([beacon([shardEvent(site, url)], { ip: `198.18.7.${i + 1}` })]),
        ),
      );
      const later = await instance.record([beacon([shardEvent(site, url)], { ip: '198.18.7.9' })]);
      return { asked: getByName.mock.calls.length, counted: [...first.flat(), ...later] };
    });
    expect(counted).toEqual([1, 1, 1, 1, 1, 1]);
    expect(asked).toBe(1);
  });

  it('should not take what the registry said of a read\u2019s URL it did not know for a view of it', async () => {
    const { site, shard } = await siteWithShard();
    const url = `https://${site.host}/not-yet-viewed`;
    const read = beacon([shardEvent(site, url, { type: 'read' })]);
    const { asked, counted } = await runInDurableObject(shard, async (instance: CounterShard) => {
      const getByName = vi.spyOn((instance as unknown as { env: Env }).env.ARTICLES, 'getByName');
      const counted = [
        ...(await instance.record([read])),
        // Unknown to the registry then: the view brings it, and the read that follows counts.
        ...(await instance.record([beacon([shardEvent(site, url)])])),
        ...(await instance.record([read])),
      ];
      return { asked: getByName.mock.calls.length, counted };
    });
    expect(counted).toEqual([0, 1, 1]);
    // The view's answer is remembered, for the second read.
    expect(asked).toBe(2);
  });
});
