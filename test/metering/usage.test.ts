import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { deleteCached, readCachedJson, writeCachedJson } from '../../src/cache/kv';
import { runBatch } from '../../src/db/query';
import {
  isolateUsage,
  MAX_STATEMENTS,
  OTHER_STATEMENTS,
  StatementTally,
  StorageTally,
  statementLabel,
} from '../../src/metering/usage';

describe('StatementTally', () => {
  it('should sum rows per statement and in all, most rows written first', () => {
    const tally = new StatementTally();
    tally.add('SELECT 1', 3, 0);
    tally.add('INSERT INTO t VALUES (?)', 0, 2);
    tally.add('SELECT 1', 4, 0);
    expect(tally.take()).toEqual({
      runs: 3,
      rowsRead: 7,
      rowsWritten: 2,
      byStatement: [
        { statement: 'INSERT INTO t VALUES (?)', runs: 1, rowsRead: 0, rowsWritten: 2 },
        { statement: 'SELECT 1', runs: 2, rowsRead: 7, rowsWritten: 0 },
      ],
    });
  });

  it('should start again after a take', () => {
    const tally = new StatementTally();
    tally.add('SELECT 1', 1, 1);
    tally.take();
    expect(tally.take()).toEqual({ runs: 0, rowsRead: 0, rowsWritten: 0, byStatement: [] });
  });

  it('should sum the chunks of one multi-row upsert under one name, whatever their rows', () => {
    const tally = new StatementTally();
    tally.add('INSERT INTO t (a, b)\n  SELECT * FROM (VALUES (?, ?), (?, ?), (?, ?)) AS v', 0, 3);
    tally.add('INSERT INTO t (a, b) SELECT * FROM (VALUES (?, ?)) AS v', 0, 1);
    tally.add('INSERT INTO t (a, b) SELECT * FROM (VALUES (?, ?), (?, ?)) AS v', 0, 2);
    expect(tally.take().byStatement).toEqual([
      { statement: 'INSERT INTO t (a, b) SELECT * FROM (VALUES (?, ?), …) AS v', runs: 3, rowsRead: 0, rowsWritten: 6 },
    ]);
  });

  it('should keep at most MAX_STATEMENTS statements apart, summing the rest', () => {
    const tally = new StatementTally();
    for (let i = 0; i < MAX_STATEMENTS + 5; i++) tally.add(`SELECT ${i}`, 1, 0);
    tally.add('SELECT 0', 1, 0);
    const usage = tally.take();
    expect(usage.byStatement).toHaveLength(MAX_STATEMENTS + 1);
    expect(usage.byStatement.find((s) => s.statement === OTHER_STATEMENTS)).toMatchObject({ runs: 5, rowsRead: 5 });
    expect(usage.byStatement.find((s) => s.statement === 'SELECT 0')).toMatchObject({ runs: 2 });
    expect(usage.rowsRead).toBe(MAX_STATEMENTS + 6);
  });
});

describe('statementLabel', () => {
  it('should collapse whitespace, and the tuples of a (VALUES …) list of parameters only', () => {
    expect(statementLabel('  SELECT a\n   FROM t WHERE b IN (?, ?)  ')).toBe('SELECT a FROM t WHERE b IN (?, ?)');
    expect(statementLabel('INSERT INTO t VALUES (?, ?), (?, ?)')).toBe('INSERT INTO t VALUES (?, ?), (?, ?)');
    expect(statementLabel('SELECT * FROM (VALUES (?, 1), (?, 1)) AS v')).toBe(
      'SELECT * FROM (VALUES (?, 1), (?, 1)) AS v',
    );
    expect(statementLabel('SELECT * FROM (VALUES (?), (?), (?)) AS v')).toBe('SELECT * FROM (VALUES (?), …) AS v');
  });
});

describe('StorageTally', () => {
  it('should answer the alarms set with the rows, and start again', () => {
    const tally = new StorageTally();
    tally.alarmsSet += 2;
    tally.add('DELETE FROM t', 1, 1);
    expect(tally.take()).toMatchObject({ alarmsSet: 2, rowsWritten: 1 });
    expect(tally.take()).toMatchObject({ alarmsSet: 0, rowsWritten: 0 });
  });
});

describe('isolateUsage', () => {
  beforeEach(() => {
    isolateUsage.take();
  });

  it('should count each KV call', async () => {
    await writeCachedJson(env.CACHE, 'metering:a', { a: 1 }, 60);
    await readCachedJson(env.CACHE, 'metering:a');
    await readCachedJson(env.CACHE, 'metering:missing');
    await deleteCached(env.CACHE, 'metering:a');
    expect(isolateUsage.take().kv).toEqual({ reads: 2, writes: 1, deletes: 1 });
    expect(isolateUsage.take().kv).toEqual({ reads: 0, writes: 0, deletes: 0 });
  });

  it('should add the rows each statement of a D1 batch says it read and wrote', async () => {
    const insert = 'INSERT INTO flush_log (shard, epoch, seq, flushed_at) VALUES (?, 1, ?, 0), (?, 1, ?, 0)';
    const select = 'SELECT seq FROM flush_log WHERE shard = ?';
    const shard = `metering-${crypto.randomUUID()}`;
    const [inserted, selected] = await runBatch(env.DB, [
      { sql: insert, params: [shard, 1, shard, 2] },
      { sql: select, params: [shard] },
    ]);
    expect(inserted!.meta.rows_written).toBeGreaterThanOrEqual(2);
    expect(selected!.meta.rows_read).toBeGreaterThanOrEqual(2);

    const { d1 } = isolateUsage.take();
    expect(d1.byStatement).toEqual([
      {
        statement: statementLabel(insert),
        runs: 1,
        rowsRead: inserted!.meta.rows_read,
        rowsWritten: inserted!.meta.rows_written,
      },
      { statement: select, runs: 1, rowsRead: selected!.meta.rows_read, rowsWritten: selected!.meta.rows_written },
    ]);
  });
});
