import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { bufferIncrement, bufferMetadata, halves, hasOutbox, hasPending } from '../../src/shard/outbox';

const none = { title: null, image: null, section: null, published: null };
const s = { site: 's', siteCreatedAt: '2026-11-20T10:00:00.000Z' };

/** Runs `use` on a fresh shard's storage. */
const withStorage = <T>(use: (sql: SqlStorage) => T) =>
  runInDurableObject(env.SHARDS.getByName(`test-${crypto.randomUUID()}`), (_, state) => use(state.storage.sql));

describe('bufferIncrement', () => {
  it('should add up events per article, hour and network', async () => {
    const rows = await withStorage((sql) => {
      bufferIncrement(sql, s, 'u', 10, '');
      bufferIncrement(sql, s, 'u', 10, '');
      bufferIncrement(sql, s, 'u', 11, '');
      bufferIncrement(sql, s, 'u', 10, 'x');
      return sql.exec('SELECT site, url, bucket, network, n FROM pending ORDER BY bucket, network').toArray();
    });
    expect(rows).toEqual([
      { site: 's', url: 'u', bucket: 10, network: '', n: 2 },
      { site: 's', url: 'u', bucket: 10, network: 'x', n: 1 },
      { site: 's', url: 'u', bucket: 11, network: '', n: 1 },
    ]);
  });

  it('should keep the increments of a site and of an earlier site of its id apart', async () => {
    const rows = await withStorage((sql) => {
      bufferIncrement(sql, { site: 's', siteCreatedAt: '2026-11-19T08:00:00.000Z' }, 'u', 10, '');
      bufferIncrement(sql, s, 'u', 10, '');
      return sql.exec('SELECT site_created_at, n FROM pending ORDER BY site_created_at').toArray();
    });
    expect(rows).toEqual([
      { site_created_at: '2026-11-19T08:00:00.000Z', n: 1 },
      { site_created_at: s.siteCreatedAt, n: 1 },
    ]);
  });
});

describe('bufferMetadata', () => {
  it('should merge an article\u2019s metadata, keeping what a later event leaves out', async () => {
    const rows = await withStorage((sql) => {
      bufferMetadata(sql, s, 'u', { ...none, title: 'First', section: 'City' }, 10);
      bufferMetadata(sql, s, 'u', { ...none, title: 'Second', image: 'https://n.example/u.jpg' }, 11);
      return sql.exec('SELECT * FROM pending_meta').toArray();
    });
    expect(rows).toEqual([
      {
        site: 's',
        site_created_at: s.siteCreatedAt,
        url: 'u',
        title: 'Second',
        image: 'https://n.example/u.jpg',
        section: 'City',
        published: null,
        bucket: 10,
      },
    ]);
  });

  it('should store nothing for an event without metadata', async () => {
    const state = await withStorage((sql) => {
      bufferMetadata(sql, s, 'u', none, 10);
      return { pending: hasPending(sql), outbox: hasOutbox(sql) };
    });
    expect(state).toEqual({ pending: false, outbox: false });
  });
});

describe('hasPending and hasOutbox', () => {
  it('should see increments and metadata alike', async () => {
    const state = await withStorage((sql) => {
      const seen = [];
      bufferMetadata(sql, s, 'u', { ...none, title: 'T' }, 10);
      seen.push({ pending: hasPending(sql), outbox: hasOutbox(sql) });
      sql.exec('DELETE FROM pending_meta');
      bufferIncrement(sql, s, 'u', 10, '');
      seen.push({ pending: hasPending(sql), outbox: hasOutbox(sql) });
      sql.exec("INSERT INTO outbox_meta VALUES (1, 's', '', 'u', 'T', NULL, NULL, NULL, 10)");
      seen.push({ pending: hasPending(sql), outbox: hasOutbox(sql) });
      return seen;
    });
    expect(state).toEqual([
      { pending: true, outbox: false },
      { pending: true, outbox: false },
      { pending: true, outbox: true },
    ]);
  });
});

describe('halves', () => {
  const count = (url: string) => ({ ...s, url, bucket: 10, network: '', n: 1 });
  const meta = (url: string) => ({ ...s, url, ...none, title: url, bucket: 10 });

  it('should split a batch\u2019s rows in two in order, increments first, the first half the larger', () => {
    const batch = { counts: ['a', 'b', 'c'].map(count), metas: ['a', 'b'].map(meta) };
    expect(halves(batch)).toEqual([
      { counts: ['a', 'b', 'c'].map(count), metas: [] },
      { counts: [], metas: ['a', 'b'].map(meta) },
    ]);
    expect(halves({ counts: ['a', 'b'].map(count), metas: ['a', 'b', 'c'].map(meta) })).toEqual([
      { counts: ['a', 'b'].map(count), metas: ['a'].map(meta) },
      { counts: [], metas: ['b', 'c'].map(meta) },
    ]);
  });

  it('should leave one row in each half of a batch of two', () => {
    expect(halves({ counts: [count('a')], metas: [meta('a')] })).toEqual([
      { counts: [count('a')], metas: [] },
      { counts: [], metas: [meta('a')] },
    ]);
    expect(halves({ counts: [], metas: [meta('a'), meta('b')] })).toEqual([
      { counts: [], metas: [meta('a')] },
      { counts: [], metas: [meta('b')] },
    ]);
  });
});
