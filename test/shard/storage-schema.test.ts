import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { CounterShard } from '../../src/shard/counter-shard';
import { readSealedTo } from '../../src/shard/shard-state';
import { applyStorageSchema, STORAGE_SCHEMA_STEPS } from '../../src/shard/storage-schema';
import { BROWSER_UA, storedTotals } from '../support/helpers';
import { beacon, createShardSite, isolatedShard, shardEvent } from './shard-support';

const SHARD_TABLES = [
  'salts',
  'seen_even',
  'seen_odd',
  'pending',
  'outbox',
  'state',
  'outbox_refusals',
  'ip_visitors',
  'pending_ledger',
  'outbox_ledger',
  'held',
  'journal_batches',
];
const LATEST = STORAGE_SCHEMA_STEPS.length;

const stepsRun = (sql: SqlStorage) =>
  sql
    .exec<{ step: number }>('SELECT step FROM schema_steps ORDER BY step')
    .toArray()
    .map((r) => r.step);

const tableNames = (sql: SqlStorage) =>
  sql
    .exec<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .toArray()
    .map((r) => r.name);

describe('STORAGE_SCHEMA_STEPS', () => {
  it('should number its steps 1, 2, 3, \u2026 in order', () => {
    expect(STORAGE_SCHEMA_STEPS.map((s) => s.step)).toEqual(Array.from({ length: LATEST }, (_, i) => i + 1));
  });
});

describe('applyStorageSchema', () => {
  it('should bring a new shard\u2019s storage to the latest step, each step recorded once', async () => {
    const steps = await runInDurableObject(isolatedShard(), (_, state) => ({
      run: stepsRun(state.storage.sql),
      tables: tableNames(state.storage.sql),
    }));
    expect(steps.run).toEqual(STORAGE_SCHEMA_STEPS.map((s) => s.step));
    expect(steps.tables).toEqual([...SHARD_TABLES, 'schema_steps'].sort());
  });

  it('should upgrade storage made before steps were recorded, keeping its rows and its flush identity', async () => {
    const site = await createShardSite();
    const shard = isolatedShard();
    const url = `https://${site.host}/a`;
    const salt = 'ab'.repeat(32);

    const upgrade = await runInDurableObject(shard, (_, state) => {
      const sql = state.storage.sql;
      // Storage as the shard left it before the schema had steps: the first
      // step's tables with their rows (a batch left in the outbox), no record.
      for (const table of [...SHARD_TABLES, 'schema_steps']) sql.exec(`DROP TABLE ${table}`);
      sql.exec(STORAGE_SCHEMA_STEPS[0]!.sql);
      sql.exec('INSERT INTO salts VALUES (?, ?)', Math.floor(Date.now() / 86_400_000), salt);
      sql.exec("INSERT INTO state VALUES ('next_seq', 8)");
      sql.exec('INSERT INTO pending VALUES (?, ?, ?, ?, 2)', site.id, url, Math.floor(Date.now() / 3_600_000), '');
      sql.exec('INSERT INTO pending_meta VALUES (?, ?, ?, NULL, NULL, NULL, ?)', site.id, url, 'Title', 1);
      sql.exec('INSERT INTO outbox VALUES (7, ?, ?, ?, ?, 3)', site.id, `${url}b`, 1, 'x');
      sql.exec('INSERT INTO outbox_meta VALUES (7, ?, ?, ?, NULL, NULL, NULL, ?)', site.id, `${url}b`, 'B', 1);
      new CounterShard(state, env);
      return {
        run: stepsRun(sql),
        tables: tableNames(sql),
        state: sql.exec('SELECT key, value FROM state ORDER BY key').toArray(),
        pending: sql.exec('SELECT site_created_at, n FROM pending').toArray(),
        outbox: sql.exec('SELECT seq, site_created_at, network, n FROM outbox').toArray(),
      };
    });
    expect(upgrade.run).toEqual(STORAGE_SCHEMA_STEPS.map((s) => s.step));
    expect(upgrade.tables).toEqual([...SHARD_TABLES, 'schema_steps'].sort());
    // Epoch 0, that of the rows its earlier batches left in flush_log.
    expect(upgrade.state).toEqual([
      { key: 'epoch', value: 0 },
      { key: 'next_seq', value: 8 },
    ]);
    // Rows from before belong to whichever site has their id.
    expect(upgrade.pending).toEqual([{ site_created_at: '', n: 2 }]);
    expect(upgrade.outbox).toEqual([{ seq: 7, site_created_at: '', network: 'x', n: 3 }]);

    // The upgraded shard goes on deduping and flushing what it held.
    expect(await shard.record([beacon([shardEvent(site, url)], { userAgent: BROWSER_UA })])).toEqual([1]);
    await runDurableObjectAlarm(shard);
    expect(await storedTotals(site.id, url)).toEqual({ views: 3, shares: 0 });
    expect(await storedTotals(site.id, `${url}b`)).toEqual({ views: 0, shares: 3 });
  });

  it('should move dedup rows to the table of their day\u2019s parity, cap keys kept', async () => {
    // Storage that stores nothing of its own (a relay's), brought to step 8 by hand.
    const moved = await runInDurableObject(env.RELAYS.getByName(`schema-${crypto.randomUUID()}`), (_, state) => {
      const sql = state.storage.sql;
      applyStorageSchema(state.storage, STORAGE_SCHEMA_STEPS.slice(0, 8));
      sql.exec("INSERT INTO seen VALUES (20000, 'a', 'cap-a'), (20001, 'b', NULL), (20001, 'c', 'cap-c')");
      applyStorageSchema(state.storage);
      const rows = (table: string) => sql.exec(`SELECT day, key, cap FROM ${table} ORDER BY key`).toArray();
      return { even: rows('seen_even'), odd: rows('seen_odd'), tables: tableNames(sql) };
    });
    expect(moved.even).toEqual([{ day: 20000, key: 'a', cap: 'cap-a' }]);
    expect(moved.odd).toEqual([
      { day: 20001, key: 'b', cap: null },
      { day: 20001, key: 'c', cap: 'cap-c' },
    ]);
    expect(moved.tables).not.toContain('seen');
  });

  it('should move the journal\u2019s sealed position into the batch numbers\u2019 row', async () => {
    const moved = await runInDurableObject(env.RELAYS.getByName(`schema-${crypto.randomUUID()}`), (_, state) => {
      const sql = state.storage.sql;
      applyStorageSchema(state.storage, STORAGE_SCHEMA_STEPS.slice(0, 11));
      sql.exec("INSERT INTO state (key, value) VALUES ('next_seq', 9), ('journal_sealed_to', 5)");
      applyStorageSchema(state.storage);
      return {
        sealedTo: readSealedTo(sql),
        state: sql.exec("SELECT key, value, pos FROM state WHERE key <> 'epoch' ORDER BY key").toArray(),
      };
    });
    expect(moved).toEqual({ sealedTo: 5, state: [{ key: 'next_seq', value: 9, pos: 5 }] });
  });

  it('should give new storage a random epoch of its own', async () => {
    const epochs = await Promise.all(
      [isolatedShard(), isolatedShard()].map((shard) =>
        runInDurableObject(
          shard,
          (_, state) =>
            state.storage.sql.exec<{ value: number }>("SELECT value FROM state WHERE key = 'epoch'").one().value,
        ),
      ),
    );
    expect(epochs[0]).not.toBe(0);
    expect(epochs[1]).not.toBe(epochs[0]);
    expect(epochs.every((epoch) => Number.isSafeInteger(epoch))).toBe(true);
  });

  it('should run a new step once, however often the shard starts', async () => {
    const steps = [
      ...STORAGE_SCHEMA_STEPS,
      { step: LATEST + 1, sql: 'CREATE TABLE probe (x INTEGER); INSERT INTO probe (x) VALUES (1)' },
    ];
    const result = await runInDurableObject(isolatedShard(), (_, state) => {
      const versions = [applyStorageSchema(state.storage, steps), applyStorageSchema(state.storage, steps)];
      return {
        versions,
        probes: state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM probe').one().n,
        run: stepsRun(state.storage.sql),
      };
    });
    expect(result).toEqual({ versions: [LATEST + 1, LATEST + 1], probes: 1, run: steps.map((s) => s.step) });
  });

  it('should leave no trace of a step that fails halfway, to run it again next start', async () => {
    const broken = {
      step: LATEST + 1,
      sql: 'CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table (x) VALUES (1)',
    };
    const result = await runInDurableObject(isolatedShard(), (_, state) => {
      let error: unknown;
      try {
        applyStorageSchema(state.storage, [...STORAGE_SCHEMA_STEPS, broken]);
      } catch (err) {
        error = err;
      }
      return { error: String(error), tables: tableNames(state.storage.sql), run: stepsRun(state.storage.sql) };
    });
    expect(result.error).toContain('no such table: no_such_table');
    expect(result.tables).not.toContain('half_done');
    expect(result.run).toEqual(STORAGE_SCHEMA_STEPS.map((s) => s.step));
  });
});
