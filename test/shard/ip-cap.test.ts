import { env, runDurableObjectAlarm, runInDurableObject, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { readArticleCounts } from '../../src/db/counts';
import type { CounterShard, RecordRequest } from '../../src/shard/counter-shard';
import { ADMIN, createSite, flushAllShards, postEvents, storedTotals } from '../support/helpers';
import { beacon, SEEN_ROWS, shardEvent, siteWithShard } from './shard-support';

/** Forty browsers that differ only in their User-Agent: what a client inflating an article sends. */
const USER_AGENTS = Array.from(
  { length: 40 },
  (_, i) =>
    `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${100 + i}.0.0.0 Safari/537.36`,
);

/** Sends one beacon per User-Agent, all at once (so group commit meets them), from `ipOf(i)`; answers the statuses. */
async function sendFromEach(events: unknown[], origin: string, ipOf: (i: number) => string): Promise<number[]> {
  const responses = await Promise.all(
    USER_AGENTS.map((userAgent, i) => postEvents(events, { origin, ip: ipOf(i), userAgent })),
  );
  return responses.map((r) => r.status);
}

/** A new site, its origin, and the URL of a story of it. */
async function siteWithStory() {
  const { id, host } = await createSite();
  const origin = `https://${host}`;
  return { id, origin, url: `${origin}/story` };
}

const allAccepted = Array.from({ length: USER_AGENTS.length }, () => 202);

describe('the per-IP cap, through the beacon endpoint', () => {
  it('should count 20 views and 20 shares of an article from 40 User-Agents on one IPv4, none refused', async () => {
    const { id, origin, url } = await siteWithStory();
    const events = [
      { site: id, type: 'view', url },
      { site: id, type: 'share', url, network: 'x' },
    ];
    expect(await sendFromEach(events, origin, () => '198.51.100.20')).toEqual(allAccepted);
    await flushAllShards();
    expect(await readArticleCounts(env.DB, id, url)).toEqual({
      url,
      views: 20,
      shares: { total: 20, by_network: { x: 20 } },
      reads: 0,
    });
  }, 30_000);

  it('should count 20 of 40 User-Agents on one IPv6 /64, whatever addresses of it they use', async () => {
    const { id, origin, url } = await siteWithStory();
    const statuses = await sendFromEach([{ site: id, type: 'view', url }], origin, (i) => `2001:db8:5:6::${i + 1}`);
    expect(statuses).toEqual(allAccepted);
    // Another /64 is another client.
    expect((await postEvents({ site: id, type: 'view', url }, { origin, ip: '2001:db8:5:7::1' })).status).toBe(202);
    await flushAllShards();
    expect(await storedTotals(id, url)).toEqual({ views: 21, shares: 0 });
  }, 30_000);

  it('should count all 40 User-Agents on 40 IPs', async () => {
    const { id, origin, url } = await siteWithStory();
    const statuses = await sendFromEach([{ site: id, type: 'view', url }], origin, (i) => `198.51.100.${i + 100}`);
    expect(statuses).toEqual(allAccepted);
    await flushAllShards();
    expect(await storedTotals(id, url)).toEqual({ views: 40, shares: 0 });
  }, 30_000);

  it('should count more for a site that raises max_visitors_per_ip, the visitors refused before included', async () => {
    const { id, origin, url } = await siteWithStory();
    const events = [{ site: id, type: 'view', url }];
    expect(await sendFromEach(events, origin, () => '203.0.113.30')).toEqual(allAccepted);
    await flushAllShards();
    expect(await storedTotals(id, url)).toEqual({ views: 20, shares: 0 });

    const patched = await SELF.fetch(`https://api.test/api/v1/admin/sites/${id}`, {
      method: 'PATCH',
      headers: { ...ADMIN, 'Content-Type': 'application/json' },
      body: JSON.stringify({ settings: { max_visitors_per_ip: 30 } }),
    });
    expect(patched.status).toBe(200);
    // The 20 counted are repeats; 10 of the 20 the cap refused (so never marked seen) count now.
    expect(await sendFromEach(events, origin, () => '203.0.113.30')).toEqual(allAccepted);
    await flushAllShards();
    expect(await storedTotals(id, url)).toEqual({ views: 30, shares: 0 });

    const { id: wide, host: wideHost } = await createSite(undefined, { settings: { max_visitors_per_ip: 35 } });
    const wideUrl = `https://${wideHost}/story`;
    const wideEvents = [{ site: wide, type: 'view', url: wideUrl }];
    expect(await sendFromEach(wideEvents, `https://${wideHost}`, () => '203.0.113.30')).toEqual(allAccepted);
    await flushAllShards();
    expect(await storedTotals(wide, wideUrl)).toEqual({ views: 35, shares: 0 });
  }, 60_000);
});

/** The site's ledger once the shard has flushed all it holds, summed per outcome (D1's, as the admin API reads it). */
async function ledgerOutcomes(stub: DurableObjectStub<CounterShard>, site: string): Promise<Record<string, number>> {
  await runDurableObjectAlarm(stub);
  const { results } = await env.DB.prepare(
    'SELECT outcome, sum(n) AS n FROM site_ledger WHERE site_id = ? GROUP BY outcome HAVING sum(n) <> 0',
  )
    .bind(site)
    .all<{ outcome: string; n: number }>();
  return Object.fromEntries(results.map(({ outcome, n }) => [outcome, n]));
}

describe('the per-IP cap in the shard', () => {
  const IP = '198.51.100.40';

  it('should be exact for beacons that meet in one RPC (group commit)', async () => {
    const { site, shard: stub } = await siteWithShard();
    const url = `https://${site.host}/a`;
    const beacons = USER_AGENTS.slice(0, 30).map((userAgent) => beacon([shardEvent(site, url)], { ip: IP, userAgent }));
    expect(await stub.record(beacons)).toEqual([...Array(20).fill(1), ...Array(10).fill(0)]);
    expect(await ledgerOutcomes(stub, site.id)).toEqual({ view: 20, ip_cap: 10 });
  });

  it('should be exact for concurrent RPCs', async () => {
    const { site, shard: stub } = await siteWithShard();
    const url = `https://${site.host}/a`;
    const counted = await Promise.all(
      USER_AGENTS.map((userAgent) => stub.record([beacon([shardEvent(site, url)], { ip: IP, userAgent })])),
    );
    expect(counted.flat().reduce((a, b) => a + b, 0)).toBe(20);
    await runDurableObjectAlarm(stub);
    expect(await storedTotals(site.id, url)).toEqual({ views: 20, shares: 0 });
  });

  it('should cap each article, event type and network on its own', async () => {
    const { site, shard: stub } = await siteWithShard();
    const a = `https://${site.host}/a`;
    const events = [
      shardEvent(site, a),
      shardEvent(site, a, { type: 'share', network: 'x' }),
      shardEvent(site, a, { type: 'share', network: 'email' }),
      shardEvent(site, `https://${site.host}/b`),
    ];
    const counted = await stub.record(
      USER_AGENTS.slice(0, 25).map((userAgent) => beacon(events, { ip: IP, userAgent })),
    );
    expect(counted).toEqual([...Array(20).fill(4), ...Array(5).fill(0)]);
    await runDurableObjectAlarm(stub);
    expect(await readArticleCounts(env.DB, site.id, a)).toEqual({
      url: a,
      views: 20,
      shares: { total: 40, by_network: { email: 20, x: 20 } },
      reads: 0,
    });
    expect(await storedTotals(site.id, `https://${site.host}/b`)).toEqual({ views: 20, shares: 0 });
  });

  it('should not mark a refused visitor seen: it stays refused under the cap, and counts once the cap is higher', async () => {
    const { site, shard: stub } = await siteWithShard();
    const url = `https://${site.host}/a`;
    const round = (siteMaxVisitorsPerIp: number): RecordRequest[] =>
      USER_AGENTS.slice(0, 30).map((userAgent) =>
        beacon([shardEvent(site, url, { siteMaxVisitorsPerIp })], { ip: IP, userAgent }),
      );
    await stub.record(round(20));
    expect(await ledgerOutcomes(stub, site.id)).toEqual({ view: 20, ip_cap: 10 });
    await stub.record(round(20));
    expect(await ledgerOutcomes(stub, site.id)).toEqual({ view: 20, ip_cap: 20, repeat: 20 });
    expect(await stub.record(round(25))).toEqual([...Array(20).fill(0), ...Array(5).fill(1), ...Array(5).fill(0)]);
    expect(await ledgerOutcomes(stub, site.id)).toEqual({ view: 25, ip_cap: 25, repeat: 40 });
    // The per-IP count is of distinct visitors counted: 25, not the 90 events sent.
    const visitors = await runInDurableObject(stub, (_, state) =>
      state.storage.sql
        .exec<{ visitors: number }>(`SELECT count(*) AS visitors FROM ${SEEN_ROWS} WHERE cap IS NOT NULL GROUP BY cap`)
        .toArray(),
    );
    expect(visitors).toEqual([{ visitors: 25 }]);
  });

  it('should leave the site ceiling to the events the cap let through', async () => {
    const { site, shard: stub } = await siteWithShard();
    const url = `https://${site.host}/a`;
    const receivedMs = Math.floor(Date.now() / 1000) * 1000;
    const events = [shardEvent(site, url, { siteMaxVisitorsPerIp: 2, siteMaxPerSecond: 3 })];
    // Four visitors of one IP, then one of another, in one second: the cap refuses
    // two of the first four without taking the ceiling's room, so the fifth still counts.
    const beacons = [
      ...USER_AGENTS.slice(0, 4).map((userAgent) => beacon(events, { ip: IP, userAgent, receivedMs })),
      beacon(events, { ip: '198.51.100.41', receivedMs }),
      beacon(events, { ip: '198.51.100.42', receivedMs }),
    ];
    expect(await stub.record(beacons)).toEqual([1, 1, 0, 0, 1, 0]);
    expect(await ledgerOutcomes(stub, site.id)).toEqual({ view: 3, ip_cap: 2, site_ceiling: 1 });
  });
});
