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
});
