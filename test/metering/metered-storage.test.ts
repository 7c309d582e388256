import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { registryOf } from '../../src/articles/registry-client';
import { MeteredSql } from '../../src/metering/metered-storage';
import { StorageTally, type UsageReport } from '../../src/metering/usage';
import { beacon, createShardSite, isolatedShard, shardEvent } from '../shard/shard-support';

const written = (usage: { byStatement: { statement: string; rowsWritten: number }[] }, prefix: string) =>
  usage.byStatement.filter((s) => s.statement.startsWith(prefix)).reduce((sum, s) => sum + s.rowsWritten, 0);

describe('MeteredSql', () => {
  it("should add each statement's rows as its cursor counts them, once the task that ran it is done", async () => {
    await runInDurableObject(isolatedShard(), async (_, state) => {
      const tally = new StorageTally();
      const sql = new MeteredSql(state.storage.sql, tally);
      sql.exec('CREATE TABLE metered (a INTEGER PRIMARY KEY, b TEXT)');
      const insert = sql.exec('INSERT INTO metered (a, b) VALUES (?, ?), (?, ?)', 1, 'x', 2, 'y');
      const select = sql.exec('SELECT * FROM metered');
      expect(select.toArray()).toHaveLength(2);
      await Promise.resolve();

      const usage = tally.take();
      const insertUsage = usage.byStatement.find((s) => s.statement.startsWith('INSERT'));
      const selectUsage = usage.byStatement.find((s) => s.statement.startsWith('SELECT'));
      expect(insert.rowsWritten).toBeGreaterThanOrEqual(2);
      expect(insertUsage).toEqual(expect.objectContaining({ runs: 1, rowsWritten: insert.rowsWritten }));
      expect(select.rowsRead).toBeGreaterThanOrEqual(2);
      expect(selectUsage).toEqual(expect.objectContaining({ runs: 1, rowsRead: select.rowsRead, rowsWritten: 0 }));
      expect(usage.runs).toBe(3);
    });
  });
});

describe('usage() of the Durable Objects', () => {
  it("should answer the shard's and its registry's storage rows, alarms and D1 rows, then start again", async () => {
    const site = await createShardSite();
    const shard = isolatedShard();
    await shard.usage();

    const url = `https://${site.host}/metered`;
    expect(await shard.record([beacon([shardEvent(site, url, { title: 'A title' })])])).toEqual([1]);
    const recorded: UsageReport = await shard.usage();
    // The dedup key with its increment (src/shard/journal.ts): one row of the shard's own statements, no pending row.
    expect(written(recorded.shardStorage, 'INSERT INTO seen_')).toBe(1);
    expect(written(recorded.shardStorage, 'INSERT INTO pending ')).toBe(0);
    expect(recorded.shardStorage.alarmsSet).toBe(1);
    // The URL's first sight: the registry takes it as an article, with its metadata mirrored to D1.
    expect(written(recorded.registryStorage, 'INSERT INTO articles')).toBeGreaterThanOrEqual(1);
    expect(recorded.d1.rowsWritten).toBeGreaterThan(0);

    expect(await runDurableObjectAlarm(shard)).toBe(true);
    const flushed = await shard.usage();
    // The flush's statements run on the storage the outbox is handed, metered as well.
    expect(written(flushed.shardStorage, 'INSERT INTO journal_batches ')).toBe(1);
    expect(written(flushed.d1, 'INSERT INTO flush_log')).toBeGreaterThanOrEqual(1);
    expect(flushed.shardStorage.alarmsSet).toBe(1);

    const registry = await registryOf(env, site.id, site.createdAt).usage();
    expect(registry).toEqual({
      shardStorage: { runs: 0, rowsRead: 0, rowsWritten: 0, byStatement: [], alarmsSet: 0 },
      registryStorage: { runs: 0, rowsRead: 0, rowsWritten: 0, byStatement: [], alarmsSet: 0 },
      d1: { runs: 0, rowsRead: 0, rowsWritten: 0, byStatement: [] },
      kv: { reads: 0, writes: 0, deletes: 0 },
    });
  });
});
