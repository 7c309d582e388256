import { describe, expect, it } from 'vitest';
import { cutList } from '../../src/popular/cut-list';
import type { PopularItem, PopularList } from '../../src/ranking/rank';

const item = (n: number): PopularItem => ({
  rank: n,
  url: `https://news.example/${n}`,
  link: `http://news.example/${n}`,
  title: `Story ${n}`,
  image: null,
  section: 'City',
  published: null,
  views: 100 - n,
  shares: 1,
  reads: 50 - n,
  score: 105 - n,
});

const LIST: PopularList = {
  site: 'news',
  window: '24h',
  by: 'views',
  generated_at: '2026-11-20T10:00:00.000Z',
  items: [1, 2, 3, 4, 5].map(item),
};

const urls = (list: PopularList) => list.items.map(({ rank, url }) => [rank, new URL(url).pathname]);

describe('cutList', () => {
  it('should cut at the limit and keep the rest of the list as it is', () => {
    const cut = cutList(LIST, { limit: 2, exclude: [] });
    expect(cut).toEqual({ ...LIST, items: [item(1), item(2)] });
  });

  it('should leave excluded URLs out and rank what remains from 1', () => {
    const cut = cutList(LIST, { limit: 3, exclude: ['https://news.example/1', 'https://news.example/3'] });
    expect(urls(cut)).toEqual([
      [1, '/2'],
      [2, '/4'],
      [3, '/5'],
    ]);
    expect(cut.items[0]).toEqual({ ...item(2), rank: 1 });
  });

  it('should ignore excluded URLs that are not in the list', () => {
    expect(cutList(LIST, { limit: 5, exclude: ['https://news.example/elsewhere'] })).toEqual(LIST);
  });

  it('should answer what there is when the limit asks for more', () => {
    expect(urls(cutList(LIST, { limit: 50, exclude: ['https://news.example/5'] }))).toHaveLength(4);
  });

  it('should leave the list it cuts unchanged', () => {
    const before = structuredClone(LIST);
    cutList(LIST, { limit: 1, exclude: ['https://news.example/1'] });
    expect(LIST).toEqual(before);
  });
});
