import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it, onTestFinished } from 'vitest';
import { claimFlush, readArticleCounts } from '../../src/db/counts';
import { readSetAside } from '../../src/db/set-aside';
import { CounterShard } from '../../src/shard/counter-shard';
import { Journal } from '../../src/shard/journal';
import { hasOutbox, hasPending, REFUSALS_BEFORE_GIVING_UP } from '../../src/shard/outbox';
import { readEpoch } from '../../src/shard/shard-state';
import { storedTotals } from '../support/helpers';
import {
  captureShardErrors,
  shardEvent as event,
  OUTBOX_ROWS,
  beacon as request,
  rowCount,
  type ShardSite,
  siteWithShard,
  withD1Broken,
} from './shard-support';

/** For tests of some twenty to forty D1 round trips: well above their run time on a busy machine. */
const ROUND_TRIPS_TIMEOUT_MS = 60_000;

/** The rows of each outbox batch, oldest batch first: increments `url network`, ledger rows `site outcome`. */
const outboxBatches = (stub: DurableObjectStub<CounterShard>) =>
  runInDurableObject(stub, (_, state) => {
    const rows = state.storage.sql
      .exec<{ seq: number; row: string }>(
        `SELECT seq, url || ' ' || network AS row FROM ${OUTBOX_ROWS}
         UNION ALL SELECT seq, site || ' ' || outcome FROM outbox_ledger ORDER BY seq, row`,
      )
      .toArray();
    const batches = new Map<number, string[]>();
    for (const { seq, row } of rows) batches.set(seq, [...(batches.get(seq) ?? []), row]);
    return [...batches.values()];
  });

/** Whether the shard's outbox or pending rows hold anything. */
const hasRows = (stub: DurableObjectStub<CounterShard>) =>
  runInDurableObject(
    stub,
    (_, state) => hasOutbox(state.storage.sql) || hasPending(state.storage.sql, new Journal(state.storage.sql, 100)),
  );

/** One beacon of one visitor viewing each of `urls`, with titles. */
const viewsOf = (site: ShardSite, urls: string[], ip: string) =>
  request(
    urls.map((url) => event(site, url, { title: `Title of ${url}` })),
    { ip },
  );

const flushFailure = (attempt: number, error: string) => [
  `shard flush failed (attempt ${attempt}); will retry`,
  expect.stringContaining(error),
];

/** Makes D1 refuse, as long as the test runs, every hourly row of `url`, whatever batch carries it. */
async function refuseHoursOf(url: string): Promise<void> {
  const trigger = `refuse_${crypto.randomUUID().replaceAll('-', '')}`;
  await env.DB.exec(
    `CREATE TRIGGER ${trigger} BEFORE INSERT ON article_hours WHEN NEW.url = '${url}' BEGIN SELECT RAISE(ABORT, 'refused for the test'); END`,
  );
  onTestFinished(() => env.DB.exec(`DROP TRIGGER IF EXISTS ${trigger}`).then(() => {}));
}

/**
 * The real D1, whose batches (a flush's writes) fail as a D1 in trouble fails
 * them: the first `outage` all ("overloaded"), then every other one, half of
 * those after D1 committed them ("Network connection lost."). Reads go through.
 */
function troubledD1(outage: number): D1Database {
  let batches = 0;
  return new Proxy(env.DB, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (property !== 'batch') return typeof value === 'function' ? value.bind(target) : value;
      return async (statements: D1PreparedStatement[]) => {
        batches++;
        if (batches <= outage) throw new Error('D1 DB is overloaded. Too many requests queued.');
        if (batches % 2 === 1) return target.batch(statements);
        if (batches % 4 === 2) {
          // Whatever D1 answered, the answer is lost.
          await target.batch(statements).catch(() => {});
          throw new Error('D1_ERROR: Network connection lost.');
        }
        throw new Error('D1 DB is overloaded. Requests queued for too long.');
      };
    },
  });
}

describe('CounterShard and a batch D1 keeps refusing', { timeout: ROUND_TRIPS_TIMEOUT_MS }, () => {
  it('should split it down to the rows D1 refuses, set those aside only once refused alone, and count the rest once', async () => {
    const { site, shard } = await siteWithShard();
    const good = ['a', 'b', 'c', 'd', 'e'].map((path) => `https://${site.host}/${path}`);
    const poison = `https://${site.host}/poison`;
    await shard.record([
      viewsOf(site, [...good, poison], '198.51.100.1'),
      request([event(site, poison, { type: 'share', network: 'x' })], { ip: '198.51.100.1' }),
    ]);
    const logged = captureShardErrors();
    await refuseHoursOf(poison);

    // Retried as it is at first: a passing refusal would pass meanwhile.
    for (let attempt = 1; attempt < REFUSALS_BEFORE_GIVING_UP; attempt++) await runDurableObjectAlarm(shard);
    expect(await outboxBatches(shard)).toHaveLength(1);
    expect(await storedTotals(site.id, good[0]!)).toEqual({ views: 0, shares: 0 });

    // From here, each alarm splits each batch refused again, once.
    let alarm = REFUSALS_BEFORE_GIVING_UP - 1;
    const aloneSince = new Map<string, number>();
    const setAsideAt = new Map<string, number>();
    let goodCountedAt: number | undefined;
    while ((await hasRows(shard)) && alarm < 60) {
      await runDurableObjectAlarm(shard);
      alarm++;
      const batches = await outboxBatches(shard);
      for (const row of [`${poison} `, `${poison} x`]) {
        if (!aloneSince.has(row) && batches.some((rows) => rows.length === 1 && rows[0] === row))
          aloneSince.set(row, alarm);
        if (aloneSince.has(row) && !setAsideAt.has(row) && !batches.some((rows) => rows.includes(row)))
          setAsideAt.set(row, alarm);
      }
      const counted = await Promise.all(good.map((url) => storedTotals(site.id, url)));
      if (goodCountedAt === undefined && counted.every((totals) => totals.views === 1)) goodCountedAt = alarm;
    }

    expect(await hasRows(shard)).toBe(false);
    expect(await rowCount(shard, 'outbox_refusals')).toBe(0);
    for (const url of good) expect(await storedTotals(site.id, url)).toEqual({ views: 1, shares: 0 });
    expect(await readArticleCounts(env.DB, site.id, poison)).toEqual({
      url: poison,
      views: 0,
      shares: { total: 0, by_network: {} },
      reads: 0,
    });
    // Each poison row refused REFUSALS_BEFORE_GIVING_UP times on its own, after
    // the rows beside it were counted.
    for (const row of aloneSince.keys())
      expect(setAsideAt.get(row)! - aloneSince.get(row)!).toBe(REFUSALS_BEFORE_GIVING_UP);
    expect(aloneSince.size).toBe(2);
    expect(goodCountedAt).toBeLessThan(Math.min(...setAsideAt.values()));

    const setAside = await readSetAside(env.DB, site.id);
    const byNetwork = setAside.toSorted((a, b) => (a.network ?? '').localeCompare(b.network ?? ''));
    expect(byNetwork.map(({ url, network, n, title }) => ({ url, network, n, title }))).toEqual([
      { url: poison, network: '', n: 1, title: null },
      { url: poison, network: 'x', n: 1, title: null },
    ]);
    expect(setAside.every((entry) => entry.error.includes('refused for the test'))).toBe(true);
    // Every alarm that left a batch refused failed, so the shard backed off between them.
    const failures = logged().filter(([message]) => message!.startsWith('shard flush failed'));
    expect(failures).toEqual(failures.map((_, i) => flushFailure(i + 1, 'refused for the test')));
    expect(failures.length).toBeGreaterThanOrEqual(Math.max(...setAsideAt.values()) - 1);
    expect(logged().filter(([message]) => !message!.startsWith('shard flush failed'))).toEqual(
      [0, 1].map(() => [
        `shard set aside a row D1 kept refusing: ${site.id} ${poison}`,
        expect.stringContaining('refused for the test'),
      ]),
    );

    // The shard is not blocked: what comes next flushes as ever.
    await shard.record([request([event(site, good[0]!)], { ip: '198.51.100.2' })]);
    await runDurableObjectAlarm(shard);
    expect(await storedTotals(site.id, good[0]!)).toEqual({ views: 2, shares: 0 });
  });

  it('should split a batch whose claim D1 took though the shard never split it, not clear it as counted', async () => {
    const { site, shard: stub } = await siteWithShard();
    const urls = ['a', 'b', 'c'].map((path) => `https://${site.host}/${path}`);
    for (const ip of ['198.51.100.1', '198.51.100.2']) await stub.record([viewsOf(site, urls, ip)]);
    const logged = captureShardErrors();
    await withD1Broken('article_hours', async () => {
      for (let attempt = 1; attempt < REFUSALS_BEFORE_GIVING_UP; attempt++) await runDurableObjectAlarm(stub);
    });
    expect(await outboxBatches(stub)).toHaveLength(1);

    // The next refusal's claim commits in D1, and its answer is lost (the
    // shard timed out, or restarted): the shard's storage is as it was.
    const { source, seq } = await runInDurableObject(stub, (_, state) => ({
      source: { shard: state.id.toString(), epoch: readEpoch(state.storage.sql) },
      seq: state.storage.sql.exec<{ seq: number }>(`SELECT min(seq) AS seq FROM ${OUTBOX_ROWS}`).one().seq,
    }));
    expect(await claimFlush(env.DB, source, seq, Date.now())).toBe('claimed');

    // The next flush finds the batch claimed, not applied, and makes the
    // split; the flush after sends the halves (unless the runtime ran that
    // alarm, due at once, first).
    await runDurableObjectAlarm(stub);
    await runDurableObjectAlarm(stub);

    expect(await hasRows(stub)).toBe(false);
    for (const url of urls) expect(await storedTotals(site.id, url)).toEqual({ views: 2, shares: 0 });
    expect(await readSetAside(env.DB, site.id)).toEqual([]);
    expect(logged()).toEqual(
      Array.from({ length: REFUSALS_BEFORE_GIVING_UP - 1 }, (_, i) =>
        flushFailure(i + 1, 'no such table: article_hours'),
      ),
    );
  });
});

describe('CounterShard and failures that pass', { timeout: ROUND_TRIPS_TIMEOUT_MS }, () => {
  it('should set nothing aside while D1 is overloaded, then fails every other write, and count every event once', async () => {
    const { site, shard: stub } = await siteWithShard();
    const url = `https://${site.host}/a`;
    const logged = captureShardErrors();
    const beacons = 20;
    const left = await runInDurableObject(stub, async (_, state) => {
      // Longer than the refusals that split a batch, had they counted.
      const shard = new CounterShard(state, { ...env, DB: troubledD1(REFUSALS_BEFORE_GIVING_UP + 2) });
      for (let alarm = 0; alarm < beacons + 10; alarm++) {
        // Events keep coming meanwhile.
        if (alarm < beacons) await shard.record([request([event(site, url)], { ip: `198.51.100.${alarm}` })]);
        await shard.alarm();
        // The test runs the alarms itself, each with the troubled D1.
        await state.storage.deleteAlarm();
      }
      return {
        outbox: hasOutbox(state.storage.sql),
        pending: hasPending(state.storage.sql, new Journal(state.storage.sql, 100)),
      };
    });

    expect(left).toEqual({ outbox: false, pending: false });
    expect(await storedTotals(site.id, url)).toEqual({ views: beacons, shares: 0 });
    expect(await readSetAside(env.DB, site.id)).toEqual([]);
    const failures = logged();
    expect(failures.length).toBeGreaterThanOrEqual(REFUSALS_BEFORE_GIVING_UP + 2);
    for (const [message, err] of failures) {
      expect(message).toMatch(/^shard flush failed \(attempt \d+\); will retry$/);
      expect(err).toMatch(/D1 DB is overloaded|Network connection lost/);
    }
  });

  it('should only split, backing off, a batch refused while a table is away, and count it whole once the table is back', async () => {
    const { site, shard: stub } = await siteWithShard();
    // Rows enough for three splits: eight increments and a ledger row.
    const urls = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((path) => `https://${site.host}/${path}`);
    await stub.record([viewsOf(site, urls, '198.51.100.1')]);
    const logged = captureShardErrors();
    const away = REFUSALS_BEFORE_GIVING_UP + 2;
    const splits = await withD1Broken('article_hours', async () => {
      const batches: number[] = [];
      for (let alarm = 0; alarm < away; alarm++) {
        await runDurableObjectAlarm(stub);
        batches.push((await outboxBatches(stub)).length);
      }
      return batches;
    });
    // Kept whole REFUSALS_BEFORE_GIVING_UP - 1 times, then split once per alarm,
    // each alarm failing, so that the shard backs off between them.
    expect(splits).toEqual([...Array(REFUSALS_BEFORE_GIVING_UP - 1).fill(1), 2, 4, 8]);
    expect(logged()).toEqual(
      Array.from({ length: away }, (_, i) => flushFailure(i + 1, 'no such table: article_hours')),
    );

    await runDurableObjectAlarm(stub);
    expect(await hasRows(stub)).toBe(false);
    for (const url of urls) expect(await storedTotals(site.id, url)).toEqual({ views: 1, shares: 0 });
    expect(await readSetAside(env.DB, site.id)).toEqual([]);
    expect(logged()).toHaveLength(away);
  });
});
