import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { readArticleCounts } from '../../src/db/counts';
import { nextExpiryAt } from '../../src/shard/alarm-schedule';
import { CounterShard, type RecordRequest } from '../../src/shard/counter-shard';
import { DEDUP_GRACE_MS, seenTable } from '../../src/shard/dedup';
import { D1_TIMEOUT_MS } from '../../src/shard/outbox';
import { bucketOf, DAY_MS, dayOf } from '../../src/time';
import { storedTotals } from '../support/helpers';
import {
  captureShardErrors as captureFlushFailures,
  createShardSite as createSite,
  shardEvent as event,
  isolatedShard,
  OUTBOX_ROWS,
  PENDING_ROWS,
  putBackCommittedBatch,
  readBufferedRows,
  beacon as request,
  rowCount,
  SEEN_ROWS,
  siteWithShard,
  withD1Broken,
} from './shard-support';

/** Records one beacon; answers how many of its events counted. */
const recordOne = async (shard: DurableObjectStub<CounterShard>, beacon: RecordRequest) =>
  (await shard.record([beacon]))[0];

const flushFailure = (attempt: number, table: string) => [
  `shard flush failed (attempt ${attempt}); will retry`,
  expect.stringContaining(`no such table: ${table}`),
];

describe('CounterShard', () => {
  it('should flush buffered increments to D1 exactly', async () => {
    const { site, id, host, shard } = await siteWithShard();
    const a = `https://${host}/a`;
    const b = `https://${host}/b`;
    for (let visitor = 0; visitor < 7; visitor++) {
      await recordOne(
        shard,
        request([event(site, a), event(site, b, { type: 'share', network: 'x' })], { ip: `198.51.100.${visitor}` }),
      );
    }
    await recordOne(shard, request([event(site, a, { type: 'share', network: 'email' })]));
    expect(await storedTotals(id, a)).toEqual({ views: 0, shares: 0 });

    expect(await runDurableObjectAlarm(shard)).toBe(true);
    expect(await readArticleCounts(env.DB, id, a)).toEqual({
      url: a,
      views: 7,
      shares: { total: 1, by_network: { email: 1 } },
      reads: 0,
    });
    expect(await readArticleCounts(env.DB, id, b)).toEqual({
      url: b,
      views: 0,
      shares: { total: 7, by_network: { x: 7 } },
      reads: 0,
    });
    const hours = await env.DB.prepare('SELECT bucket, views, shares FROM article_hours WHERE site_id = ? AND url = ?')
      .bind(id, a)
      .all();
    expect(hours.results).toEqual([{ bucket: bucketOf(Date.now()), views: 7, shares: 1 }]);
    expect(await rowCount(shard, PENDING_ROWS)).toBe(0);
    expect(await rowCount(shard, OUTBOX_ROWS)).toBe(0);
  });

  it('should answer how many events it counted', async () => {
    const { site, host, shard } = await siteWithShard();
    const events = [
      event(site, `https://${host}/a`),
      event(site, `https://${host}/a`),
      event(site, `https://${host}/b`),
    ];
    expect(await recordOne(shard, request(events))).toBe(2);
    expect(await recordOne(shard, request(events))).toBe(0);
  });

  it('should count a visitor again on the next UTC day', async () => {
    const { site, id, host, shard } = await siteWithShard();
    const url = `https://${host}/a`;
    const midnight = (dayOf(Date.now()) + 1) * DAY_MS;
    expect(await recordOne(shard, request([event(site, url)], { receivedMs: midnight - 1 }))).toBe(1);
    expect(await recordOne(shard, request([event(site, url)], { receivedMs: midnight - 1 }))).toBe(0);
    expect(await recordOne(shard, request([event(site, url)], { receivedMs: midnight }))).toBe(1);
    await runDurableObjectAlarm(shard);
    const hours = await env.DB.prepare('SELECT bucket, views FROM article_hours WHERE site_id = ? ORDER BY bucket')
      .bind(id)
      .all();
    expect(hours.results).toEqual([
      { bucket: bucketOf(midnight - 1), views: 1 },
      { bucket: bucketOf(midnight), views: 1 },
    ]);
  });

  it('should not count a replayed flush twice (crash between the D1 commit and the outbox clearing)', async () => {
    const { site, id, host, shard } = await siteWithShard();
    const url = `https://${host}/a`;
    for (let visitor = 0; visitor < 5; visitor++) {
      await recordOne(
        shard,
        request([event(site, url, { title: 'T' }), event(site, url, { type: 'share', network: 'x' })], {
          ip: `198.51.100.${visitor}`,
        }),
      );
    }
    const snapshot = await readBufferedRows(shard);
    await runDurableObjectAlarm(shard);
    expect(await storedTotals(id, url)).toEqual({ views: 5, shares: 5 });

    // Put back the batch the flush just committed, as if the shard died before clearing it.
    await putBackCommittedBatch(shard, snapshot);
    expect(await rowCount(shard, OUTBOX_ROWS)).toBe(2);

    expect(await runDurableObjectAlarm(shard)).toBe(true);
    expect(await storedTotals(id, url)).toEqual({ views: 5, shares: 5 });
    expect(await rowCount(shard, OUTBOX_ROWS)).toBe(0);
  });

  it('should keep a batch while D1 fails and deliver it once D1 is back, nothing lost', async () => {
    const { site, id, host, shard } = await siteWithShard();
    const url = `https://${host}/a`;
    await recordOne(shard, request([event(site, url)], { ip: '198.51.100.1' }));
    const failures = captureFlushFailures();

    await withD1Broken('article_hours', async () => {
      // The flush fails; the shard keeps the batch and schedules a retry.
      expect(await runDurableObjectAlarm(shard)).toBe(true);
      expect(await rowCount(shard, OUTBOX_ROWS)).toBe(1);
      const retryAt = await runInDurableObject(shard, (_, state) => state.storage.getAlarm());
      expect(retryAt).not.toBeNull();
      // Events keep arriving while D1 is down.
      await recordOne(shard, request([event(site, url)], { ip: '198.51.100.2' }));
      expect(await runDurableObjectAlarm(shard)).toBe(true);
    });
    expect(await storedTotals(id, url)).toEqual({ views: 0, shares: 0 });
    expect(failures()).toEqual([flushFailure(1, 'article_hours'), flushFailure(2, 'article_hours')]);

    expect(await runDurableObjectAlarm(shard)).toBe(true);
    expect(await storedTotals(id, url)).toEqual({ views: 2, shares: 0 });
    expect(failures()).toHaveLength(2);
    expect(await rowCount(shard, OUTBOX_ROWS)).toBe(0);
    expect(await rowCount(shard, PENDING_ROWS)).toBe(0);
  });

  it('should back off between retries while D1 keeps failing', async () => {
    const { site, id, host, shard } = await siteWithShard();
    await recordOne(shard, request([event(site, `https://${host}/a`)]));
    const failures = captureFlushFailures();
    const delays = await withD1Broken('flush_log', async () => {
      const seen: number[] = [];
      for (let i = 0; i < 3; i++) {
        await runDurableObjectAlarm(shard);
        const at = await runInDurableObject(shard, (_, state) => state.storage.getAlarm());
        seen.push(at! - Date.now());
      }
      return seen;
    });
    expect(delays[1]!).toBeGreaterThan(delays[0]!);
    expect(delays[2]!).toBeGreaterThan(delays[1]!);
    expect(failures()).toEqual([1, 2, 3].map((attempt) => flushFailure(attempt, 'flush_log')));
    await runDurableObjectAlarm(shard);
    expect(await storedTotals(id, `https://${host}/a`)).toEqual({ views: 1, shares: 0 });
    expect(failures()).toHaveLength(3);
  });

  it('should split a large backlog into several batches, each within D1\u2019s limits', async () => {
    const { site, id, host, shard } = await siteWithShard();
    const urls = Array.from({ length: 230 }, (_, i) => `https://${host}/story-${i}`);
    for (let start = 0; start < urls.length; start += 20) {
      await recordOne(
        shard,
        request(urls.slice(start, start + 20).map((url) => event(site, url, { title: `Title of ${url}` }))),
      );
    }
    await runDurableObjectAlarm(shard);
    const stored = await env.DB.prepare('SELECT count(*) AS n, sum(views) AS views FROM articles WHERE site_id = ?')
      .bind(id)
      .first();
    expect(stored).toEqual({ n: 230, views: 230 });
    const log = await runInDurableObject(
      shard,
      (_, state) =>
        state.storage.sql.exec<{ value: number }>("SELECT value FROM state WHERE key = 'next_seq'").one().value,
    );
    expect(log - 1).toBe(3); // 230 articles at 100 per batch
  }, 60_000); // A load test: well above its run time on a busy machine.

  it('should flush within FLUSH_SECONDS of the first buffered event', async () => {
    const { site, host, shard } = await siteWithShard();
    const before = Date.now();
    await recordOne(shard, request([event(site, `https://${host}/a`)]));
    const at = await runInDurableObject(shard, (_, state) => state.storage.getAlarm());
    expect(at).toBeGreaterThanOrEqual(before + 3600 * 1000);
    expect(at).toBeLessThanOrEqual(Date.now() + 3600 * 1000);
  });

  it('should drop salts 48 hours after their day began, and dedup keys and per-IP counts once their day is closed', async () => {
    const { site, id, host, shard } = await siteWithShard();
    const today = dayOf(Date.now());
    const url = `https://${host}/a`;
    await recordOne(shard, request([event(site, url)]));
    await runInDurableObject(shard, (_, state) => {
      const sql = state.storage.sql;
      for (const day of [today - 2, today - 1]) sql.exec('INSERT INTO salts (day, salt) VALUES (?, ?)', day, `s${day}`);
      sql.exec(`INSERT INTO ${seenTable(today - 2)} (day, key) VALUES (?, 'k')`, today - 2);
      sql.exec("INSERT INTO ip_visitors (day, key, visitors) VALUES (?, 'c', 20)", today - 2);
    });
    expect(await rowCount(shard, 'salts')).toBe(3);

    const wake = nextExpiryAt(Date.now());
    await runDurableObjectAlarm(shard);
    const left = await runInDurableObject(shard, (_, state) => ({
      salts: state.storage.sql
        .exec<{ day: number }>('SELECT day FROM salts ORDER BY day')
        .toArray()
        .map((r) => r.day),
      seenDays: state.storage.sql
        .exec<{ day: number }>(`SELECT DISTINCT day FROM ${SEEN_ROWS}`)
        .toArray()
        .map((r) => r.day),
      ipVisitorDays: state.storage.sql
        .exec<{ day: number }>('SELECT DISTINCT day FROM ip_visitors')
        .toArray()
        .map((r) => r.day),
    }));
    // The per-IP counts go with the dedup keys of their day: today's are in its dedup rows, none in ip_visitors.
    expect(left).toEqual({ salts: [today - 1, today], seenDays: [today], ipVisitorDays: [] });
    // An idle shard still wakes to drop the next expired salt or dedup keys.
    const at = await runInDurableObject(shard, (_, state) => state.storage.getAlarm());
    expect(at).toBe(wake);
    expect(await storedTotals(id, url)).toEqual({ views: 1, shares: 0 });
  });

  it('should not count a beacon of a day whose dedup keys may be gone, nor make a salt for it', async () => {
    const { site, shard } = await siteWithShard();
    const closed = Date.now() - DAY_MS - DEDUP_GRACE_MS;
    expect(await recordOne(shard, request([event(site, `https://${site.host}/a`)], { receivedMs: closed }))).toBe(0);
    expect(await rowCount(shard, PENDING_ROWS)).toBe(0);
    expect(await rowCount(shard, 'salts')).toBe(0);
  });

  it('should use a new salt each day, so visitor hashes cannot be linked across days', async () => {
    const { site, host, shard } = await siteWithShard();
    const tomorrow = (dayOf(Date.now()) + 1) * DAY_MS;
    await recordOne(shard, request([event(site, `https://${host}/a`)], { receivedMs: tomorrow - 1 }));
    await recordOne(shard, request([event(site, `https://${host}/a`)], { receivedMs: tomorrow }));
    const salts = await runInDurableObject(shard, (_, state) =>
      state.storage.sql.exec<{ salt: string }>('SELECT salt FROM salts').toArray(),
    );
    expect(salts).toHaveLength(2);
    expect(salts[0]!.salt).not.toBe(salts[1]!.salt);
  });

  it('should drop the increments of a site deleted before its flush', async () => {
    const { site, id, host, shard } = await siteWithShard();
    // No metadata: the site's registry writes no row of its own, and what D1 would get is the flush's.
    await recordOne(shard, request([event(site, `https://${host}/a`)]));
    await env.DB.prepare('DELETE FROM sites WHERE id = ?').bind(id).run();
    await runDurableObjectAlarm(shard);
    expect(await rowCount(shard, OUTBOX_ROWS)).toBe(0);
    const rows = await env.DB.prepare('SELECT count(*) AS n FROM articles WHERE site_id = ?')
      .bind(id)
      .first<{ n: number }>();
    expect(rows!.n).toBe(0);
  });
});

describe('CounterShard.record with several beacons', () => {
  it('should count each beacon\u2019s events in one transaction, dedup across beacons too', async () => {
    const { site, id, host, shard } = await siteWithShard();
    const url = `https://${host}/a`;
    const counted = await shard.record([
      request([event(site, url)], { ip: '198.51.100.1' }),
      request([event(site, url), event(site, `${url}x`)], { ip: '198.51.100.2' }),
      request([event(site, url)], { ip: '198.51.100.1' }),
    ]);
    expect(counted).toEqual([1, 2, 0]);
    await runDurableObjectAlarm(shard);
    expect(await storedTotals(id, url)).toEqual({ views: 2, shares: 0 });
  });
});

describe('CounterShard flush of site series', () => {
  it('should add the site\u2019s hourly totals and shares per network', async () => {
    const { site, id, host, shard } = await siteWithShard();
    await shard.record([
      request([event(site, `https://${host}/a`), event(site, `https://${host}/b`, { type: 'share', network: 'x' })], {
        ip: '198.51.100.1',
      }),
      request([event(site, `https://${host}/b`), event(site, `https://${host}/b`, { type: 'share', network: 'x' })], {
        ip: '198.51.100.2',
      }),
    ]);
    await runDurableObjectAlarm(shard);
    const bucket = bucketOf(Date.now());
    expect(
      await env.DB.prepare('SELECT bucket, views, shares FROM site_hours WHERE site_id = ?')
        .bind(id)
        .all()
        .then((r) => r.results),
    ).toEqual([{ bucket, views: 2, shares: 2 }]);
    expect(
      await env.DB.prepare('SELECT network, shares FROM site_network_hours WHERE site_id = ?')
        .bind(id)
        .all()
        .then((r) => r.results),
    ).toEqual([{ network: 'x', shares: 2 }]);
  });
});

describe('CounterShard site ceiling', () => {
  it('should count at most max_events_per_second of a site per second, and count the rest\u2019s visitors later', async () => {
    const { site, id, host, shard } = await siteWithShard();
    const url = `https://${host}/a`;
    const second = Math.floor(Date.now() / 1000) * 1000;
    const beacons = Array.from({ length: 5 }, (_, i) =>
      request([event(site, url, { siteMaxPerSecond: 3 })], { ip: `198.51.100.${i}`, receivedMs: second + 10 }),
    );
    expect(await shard.record(beacons)).toEqual([1, 1, 1, 0, 0]);
    // The next second the refused visitors count; the counted ones stay deduped.
    expect(await shard.record(beacons.map((b) => ({ ...b, receivedMs: second + 1010 })))).toEqual([0, 0, 0, 1, 1]);
    await runDurableObjectAlarm(shard);
    expect(await storedTotals(id, url)).toEqual({ views: 5, shares: 0 });
  });

  it('should keep sites\u2019 ceilings apart', async () => {
    const a = await createSite();
    const b = await createSite();
    const shard = isolatedShard();
    const receivedMs = Date.now();
    const counted = await shard.record([
      request([event(a, `https://${a.host}/x`, { siteMaxPerSecond: 1 })], { ip: '198.51.100.1', receivedMs }),
      request([event(b, `https://${b.host}/x`, { siteMaxPerSecond: 1 })], { ip: '198.51.100.1', receivedMs }),
      request([event(a, `https://${a.host}/x`, { siteMaxPerSecond: 1 })], { ip: '198.51.100.2', receivedMs }),
    ]);
    expect(counted).toEqual([1, 1, 0]);
  });
});

describe('CounterShard backing off', () => {
  it('should not let a beacon pull the retry of a shard backing off forward, nor once the shard is woken again', async () => {
    const { site, shard: stub } = await siteWithShard();
    const url = `https://${site.host}/a`;
    const failures = captureFlushFailures();
    // Rows due within a second, so that a beacon would pull a later retry forward.
    const flushSoon = { ...env, FLUSH_SECONDS: '1' };
    const alarms = await runInDurableObject(stub, async (_, state) => {
      const shard = new CounterShard(state, flushSoon);
      await shard.record([request([event(site, url)], { ip: '198.51.100.1' })]);
      // Four failures in a row: the retry is 16 s on.
      await withD1Broken('flush_log', async () => {
        for (let i = 0; i < 4; i++) await shard.alarm();
      });
      const retryAt = await state.storage.getAlarm();
      await shard.record([request([event(site, url)], { ip: '198.51.100.2' })]);
      const afterBeacon = await state.storage.getAlarm();
      // The same storage in a new instance: the shard evicted and woken again.
      await new CounterShard(state, flushSoon).record([request([event(site, url)], { ip: '198.51.100.3' })]);
      const afterWake = await state.storage.getAlarm();
      await new CounterShard(state, flushSoon).alarm();
      await state.storage.deleteAlarm();
      return { retryAt, afterBeacon, afterWake };
    });
    expect(alarms.afterBeacon).toBe(alarms.retryAt);
    expect(alarms.afterWake).toBe(alarms.retryAt);
    expect(failures()).toEqual([1, 2, 3, 4].map((attempt) => flushFailure(attempt, 'flush_log')));
    expect(await storedTotals(site.id, url)).toEqual({ views: 3, shares: 0 });
  });
});

describe('CounterShard when D1 does not answer in time', () => {
  it('should keep a batch whose flush timed out, and count it once though it committed late', async () => {
    const { site, shard: stub } = await siteWithShard();
    const url = `https://${site.host}/a`;
    await stub.record([request([event(site, url)])]);
    const failures = captureFlushFailures();

    // A fake clock runs out the shard's wait on D1 before D1 answers: first
    // for the batch (which D1 still commits, late), then for the check whether
    // it committed.
    await runInDurableObject(stub, async (shard) => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        const flushing = shard.alarm();
        vi.advanceTimersByTime(D1_TIMEOUT_MS);
        for (let i = 0; i < 100 && vi.getTimerCount() === 0; i++) await Promise.resolve();
        expect(vi.getTimerCount()).toBe(1);
        vi.advanceTimersByTime(D1_TIMEOUT_MS);
        await flushing;
      } finally {
        vi.useRealTimers();
      }
    });
    expect(failures()).toEqual([
      ['shard flush failed (attempt 1); will retry', `Error: D1 did not answer within ${D1_TIMEOUT_MS} ms`],
    ]);
    expect(await rowCount(stub, OUTBOX_ROWS)).toBe(1);
    expect(await storedTotals(site.id, url)).toEqual({ views: 1, shares: 0 });

    // The retry finds the batch committed, and clears it without counting it again.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await storedTotals(site.id, url)).toEqual({ views: 1, shares: 0 });
    expect(await rowCount(stub, OUTBOX_ROWS)).toBe(0);
    expect(failures()).toHaveLength(1);
  });
});
