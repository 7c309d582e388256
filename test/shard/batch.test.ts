import { describe, expect, it } from 'vitest';
import { toFlushBatch } from '../../src/shard/batch';

const meta = { title: null, image: null, section: null, published: null };

describe('toFlushBatch', () => {
  it('should fold views and shares into totals, hours and networks', () => {
    const batch = toFlushBatch(
      [
        { site: 's', url: 'u', bucket: 10, network: '', n: 3 },
        { site: 's', url: 'u', bucket: 11, network: '', n: 2 },
        { site: 's', url: 'u', bucket: 11, network: 'x', n: 4 },
        { site: 's', url: 'u', bucket: 10, network: 'facebook', n: 1 },
        { site: 's', url: 'v', bucket: 11, network: 'x', n: 5 },
      ],
      [],
    );
    expect(batch.articles).toEqual([
      { site: 's', url: 'u', ...meta, views: 5, shares: 5, firstBucket: 10 },
      { site: 's', url: 'v', ...meta, views: 0, shares: 5, firstBucket: 11 },
    ]);
    expect(batch.hours).toEqual([
      { site: 's', url: 'u', bucket: 10, views: 3, shares: 1 },
      { site: 's', url: 'u', bucket: 11, views: 2, shares: 4 },
      { site: 's', url: 'v', bucket: 11, views: 0, shares: 5 },
    ]);
    expect(batch.networks).toEqual([
      { site: 's', url: 'u', network: 'x', shares: 4 },
      { site: 's', url: 'u', network: 'facebook', shares: 1 },
      { site: 's', url: 'v', network: 'x', shares: 5 },
    ]);
    expect(batch.siteHours).toEqual([
      { site: 's', bucket: 10, views: 3, shares: 1 },
      { site: 's', bucket: 11, views: 2, shares: 9 },
    ]);
    expect(batch.siteNetworkHours).toEqual([
      { site: 's', bucket: 11, network: 'x', shares: 9 },
      { site: 's', bucket: 10, network: 'facebook', shares: 1 },
    ]);
  });

  it('should carry metadata, also for an article with nothing counted', () => {
    const batch = toFlushBatch(
      [{ site: 's', url: 'u', bucket: 10, network: '', n: 1 }],
      [
        { site: 's', url: 'u', title: 'T', image: null, section: 'City', published: null, bucket: 10 },
        {
          site: 's',
          url: 'w',
          title: 'W',
          image: 'https://n.example/w.jpg',
          section: null,
          published: null,
          bucket: 12,
        },
      ],
    );
    expect(batch.articles).toEqual([
      { site: 's', url: 'u', ...meta, title: 'T', section: 'City', views: 1, shares: 0, firstBucket: 10 },
      {
        site: 's',
        url: 'w',
        ...meta,
        title: 'W',
        image: 'https://n.example/w.jpg',
        views: 0,
        shares: 0,
        firstBucket: 12,
      },
    ]);
    expect(batch.hours).toHaveLength(1);
  });

  it('should keep sites apart', () => {
    const batch = toFlushBatch(
      [
        { site: 'a', url: 'u', bucket: 1, network: '', n: 1 },
        { site: 'b', url: 'u', bucket: 1, network: '', n: 1 },
      ],
      [],
    );
    expect(batch.articles.map((a) => a.site)).toEqual(['a', 'b']);
  });
});
