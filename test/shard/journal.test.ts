import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ARTICLES_PER_BATCH, type CountRow, type Increment } from '../../src/shard/batch';
import { CounterShard } from '../../src/shard/counter-shard';
import { DedupState, seenTable } from '../../src/shard/dedup';
import { Journal, partsOf } from '../../src/shard/journal';
import { moveJournalOut } from '../../src/shard/outbox';
import { bucketOf, DAY_MS, dayOf } from '../../src/time';
import { storedTotals } from '../support/helpers';
import {
  beacon,
  captureShardErrors,
  OUTBOX_ROWS,
  PENDING_ROWS,
  rowCount,
  SEEN_ROWS,
  shardEvent,
  siteWithShard,
  withD1Broken,
} from './shard-support';

const DAY = 20_000;
const s = { site: 's', siteCreatedAt: '2026-11-20T10:00:00.000Z' };
const increment = (url: string, network = ''): Increment => ({ ...s, url, bucket: DAY * 24, network });

/** Runs `use` on the storage of a fresh shard whose own instance never touches it. */
const withStorage = <T>(use: (sql: SqlStorage) => T) =>
  runInDurableObject(env.SHARDS.getByName(`test-${crypto.randomUUID()}`), (_, state) => use(state.storage.sql));

/** Counts `inc` as a shard does: its dedup row holds it at the journal's next position. */
const count = (dedup: DedupState, journal: Journal, key: string, inc: Increment) =>
  dedup.markCounted(DAY, key, `cap-${key}`, { increment: inc, pos: journal.add(inc) });

const sorted = (rows: CountRow[]) =>
  [...rows].sort((a, b) => a.url.localeCompare(b.url) || a.network.localeCompare(b.network));

describe('partsOf', () => {
  it('should cut rows into parts of whole articles, the same parts in whatever order the rows come', () => {
    const rows = ['c', 'a', 'b', 'a', 'd'].map((url, i) => ({ ...increment(url, i === 3 ? 'x' : ''), n: 1 }));
    const parts = partsOf(rows, 2);
    expect(parts.map((part) => part.map((r) => `${r.url}${r.network}`))).toEqual([
      ['a', 'ax', 'b'],
      ['c', 'd'],
    ]);
    expect(partsOf([...rows].reverse(), 2)).toEqual(parts);
    expect(partsOf([], 2)).toEqual([]);
  });
});

describe('Journal', () => {
  it('should sum counted events in memory and read the same sums again from their dedup rows after a restart', async () => {
    const { open, rows } = await withStorage((sql) => {
      const dedup = new DedupState(sql);
      const journal = new Journal(sql, ARTICLES_PER_BATCH);
      count(dedup, journal, 'k1', increment('a'));
      count(dedup, journal, 'k2', increment('a'));
      count(dedup, journal, 'k3', increment('b', 'x'));
      return {
        // A new instance over the same storage, as after the object restarted.
        open: sorted(new Journal(sql, ARTICLES_PER_BATCH).takeOpen()),
        rows: sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${SEEN_ROWS}`).one().n,
      };
    });
    expect(open).toEqual([
      { ...increment('a'), n: 2 },
      { ...increment('b', 'x'), n: 1 },
    ]);
    // Three events, three rows: the dedup rows alone hold the increments.
    expect(rows).toBe(3);
  });

  it('should seal its open sums as parts, read a part again by its range and size after a restart, and forget it', async () => {
    const result = await withStorage((sql) => {
      const dedup = new DedupState(sql);
      const journal = new Journal(sql, 2);
      for (const [i, url] of ['a', 'b', 'c', 'a'].entries()) count(dedup, journal, `k${i}`, increment(url));
      const seqs = journal.seal();
      const sealed = seqs.map((seq) => journal.rowsOf(seq));
      // Counted after the seal: open, in no part.
      count(dedup, journal, 'k9', increment('d'));
      // Restarted by a deploy that cuts parts otherwise: a part sealed before is read as it was sealed.
      const restarted = new Journal(sql, 3);
      const reread = seqs.map((seq) => restarted.rowsOf(seq));
      const open = restarted.hasOpen();
      restarted.forgetPart(seqs[0]!);
      return { seqs, sealed, reread, open, left: restarted.sealedSeqs(), forgotten: restarted.rowsOf(seqs[0]!) };
    });
    expect(result.seqs).toEqual([1, 2]);
    expect(result.sealed).toEqual([
      [
        { ...increment('a'), n: 2 },
        { ...increment('b'), n: 1 },
      ],
      [{ ...increment('c'), n: 1 }],
    ]);
    expect(result.reread).toEqual(result.sealed);
    expect(result.open).toBe(true);
    expect(result.left).toEqual([2]);
    expect(result.forgotten).toEqual([]);
  });

  it('should read its sums again after forget, as after a transaction that counted rolled back', async () => {
    const open = await withStorage((sql) => {
      const dedup = new DedupState(sql);
      const journal = new Journal(sql, ARTICLES_PER_BATCH);
      count(dedup, journal, 'k1', increment('a'));
      // Added in memory, its dedup row never stored.
      journal.add(increment('b'));
      journal.forget();
      return journal.takeOpen();
    });
    expect(open).toEqual([{ ...increment('a'), n: 1 }]);
  });
});

describe('moveJournalOut', () => {
  it('should move sealed parts into the outbox under their numbers, and open sums into the pending rows', async () => {
    const moved = await runInDurableObject(env.SHARDS.getByName(`test-${crypto.randomUUID()}`), (_, state) => {
      const sql = state.storage.sql;
      const dedup = new DedupState(sql);
      const journal = new Journal(sql, ARTICLES_PER_BATCH);
      count(dedup, journal, 'k1', increment('a'));
      journal.seal();
      count(dedup, journal, 'k2', increment('b'));
      moveJournalOut(state.storage, journal);
      const restarted = new Journal(sql, ARTICLES_PER_BATCH);
      return {
        outbox: sql.exec('SELECT seq, url, n FROM outbox').toArray(),
        pending: sql.exec('SELECT url, n FROM pending').toArray(),
        journal: { sealed: restarted.sealedSeqs(), open: restarted.hasOpen() },
      };
    });
    expect(moved).toEqual({
      outbox: [{ seq: 1, url: 'a', n: 1 }],
      pending: [{ url: 'b', n: 1 }],
      journal: { sealed: [], open: false },
    });
  });
});

describe('a shard\u2019s journal', () => {
  it('should send more articles than one D1 batch takes in parts, each once, also when the shard restarts between tries', async () => {
    const { site, id, host, shard } = await siteWithShard();
    const articles = ARTICLES_PER_BATCH + 30;
    const urls = Array.from({ length: articles }, (_, i) => `https://${host}/story-${i}`);
    const failures = captureShardErrors();
    await shard.record([beacon(urls.map((url) => shardEvent(site, url)))]);
    await withD1Broken('article_hours', () => runDurableObjectAlarm(shard));
    expect(failures()).toHaveLength(1);
    // Both parts sealed, no pending row: what a restarted instance reads again from the dedup rows.
    expect(await rowCount(shard, PENDING_ROWS)).toBe(0);
    await runInDurableObject(shard, async (_, state) => {
      await new CounterShard(state, env).alarm();
    });
    for (const url of [urls[0]!, urls[ARTICLES_PER_BATCH]!, urls.at(-1)!]) {
      expect(await storedTotals(id, url)).toEqual({ views: 1, shares: 0 });
    }
    const { results } = await env.DB.prepare('SELECT sum(views) AS views FROM articles WHERE site_id = ?')
      .bind(id)
      .all<{ views: number }>();
    expect(results).toEqual([{ views: articles }]);
    expect(await rowCount(shard, OUTBOX_ROWS)).toBe(0);
  });

  it('should move what D1 does not have yet out of the dedup rows of a day before they are dropped', async () => {
    const { site, id, host, shard } = await siteWithShard();
    const url = `https://${host}/old-story`;
    const old = dayOf(Date.now()) - 2;
    const failures = captureShardErrors();
    await runInDurableObject(shard, async (_, state) => {
      // A view counted two days ago whose flushes have failed since: its increment is only in its dedup row.
      const inc: Increment = {
        site: id,
        siteCreatedAt: site.createdAt,
        url,
        bucket: bucketOf(old * DAY_MS),
        network: '',
      };
      const journal = new Journal(state.storage.sql, ARTICLES_PER_BATCH);
      new DedupState(state.storage.sql).markCounted(old, 'k', 'cap', { increment: inc, pos: journal.add(inc) });
      await withD1Broken('article_hours', () => new CounterShard(state, env).alarm());
    });
    expect(failures()).toHaveLength(1);
    // The day's table is gone; the batch the failed flush sealed is kept in the outbox's own rows.
    expect(await rowCount(shard, seenTable(old))).toBe(0);
    expect(await rowCount(shard, 'journal_batches')).toBe(0);
    expect(await rowCount(shard, 'outbox')).toBe(1);
    await runInDurableObject(shard, (_, state) => new CounterShard(state, env).alarm());
    expect(await storedTotals(id, url)).toEqual({ views: 1, shares: 0 });
  });
});
