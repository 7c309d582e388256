import { describe, expect, it } from 'vitest';
import { popularQuery, toPopularRequest } from '../../src/http/popular-query';
import { normaliseUrl } from '../../src/ingest/normalise-url';

describe('popularQuery', () => {
  it('should default to window=24h, by=views, limit=10, no section, nothing excluded', () => {
    expect(popularQuery.parse({})).toEqual({ window: '24h', by: 'views', limit: 10, exclude: [] });
  });

  it('should take every window, every by and limits from 1 to 50', () => {
    for (const window of ['1h', '24h', '7d', '30d', 'all']) expect(popularQuery.parse({ window }).window).toBe(window);
    for (const by of ['views', 'shares', 'score', 'trending']) expect(popularQuery.parse({ by }).by).toBe(by);
    expect(popularQuery.parse({ limit: '1' }).limit).toBe(1);
    expect(popularQuery.parse({ limit: '50' }).limit).toBe(50);
  });

  it('should take one exclude as a list of one, and several as they come', () => {
    expect(popularQuery.parse({ exclude: 'https://n.example/a' }).exclude).toEqual(['https://n.example/a']);
    expect(popularQuery.parse({ exclude: ['https://n.example/a', 'https://n.example/b'] }).exclude).toHaveLength(2);
  });

  it.each([
    ['an unknown window', { window: '2h' }],
    ['an unknown by', { by: 'likes' }],
    ['a limit of 0', { limit: '0' }],
    ['a limit over 50', { limit: '51' }],
    ['a fractional limit', { limit: '2.5' }],
    ['a limit that is not a number', { limit: 'ten' }],
    ['an empty limit', { limit: '' }],
    ['an empty section', { section: '' }],
    ['a section over 64 characters', { section: 'x'.repeat(65) }],
    ['an empty exclude', { exclude: '' }],
    ['more than 50 excludes', { exclude: Array.from({ length: 51 }, (_, i) => `https://n.example/${i}`) }],
    ['a window given twice', { window: ['1h', '24h'] }],
  ])('should refuse %s', (_, query) => {
    expect(popularQuery.safeParse(query).success).toBe(false);
  });
});

describe('toPopularRequest', () => {
  it('should normalise excluded URLs, drop repeats and sort them', () => {
    const query = popularQuery.parse({
      exclude: ['HTTP://N.example/b?utm_source=x', 'https://n.example/a#top', 'https://n.example/b'],
      section: ' City ',
    });
    expect(toPopularRequest(query, (url) => normaliseUrl(url)!)).toEqual({
      window: '24h',
      by: 'views',
      limit: 10,
      section: 'City',
      exclude: ['https://n.example/a', 'https://n.example/b'],
    });
  });
});
