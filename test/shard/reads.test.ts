import { env, runDurableObjectAlarm, runInDurableObject, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { NOT_COUNTED_REASONS } from '../../src/ledger/reasons';
import type { LedgerBody } from '../../src/openapi/schemas';
import type { CounterShard, ShardEvent } from '../../src/shard/counter-shard';
import { DAY_MS, dayOf } from '../../src/time';
import { ADMIN, BROWSER_UA } from '../support/helpers';
import { beacon, PENDING_ROWS, type ShardSite, shardEvent, siteWithShard } from './shard-support';

const zeros = Object.fromEntries(NOT_COUNTED_REASONS.map((reason) => [reason, 0]));
const date = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
/** The User-Agent of reader `i`: readers of one IP that differ only in it are distinct visitors. */
const userAgent = (i: number) => BROWSER_UA.replace('Chrome/140', `Chrome/${100 + i}`);

const view = (site: ShardSite, url: string, extra: Partial<ShardEvent> = {}) => shardEvent(site, url, extra);
const read = (site: ShardSite, url: string, extra: Partial<ShardEvent> = {}) =>
  shardEvent(site, url, { type: 'read', ...extra });

/** Records one beacon of `events` from reader `reader` (one IP each, unless `ip` says otherwise). */
const from = (reader: number, events: ShardEvent[], ip = `198.51.100.${reader}`) =>
  beacon(events, { ip, userAgent: userAgent(reader) });

/** The increments a shard holds, per URL and counter, before a flush. */
const pendingCounts = (stub: DurableObjectStub<CounterShard>) =>
  runInDurableObject(stub, (_, state) =>
    state.storage.sql.exec(`SELECT url, network, n FROM ${PENDING_ROWS} ORDER BY url, network`).toArray(),
  );

/** The popular boxes' tallies a shard holds in its ledger buffer, before a flush. */
const boxTallies = (stub: DurableObjectStub<CounterShard>) =>
  runInDurableObject(stub, (_, state) =>
    state.storage.sql
      .exec<{ outcome: string; n: number }>(
        "SELECT outcome, n FROM pending_ledger WHERE outcome LIKE 'box:%' ORDER BY outcome",
      )
      .toArray()
      .map(({ outcome, n }) => [outcome, n]),
  );

const todaysLedger = async (site: string) => {
  const response = await SELF.fetch(`https://api.test/api/v1/admin/sites/${site}/ledger?days=1`, { headers: ADMIN });
  expect(response.status).toBe(200);
  const [today] = (await response.json<LedgerBody>()).days;
  expect(today!.date).toBe(date(dayOf(Date.now())));
  return today!;
};

const storedArticle = (site: string, url: string) =>
  env.DB.prepare('SELECT views, shares, reads FROM articles WHERE site_id = ? AND url = ?').bind(site, url).first();

describe('a read in the shard', () => {
  it('should not count a read whose visitor has no view of the article today (no_view), nor mark it seen', async () => {
    const { site, shard } = await siteWithShard();
    const a = `https://${site.host}/a`;
    const b = `https://${site.host}/b`;
    expect(await shard.record([from(1, [read(site, a)])])).toEqual([0]);
    // A view of another article is no view of this one.
    expect(await shard.record([from(1, [view(site, b)]), from(1, [read(site, a)])])).toEqual([1, 0]);
    expect(await pendingCounts(shard)).toEqual([{ url: b, network: '', n: 1 }]);
    // Its view counted now, the reader's read counts: the refused ones were not marked seen.
    expect(await shard.record([from(1, [view(site, a)]), from(1, [read(site, a)])])).toEqual([1, 1]);
    expect(await pendingCounts(shard)).toEqual([
      { url: a, network: '', n: 1 },
      { url: a, network: '@read', n: 1 },
      { url: b, network: '', n: 1 },
    ]);
    await runDurableObjectAlarm(shard);
    expect(await todaysLedger(site.id)).toEqual({
      date: date(dayOf(Date.now())),
      received: 5,
      counted: 3,
      not_counted: { ...zeros, no_view: 2 },
    });
  });

  it('should count one read per visitor, article and day after the view, the next a repeat', async () => {
    const { site, shard } = await siteWithShard();
    const a = `https://${site.host}/a`;
    // In one beacon the view comes first; a read sent before its view is too early.
    expect(
      await shard.record([from(1, [view(site, a), read(site, a)]), from(2, [read(site, a), view(site, a)])]),
    ).toEqual([2, 1]);
    expect(await shard.record([from(1, [read(site, a)]), from(2, [read(site, a)]), from(2, [read(site, a)])])).toEqual([
      0, 1, 0,
    ]);
    expect(await pendingCounts(shard)).toEqual([
      { url: a, network: '', n: 2 },
      { url: a, network: '@read', n: 2 },
    ]);
    await runDurableObjectAlarm(shard);
    expect(await todaysLedger(site.id)).toMatchObject({
      received: 7,
      counted: 4,
      not_counted: { ...zeros, no_view: 1, repeat: 2 },
    });
  });

  it('should cap the readers of one IP under the read\u2019s own cap key, and count the refused ones later', async () => {
    const { site, shard } = await siteWithShard();
    const a = `https://${site.host}/a`;
    const IP = '203.0.113.40';
    const readers = [1, 2, 3];
    // Three views under a cap of 3; their reads under a cap of 2: the views' visitors do not fill the reads' cap.
    expect(await shard.record(readers.map((r) => from(r, [view(site, a, { siteMaxVisitorsPerIp: 3 })], IP)))).toEqual([
      1, 1, 1,
    ]);
    expect(await shard.record(readers.map((r) => from(r, [read(site, a, { siteMaxVisitorsPerIp: 2 })], IP)))).toEqual([
      1, 1, 0,
    ]);
    // Not marked seen: with the cap raised, the third reader's read counts.
    expect(await shard.record(readers.map((r) => from(r, [read(site, a, { siteMaxVisitorsPerIp: 3 })], IP)))).toEqual([
      0, 0, 1,
    ]);
    await runDurableObjectAlarm(shard);
    expect(await todaysLedger(site.id)).toMatchObject({
      counted: 6,
      not_counted: { ...zeros, ip_cap: 1, repeat: 2 },
    });
  });

  it('should carry no network or metadata into the increments: a read is counted under its own counter', async () => {
    const { site, shard } = await siteWithShard();
    const a = `https://${site.host}/a`;
    await shard.record([from(1, [view(site, a), read(site, a)])]);
    await runDurableObjectAlarm(shard);
    // Reads reach D1 with helper B's flush (migration 0012).
    expect(await storedArticle(site.id, a)).toEqual({ views: 1, shares: 0, reads: 1 });
  });
});

describe('a read another spelling\u2019s shard sends on', () => {
  it('should take what that shard saw of its visitor from a forwarded request only, never from the Worker', async () => {
    const { site, shard } = await siteWithShard();
    const a = `https://${site.host}/a`;
    // Another reader's view makes the article known.
    expect(await shard.record([from(2, [view(site, a)])])).toEqual([1]);
    const X1 = { from: 'views-24h.1' };
    const heldThere = { seenAsSent: { event: false, view: true, click: true }, ...X1 };
    // Sent by the Worker, the flags count for nothing: the reader has no view here.
    expect(await shard.record([from(1, [read(site, a, heldThere)])])).toEqual([0]);
    // Sent on by the shard that held the reader's view and click under another spelling: a read, a quality click.
    expect(await shard.record([{ ...from(1, [read(site, a, heldThere)]), forwarded: true }])).toEqual([1]);
    // A view that shard saw already is a repeat here, and brings no click.
    const seenThere = { seenAsSent: { event: true, view: false, click: true }, ...X1 };
    expect(await shard.record([{ ...from(3, [view(site, a, seenThere)]), forwarded: true }])).toEqual([0]);
    expect(await boxTallies(shard)).toEqual([['box:quality:views-24h:1', 1]]);
    await runDurableObjectAlarm(shard);
    expect(await todaysLedger(site.id)).toMatchObject({
      received: 4,
      counted: 2,
      not_counted: { ...zeros, no_view: 1, repeat: 1 },
    });
  });
});

describe('the popular boxes\u2019 tallies in the shard', () => {
  it('should count an impression of each list a counted view\u2019s page shows, none for a repeat or a capped view', async () => {
    const { site, shard } = await siteWithShard();
    const a = `https://${site.host}/a`;
    const IP = '203.0.113.41';
    const boxed = (lists: string[]) => view(site, a, { boxes: lists, siteMaxVisitorsPerIp: 2 });
    await shard.record([
      from(1, [boxed(['views-24h', 'trending'])], IP),
      from(1, [boxed(['views-24h', 'trending'])], IP),
      from(2, [boxed(['views-24h'])], IP),
      from(3, [boxed(['views-24h', 'reads-7d'])], IP),
    ]);
    expect(await boxTallies(shard)).toEqual([
      ['box:impression:trending:0', 1],
      ['box:impression:views-24h:0', 2],
    ]);
  });

  it('should count a click once per visitor, article and day, at the position the view came from', async () => {
    const { site, shard } = await siteWithShard();
    const a = `https://${site.host}/a`;
    const b = `https://${site.host}/b`;
    await shard.record([
      from(1, [view(site, a, { from: 'views-24h.3' })]),
      from(1, [view(site, a, { from: 'views-24h.3' })]),
      from(1, [view(site, a, { from: 'trending.1' })]),
      from(2, [view(site, a, { from: 'views-24h.3' })]),
      from(1, [view(site, b, { from: 'views-24h.3' })]),
    ]);
    // A read opened from the box is no click: only the view that opened the page is.
    await shard.record([from(3, [read(site, a, { from: 'views-24h.3' })])]);
    expect(await boxTallies(shard)).toEqual([['box:click:views-24h:3', 3]]);
  });

  it('should count a quality click only for a counted click whose read counted', async () => {
    const { site, shard } = await siteWithShard();
    const a = `https://${site.host}/a`;
    const X3 = { from: 'views-24h.3' };
    await shard.record([
      // Clicked and read from the box: a quality click.
      from(1, [view(site, a, X3), read(site, a, X3)]),
      // Its repeated read adds none.
      from(1, [read(site, a, X3)]),
      // Not opened from the box: no click, so its read brings none.
      from(2, [view(site, a), read(site, a, X3)]),
      // A click whose read says nothing of the box.
      from(3, [view(site, a, X3), read(site, a)]),
      // A click and a read from another position.
      from(4, [view(site, a, X3), read(site, a, { from: 'views-24h.4' })]),
      // A read without a view is no_view, and no quality click.
      from(5, [read(site, a, X3)]),
    ]);
    expect(await boxTallies(shard)).toEqual([
      ['box:click:views-24h:3', 3],
      ['box:quality:views-24h:3', 1],
    ]);
  });

  it('should keep the tallies durable with the ledger, and send each once to D1 (site_box_days)', async () => {
    const { site, shard } = await siteWithShard();
    const a = `https://${site.host}/a`;
    await shard.record([
      from(1, [view(site, a, { from: 'views-24h.2', boxes: ['views-24h'] }), read(site, a, { from: 'views-24h.2' })]),
      from(2, [view(site, a, { boxes: ['views-24h'] })]),
    ]);
    await runDurableObjectAlarm(shard);
    expect(await boxTallies(shard)).toEqual([]);
    // The tallies are no events: the ledger counts the views and the read only.
    expect(await todaysLedger(site.id)).toMatchObject({ received: 3, counted: 3, not_counted: zeros });
    // Reach D1 with helper B's flush (migration 0012).
    const { results } = await env.DB.prepare(
      'SELECT list, position, impressions, clicks, quality_clicks FROM site_box_days WHERE site_id = ? ORDER BY list, position',
    )
      .bind(site.id)
      .all();
    expect(results).toEqual([
      { list: 'views-24h', position: 0, impressions: 2, clicks: 0, quality_clicks: 0 },
      { list: 'views-24h', position: 2, impressions: 0, clicks: 1, quality_clicks: 1 },
    ]);
  });
});
