import { env, runDurableObjectAlarm, runInDurableObject, SELF } from 'cloudflare:test';
import { describe, expect, it, onTestFinished } from 'vitest';
import { readLedger } from '../../src/db/ledger';
import { NOT_COUNTED_REASONS } from '../../src/ledger/reasons';
import type { LedgerBody } from '../../src/openapi/schemas';
import type { CounterShard } from '../../src/shard/counter-shard';
import { DEDUP_GRACE_MS } from '../../src/shard/dedup';
import { REFUSALS_BEFORE_GIVING_UP } from '../../src/shard/outbox';
import { DAY_MS, dayOf } from '../../src/time';
import { ADMIN, createSite, flushAllShards, postEvents } from '../support/helpers';
import { beacon, captureShardErrors, rowCount, shardEvent, siteWithShard } from './shard-support';

const zeros = Object.fromEntries(NOT_COUNTED_REASONS.map((reason) => [reason, 0]));
const date = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const userAgent = (i: number) =>
  `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${100 + i}.0.0.0 Safari/537.36`;

const ledgerOf = async (site: string, days = 1) => {
  const response = await SELF.fetch(`https://api.test/api/v1/admin/sites/${site}/ledger?days=${days}`, {
    headers: ADMIN,
  });
  expect(response.status).toBe(200);
  return (await response.json<LedgerBody>()).days;
};

/** The site's ledger rows in D1, as stored. */
const storedLedger = async (site: string) =>
  (
    await env.DB.prepare('SELECT day, outcome, n FROM site_ledger WHERE site_id = ? ORDER BY day, outcome')
      .bind(site)
      .all()
  ).results;

const pendingLedgerRows = (stub: DurableObjectStub<CounterShard>) =>
  runInDurableObject(stub, (_, state) => state.storage.sql.exec('SELECT * FROM pending_ledger').toArray());

describe('the ledger of what reaches a shard', () => {
  it('should give exact figures for known traffic of every reason, received = counted + not counted', async () => {
    const { site, shard: stub } = await siteWithShard();
    const a = `https://${site.host}/a`;
    const b = `https://${site.host}/b`;
    const today = dayOf(Date.now());
    // Two whole seconds of today, already past (or today's first ones).
    const second = Math.max(today * DAY_MS, Math.floor(Date.now() / 1000) * 1000 - 5000);
    const IP = '198.51.100.60';
    const capped = (i: number) =>
      beacon([shardEvent(site, a, { siteMaxVisitorsPerIp: 3 })], {
        ip: IP,
        userAgent: userAgent(i),
        receivedMs: second,
      });

    // Five visitors of one IP under a cap of 3: 3 views, 2 ip_cap; sent again: 3 repeat, 2 ip_cap.
    expect(await stub.record([0, 1, 2, 3, 4].map(capped))).toEqual([1, 1, 1, 0, 0]);
    expect(await stub.record([0, 1, 2, 3, 4].map(capped))).toEqual([0, 0, 0, 0, 0]);
    // Two shares, in the same RPC as a repeat of one of them.
    const share = (i: number) =>
      beacon([shardEvent(site, a, { type: 'share', network: 'x' })], {
        ip: IP,
        userAgent: userAgent(i),
        receivedMs: second,
      });
    expect(await stub.record([share(0), share(1), share(0)])).toEqual([1, 1, 0]);
    // Four readers the next second under a ceiling of 2 a second: 2 views, 2 site_ceiling.
    const ceiling = [1, 2, 3, 4].map((i) =>
      beacon([shardEvent(site, b, { siteMaxPerSecond: 2 })], { ip: `198.51.100.${70 + i}`, receivedMs: second + 1000 }),
    );
    expect(await stub.record(ceiling)).toEqual([1, 1, 0, 0]);
    // What the Worker decided before any shard, carried by a call of tallies only.
    const tallies = [
      { site: site.id, siteCreatedAt: site.createdAt, day: today, reason: 'bot' as const, n: 4 },
      { site: site.id, siteCreatedAt: site.createdAt, day: today, reason: 'gpc' as const, n: 2 },
      { site: site.id, siteCreatedAt: site.createdAt, day: today, reason: 'rate_limited' as const, n: 20 },
      { site: site.id, siteCreatedAt: site.createdAt, day: today, reason: 'network_disabled' as const, n: 1 },
      { site: site.id, siteCreatedAt: site.createdAt, day: today, reason: 'unverified' as const, n: 1 },
      { site: site.id, siteCreatedAt: site.createdAt, day: today, reason: 'rejected' as const, n: 1 },
      { site: site.id, siteCreatedAt: site.createdAt, day: today, reason: 'new_article_budget' as const, n: 1 },
      { site: site.id, siteCreatedAt: site.createdAt, day: today, reason: 'bot' as const, n: 1 },
    ];
    expect(await stub.record([beacon([], { ip: '', userAgent: '', tallies })])).toEqual([0]);
    // A beacon of a day whose dedup keys may be gone: whether it repeats can no longer be told.
    const closed = Date.now() - DAY_MS - DEDUP_GRACE_MS;
    expect(await stub.record([beacon([shardEvent(site, a)], { receivedMs: closed })])).toEqual([0]);

    await runDurableObjectAlarm(stub);
    expect(await rowCount(stub, 'pending_ledger')).toBe(0);
    expect(await rowCount(stub, 'outbox_ledger')).toBe(0);
    const days = await ledgerOf(site.id, 3);
    const todays = days.find((d) => d.date === date(today));
    const dayOfClosed = days.find((d) => d.date === date(dayOf(closed)));
    expect(todays).toEqual({
      date: date(today),
      received: 48,
      counted: 7,
      not_counted: {
        ...zeros,
        repeat: 4,
        ip_cap: 4,
        site_ceiling: 2,
        bot: 5,
        gpc: 2,
        rate_limited: 20,
        network_disabled: 1,
        unverified: 1,
        rejected: 1,
        new_article_budget: 1,
      },
    });
    const notCounted = Object.values(todays!.not_counted).reduce((x, y) => x + y, 0);
    expect(todays!.received).toBe(todays!.counted + notCounted);
    expect(dayOfClosed).toEqual({
      date: date(dayOf(closed)),
      received: 1,
      counted: 0,
      not_counted: { ...zeros, repeat: 1 },
    });
    // Counted views and shares apart, as the export and the dashboard show them.
    const [stored] = await readLedger(env.DB, site.id, { from: today, to: today });
    expect(stored).toMatchObject({ day: today, views: 5, shares: 2 });
  });

  it('should add a batch to the ledger once, though the batch is sent again after its commit', async () => {
    const { site, shard: stub } = await siteWithShard();
    const today = dayOf(Date.now());
    await stub.record([
      beacon([shardEvent(site, `https://${site.host}/a`)], {
        tallies: [{ site: site.id, siteCreatedAt: site.createdAt, day: today, reason: 'bot', n: 3 }],
      }),
    ]);
    const snapshot = await pendingLedgerRows(stub);
    await runDurableObjectAlarm(stub);
    const once = await storedLedger(site.id);
    expect(once).toEqual([
      { day: today, outcome: 'bot', n: 3 },
      { day: today, outcome: 'view', n: 1 },
    ]);

    // Put back the batch the flush just committed, as if the shard died before clearing it.
    await runInDurableObject(stub, async (_, state) => {
      const sql = state.storage.sql;
      const seq = sql.exec<{ value: number }>("SELECT value FROM state WHERE key = 'next_seq'").one().value - 1;
      for (const r of snapshot) {
        sql.exec(
          'INSERT INTO outbox_ledger VALUES (?, ?, ?, ?, ?, ?)',
          seq,
          r.site,
          r.site_created_at,
          r.day,
          r.outcome,
          r.n,
        );
      }
      await state.storage.setAlarm(Date.now());
    });
    await runDurableObjectAlarm(stub);
    expect(await rowCount(stub, 'outbox_ledger')).toBe(0);
    expect(await storedLedger(site.id)).toEqual(once);
  });

  it('should flush a large ledger in several batches, every row once', async () => {
    const { site, shard: stub } = await siteWithShard();
    const today = dayOf(Date.now());
    // 150 days of tallies: more rows than one batch takes.
    const tallies = Array.from({ length: 150 }, (_, i) => ({
      site: site.id,
      siteCreatedAt: site.createdAt,
      day: today - i,
      reason: 'bot' as const,
      n: i + 1,
    }));
    await stub.record([beacon([], { tallies })]);
    await runDurableObjectAlarm(stub);
    expect(await rowCount(stub, 'pending_ledger')).toBe(0);
    const stored = await storedLedger(site.id);
    expect(stored).toHaveLength(150);
    expect(stored.reduce((sum, row) => sum + (row.n as number), 0)).toBe((150 * 151) / 2);
    const batches = await env.DB.prepare('SELECT count(*) AS n FROM flush_log WHERE shard = ?')
      .bind(stub.id.toString())
      .first<{ n: number }>();
    expect(batches!.n).toBe(2);
  });

  it('should drop a ledger row D1 keeps refusing, logged, and go on flushing', async () => {
    const { site, shard: stub } = await siteWithShard();
    const today = dayOf(Date.now());
    await stub.record([
      beacon([], { tallies: [{ site: site.id, siteCreatedAt: site.createdAt, day: today, reason: 'gpc', n: 6 }] }),
    ]);
    const logged = captureShardErrors();
    const trigger = `refuse_${crypto.randomUUID().replaceAll('-', '')}`;
    await env.DB.exec(
      `CREATE TRIGGER ${trigger} BEFORE INSERT ON site_ledger WHEN NEW.outcome = 'gpc' AND NEW.site_id = '${site.id}' BEGIN SELECT RAISE(ABORT, 'refused for the test'); END`,
    );
    onTestFinished(() => env.DB.exec(`DROP TRIGGER IF EXISTS ${trigger}`).then(() => {}));
    for (let attempt = 0; attempt < REFUSALS_BEFORE_GIVING_UP; attempt++) await runDurableObjectAlarm(stub);

    expect(await rowCount(stub, 'outbox_ledger')).toBe(0);
    expect(await storedLedger(site.id)).toEqual([]);
    expect(logged().at(-1)).toEqual([
      `shard dropped a ledger row D1 kept refusing: ${site.id} day ${today} gpc 6`,
      expect.stringContaining('refused for the test'),
    ]);
    await stub.record([
      beacon([], { tallies: [{ site: site.id, siteCreatedAt: site.createdAt, day: today, reason: 'bot', n: 1 }] }),
    ]);
    await runDurableObjectAlarm(stub);
    expect(await storedLedger(site.id)).toEqual([{ day: today, outcome: 'bot', n: 1 }]);
  }, 30_000);

  it("should add the Worker's tallies only to the incarnation of the site they were made for", async () => {
    const { site, shard: stub } = await siteWithShard();
    const today = dayOf(Date.now());
    // Tallies an isolate made for a deleted site of the same id, then tallies of today's site.
    const earlier = '2020-01-01T00:00:00.000Z';
    await stub.record([
      beacon([], {
        ip: '',
        userAgent: '',
        tallies: [
          { site: site.id, siteCreatedAt: earlier, day: today, reason: 'bot', n: 9 },
          { site: site.id, siteCreatedAt: site.createdAt, day: today, reason: 'bot', n: 2 },
        ],
      }),
    ]);
    await runDurableObjectAlarm(stub);
    expect(await storedLedger(site.id)).toEqual([{ day: today, outcome: 'bot', n: 2 }]);
  });

  it('should keep nothing in the ledger for a site deleted before the flush', async () => {
    const { site, shard: stub } = await siteWithShard();
    await stub.record([beacon([shardEvent(site, `https://${site.host}/a`)])]);
    await env.DB.prepare('DELETE FROM sites WHERE id = ?').bind(site.id).run();
    await runDurableObjectAlarm(stub);
    expect(await rowCount(stub, 'outbox_ledger')).toBe(0);
    expect(await storedLedger(site.id)).toEqual([]);
  });
});

describe('the ledger through the beacon endpoint', () => {
  it('should count the per-IP cap and repeats of 40 readers on one IP, exactly', async () => {
    const { id, host } = await createSite();
    const origin = `https://${host}`;
    const url = `${origin}/story`;
    const send = () =>
      Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          postEvents({ site: id, type: 'view', url }, { origin, ip: '203.0.113.61', userAgent: userAgent(i) }),
        ),
      );
    for (let round = 0; round < 2; round++) {
      expect((await send()).map((r) => r.status)).toEqual(Array(40).fill(202));
    }
    await flushAllShards();
    expect(await ledgerOf(id)).toEqual([
      {
        date: date(dayOf(Date.now())),
        received: 80,
        counted: 20,
        not_counted: { ...zeros, repeat: 20, ip_cap: 40 },
      },
    ]);
  }, 30_000);
});
