import { describe, expect, it } from 'vitest';
import { type Candidate, type RankOptions, rankArticles } from '../../src/ranking/rank';

const article = (url: string, counts: Partial<Candidate> = {}): Candidate => ({
  url: `https://n.example/${url}`,
  link: `https://n.example/${url}`,
  title: `Title ${url}`,
  image: null,
  section: null,
  published: null,
  views: 0,
  shares: 0,
  reads: 0,
  score: 0,
  trending: null,
  ...counts,
});

const options = (overrides: Partial<RankOptions> = {}): RankOptions => ({
  by: 'views',
  limit: 10,
  section: null,
  exclude: [],
  ...overrides,
});
const urls = (items: { url: string }[]) => items.map((item) => item.url.replace('https://n.example/', ''));

describe('rankArticles', () => {
  it('should order by the metric, highest first', () => {
    const candidates = [article('a', { views: 3 }), article('b', { views: 9 }), article('c', { views: 5 })];
    expect(urls(rankArticles(candidates, options()))).toEqual(['b', 'c', 'a']);
  });

  it('should break ties by the normalised URL, ascending', () => {
    const candidates = [
      article('c', { views: 4 }),
      article('a', { views: 4 }),
      article('b', { views: 7 }),
      article('B', { views: 4 }),
    ];
    // Code-unit order, as SQLite's BINARY collation: upper case before lower case.
    expect(urls(rankArticles(candidates, options()))).toEqual(['b', 'B', 'a', 'c']);
  });

  it('should rank by shares, by score or by trending when asked', () => {
    const candidates = [
      article('a', { views: 10, shares: 1, score: 15, trending: 2.5 }),
      article('b', { views: 2, shares: 3, score: 17, trending: 9.25 }),
      article('c', { views: 6, shares: 2, score: 16, trending: 0.125 }),
    ];
    expect(urls(rankArticles(candidates, options({ by: 'shares' })))).toEqual(['b', 'c', 'a']);
    expect(urls(rankArticles(candidates, options({ by: 'score' })))).toEqual(['b', 'c', 'a']);
    expect(urls(rankArticles(candidates, options({ by: 'trending' })))).toEqual(['b', 'a', 'c']);
  });

  it('should rank by reads in its own order, not by views', () => {
    // Clicked most is not read most: a (10 views, 2 reads), b (6 views, 5 reads), c (8 views, 5 reads), d (9 views, none).
    const candidates = [
      article('a', { views: 10, reads: 2 }),
      article('b', { views: 6, reads: 5 }),
      article('c', { views: 8, reads: 5 }),
      article('d', { views: 9, reads: 0 }),
    ];
    expect(urls(rankArticles(candidates, options({ by: 'views' })))).toEqual(['a', 'd', 'c', 'b']);
    // Reads descending, the tie of b and c by URL, d with no read left out.
    expect(urls(rankArticles(candidates, options({ by: 'reads' })))).toEqual(['b', 'c', 'a']);
  });

  it('should leave out articles whose metric is 0', () => {
    const candidates = [article('a', { views: 5, shares: 0 }), article('b', { views: 0, shares: 2 })];
    expect(urls(rankArticles(candidates, options({ by: 'views' })))).toEqual(['a']);
    expect(urls(rankArticles(candidates, options({ by: 'shares' })))).toEqual(['b']);
    expect(urls(rankArticles([article('a', { views: 5, trending: 0 })], options({ by: 'trending' })))).toEqual([]);
  });

  it('should keep only the section asked for', () => {
    const candidates = [
      article('a', { views: 3, section: 'City' }),
      article('b', { views: 5, section: 'Sport' }),
      article('c', { views: 4 }),
    ];
    expect(urls(rankArticles(candidates, options({ section: 'City' })))).toEqual(['a']);
    expect(urls(rankArticles(candidates, options({ section: 'city' })))).toEqual([]);
  });

  it('should leave out excluded URLs', () => {
    const candidates = [article('a', { views: 3 }), article('b', { views: 5 }), article('c', { views: 4 })];
    expect(
      urls(rankArticles(candidates, options({ exclude: ['https://n.example/b', 'https://n.example/zzz'] }))),
    ).toEqual(['c', 'a']);
  });

  it('should cut at the limit', () => {
    const candidates = ['a', 'b', 'c', 'd'].map((url, i) => article(url, { views: 10 - i }));
    expect(urls(rankArticles(candidates, options({ limit: 2 })))).toEqual(['a', 'b']);
    expect(urls(rankArticles(candidates, options({ limit: 50 })))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('should number ranks from 1 after section and exclude are applied', () => {
    const candidates = [
      article('a', { views: 9, section: 'City' }),
      article('b', { views: 8, section: 'Sport' }),
      article('c', { views: 7, section: 'City' }),
      article('d', { views: 6, section: 'City' }),
    ];
    const items = rankArticles(candidates, options({ section: 'City', exclude: ['https://n.example/a'], limit: 1 }));
    expect(items.map(({ rank, url }) => ({ rank, url }))).toEqual([{ rank: 1, url: 'https://n.example/c' }]);
  });

  it('should carry the link, views, shares, reads, score and metadata, and trending only for by=trending', () => {
    const carried = {
      // The page's own address: http and a port, where the key is https.
      link: 'http://n.example:8080/a',
      title: 'A',
      image: 'https://n.example/a.jpg',
      section: 'City',
      published: '2026-11-20T08:00:00.000Z',
      views: 10,
      shares: 2,
      reads: 4,
      score: 20,
    };
    const candidate = article('a', { ...carried, trending: 7.5 });
    expect(rankArticles([candidate], options({ by: 'score' }))).toEqual([
      { rank: 1, url: 'https://n.example/a', ...carried },
    ]);
    expect(rankArticles([candidate], options({ by: 'trending' }))[0]).toEqual(
      expect.objectContaining({ score: 20, trending: 7.5 }),
    );
  });

  it('should answer an empty list for no candidates', () => {
    expect(rankArticles([], options())).toEqual([]);
  });
});
