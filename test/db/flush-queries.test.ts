import { describe, expect, it } from 'vitest';
import { type FlushBatch, flushQueries } from '../../src/db/counts';
import { MAX_BOUND_PARAMETERS } from '../../src/db/query';

const bigBatch = (articles: number): FlushBatch => ({
  articles: Array.from({ length: articles }, (_, i) => ({
    site: 's',
    url: `https://n.example/${i}`,
    title: `T${i}`,
    image: null,
    section: null,
    published: null,
    views: 1,
    shares: 1,
    firstBucket: 5,
  })),
  hours: Array.from({ length: articles * 2 }, (_, i) => ({
    site: 's',
    url: `https://n.example/${i >> 1}`,
    bucket: 5 + (i & 1),
    views: 1,
    shares: 0,
  })),
  networks: Array.from({ length: articles }, (_, i) => ({
    site: 's',
    url: `https://n.example/${i}`,
    network: 'x',
    shares: 1,
  })),
  siteHours: [
    { site: 's', bucket: 5, views: articles, shares: 0 },
    { site: 's', bucket: 6, views: articles, shares: 0 },
  ],
  siteNetworkHours: [{ site: 's', bucket: 5, network: 'x', shares: articles }],
});

describe('flushQueries', () => {
  it('should keep every statement within D1\u2019s bound-parameter limit', () => {
    const queries = flushQueries('shard', 1, bigBatch(250), 0);
    for (const query of queries) {
      expect(query.params.length).toBeLessThanOrEqual(MAX_BOUND_PARAMETERS);
      // Numbered parameters (?1, ?2) may appear more than once; plain ones once each.
      const numbered = [...query.sql.matchAll(/\?(\d+)/g)].map((match) => Number(match[1]));
      expect(numbered.length > 0 ? Math.max(...numbered) : query.sql.split('?').length - 1).toBe(query.params.length);
    }
  });

  it('should carry every row exactly once', () => {
    const batch = bigBatch(250);
    const queries = flushQueries('shard', 1, batch, 0);
    const rowsOf = (table: string, columns: number) =>
      queries
        .filter((q) => q.sql.startsWith(`INSERT INTO ${table} `))
        .reduce((sum, q) => sum + q.params.length / columns, 0);
    expect(rowsOf('articles', 9)).toBe(250);
    expect(rowsOf('article_hours', 5)).toBe(500);
    expect(rowsOf('article_network_shares', 4)).toBe(250);
    expect(rowsOf('site_hours', 4)).toBe(2);
    expect(rowsOf('site_network_hours', 4)).toBe(1);
  });

  it('should open with the flush_log row and close by pruning older ones', () => {
    const queries = flushQueries('shard-x', 7, bigBatch(1), 123);
    expect(queries[0]).toEqual({
      sql: 'INSERT INTO flush_log (shard, seq, flushed_at) VALUES (?, ?, ?)',
      params: ['shard-x', 7, 123],
    });
    expect(queries.at(-1)).toEqual({
      sql: 'DELETE FROM flush_log WHERE shard = ? AND seq < ?',
      params: ['shard-x', 7],
    });
  });

  it('should write only the log rows for an empty batch', () => {
    expect(
      flushQueries('s', 1, { articles: [], hours: [], networks: [], siteHours: [], siteNetworkHours: [] }, 0),
    ).toHaveLength(2);
  });
});
