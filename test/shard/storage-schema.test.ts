import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { CounterShard, type ShardEvent } from '../../src/shard/counter-shard';
import { applyStorageSchema, STORAGE_SCHEMA_STEPS } from '../../src/shard/storage-schema';
import { BROWSER_UA, createSite, storedTotals } from '../support/helpers';

const SHARD_TABLES = ['salts', 'seen', 'pending', 'pending_meta', 'outbox', 'outbox_meta', 'state'];
const LATEST = STORAGE_SCHEMA_STEPS.length;

const isolatedShard = () => env.SHARDS.getByName(`test-${crypto.randomUUID()}`);

const view = (site: string, url: string, title: string | null = null): ShardEvent => ({
  site,
  url,
  type: 'view',
  network: '',
  title,
  image: null,
  section: null,
  published: null,
  siteMaxPerSecond: 5000,
});

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

/** Every row of the shard's tables, in a stable order. */
const dump = (sql: SqlStorage) =>
  Object.fromEntries(SHARD_TABLES.map((table) => [table, sql.exec(`SELECT * FROM ${table} ORDER BY 1, 2`).toArray()]));

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

  it('should upgrade storage made before steps were recorded, keeping its rows', async () => {
    const { id, host } = await createSite();
    const shard = isolatedShard();
    const url = `https://${host}/a`;
    const beacon = (ip: string, events: ShardEvent[]) => ({
      receivedMs: Date.now(),
      ip,
      userAgent: BROWSER_UA,
      events,
    });
    await shard.record([beacon('198.51.100.1', [view(id, url, 'First')])]);
    await runDurableObjectAlarm(shard);
    await shard.record([
      beacon('198.51.100.2', [view(id, url, 'Second')]),
      beacon('198.51.100.3', [view(id, `${url}b`)]),
    ]);

    const upgrade = await runInDurableObject(shard, (_, state) => {
      const sql = state.storage.sql;
      // Storage as the shard left it before the schema had steps: today's tables and rows, no record.
      sql.exec('DROP TABLE schema_steps');
      const before = dump(sql);
      new CounterShard(state, env);
      return { before, after: dump(sql), run: stepsRun(sql), tables: tableNames(sql) };
    });
    expect(upgrade.before.pending).toHaveLength(2);
    expect(upgrade.before.salts).toHaveLength(1);
    expect(upgrade.before.state).toHaveLength(1);
    expect(upgrade.after).toEqual(upgrade.before);
    expect(upgrade.run).toEqual(STORAGE_SCHEMA_STEPS.map((s) => s.step));
    expect(upgrade.tables).toEqual([...SHARD_TABLES, 'schema_steps'].sort());

    // The upgraded shard goes on deduping and flushing what it held.
    expect(await shard.record([beacon('198.51.100.2', [view(id, url)])])).toEqual([0]);
    await runDurableObjectAlarm(shard);
    expect(await storedTotals(id, url)).toEqual({ views: 2, shares: 0 });
    expect(await storedTotals(id, `${url}b`)).toEqual({ views: 1, shares: 0 });
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
