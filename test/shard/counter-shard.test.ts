import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { readArticleCounts } from '../../src/db/counts';
import type { CounterShard, RecordRequest, ShardEvent } from '../../src/shard/counter-shard';
import { bucketOf, DAY_MS, dayOf, HOUR_MS } from '../../src/time';
import { BROWSER_UA, createSite, storedTotals } from '../support/helpers';

const event = (site: string, url: string, extra: Partial<ShardEvent> = {}): ShardEvent => ({
  site,
  url,
  type: 'view',
  network: '',
  title: null,
  image: null,
  section: null,
  published: null,
  siteMaxPerSecond: 5000,
  ...extra,
});

const request = (events: ShardEvent[], extra: Partial<RecordRequest> = {}): RecordRequest => ({
  receivedMs: Date.now(),
  ip: '198.51.100.9',
  userAgent: BROWSER_UA,
  events,
  ...extra,
});

/** Records one beacon; answers how many of its events counted. */
const recordOne = async (shard: DurableObjectStub<CounterShard>, beacon: RecordRequest) =>
  (await shard.record([beacon]))[0];

/** A shard of its own per test, so alarms and storage of other tests do not interfere. */
const isolatedShard = () => env.SHARDS.getByName(`test-${crypto.randomUUID()}`);

const rowCount = (stub: DurableObjectStub, table: string) =>
  runInDurableObject(
    stub,
    (_, state) => state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).one().n,
  );

/** Renames a D1 table away and back: a real D1 failure for whatever touches it meanwhile. */
async function withD1Broken<T>(table: string, during: () => Promise<T>): Promise<T> {
  await env.DB.exec(`ALTER TABLE ${table} RENAME TO ${table}_away`);
  try {
    return await during();
  } finally {
    await env.DB.exec(`ALTER TABLE ${table}_away RENAME TO ${table}`);
  }
}

/**
 * Captures console.error for the rest of the test: the shard reports each
 * failed flush there. Answers what was logged, each message with its error's text.
 */
function captureFlushFailures() {
  const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
  onTestFinished(() => spy.mockRestore());
  return () => spy.mock.calls.map(([message, err]) => [message, String(err)]);
}

const flushFailure = (attempt: number, table: string) => [
  `shard flush failed (attempt ${attempt}); will retry`,
  expect.stringContaining(`no such table: ${table}`),
];

describe('CounterShard', () => {
  it('should flush buffered increments to D1 exactly', async () => {
    const { id, host } = await createSite();
    const shard = isolatedShard();
    const a = `https://${host}/a`;
    const b = `https://${host}/b`;
    for (let visitor = 0; visitor < 7; visitor++) {
      await recordOne(
        shard,
        request([event(id, a), event(id, b, { type: 'share', network: 'x' })], { ip: `198.51.100.${visitor}` }),
      );
    }
    await recordOne(shard, request([event(id, a, { type: 'share', network: 'email' })]));
    expect(await storedTotals(id, a)).toEqual({ views: 0, shares: 0 });

    expect(await runDurableObjectAlarm(shard)).toBe(true);
    expect(await readArticleCounts(env.DB, id, a)).toEqual({
      url: a,
      views: 7,
      shares: { total: 1, by_network: { email: 1 } },
    });
    expect(await readArticleCounts(env.DB, id, b)).toEqual({
      url: b,
      views: 0,
      shares: { total: 7, by_network: { x: 7 } },
    });
    const hours = await env.DB.prepare('SELECT bucket, views, shares FROM article_hours WHERE site_id = ? AND url = ?')
      .bind(id, a)
      .all();
    expect(hours.results).toEqual([{ bucket: bucketOf(Date.now()), views: 7, shares: 1 }]);
    expect(await rowCount(shard, 'pending')).toBe(0);
    expect(await rowCount(shard, 'outbox')).toBe(0);
  });

  it('should answer how many events it counted', async () => {
    const { id, host } = await createSite();
    const shard = isolatedShard();
    const events = [event(id, `https://${host}/a`), event(id, `https://${host}/a`), event(id, `https://${host}/b`)];
    expect(await recordOne(shard, request(events))).toBe(2);
    expect(await recordOne(shard, request(events))).toBe(0);
  });

  it('should count a visitor again on the next UTC day', async () => {
    const { id, host } = await createSite();
    const shard = isolatedShard();
    const url = `https://${host}/a`;
    const midnight = (dayOf(Date.now()) + 1) * DAY_MS;
    expect(await recordOne(shard, request([event(id, url)], { receivedMs: midnight - 1 }))).toBe(1);
    expect(await recordOne(shard, request([event(id, url)], { receivedMs: midnight - 1 }))).toBe(0);
    expect(await recordOne(shard, request([event(id, url)], { receivedMs: midnight }))).toBe(1);
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
    const { id, host } = await createSite();
    const shard = isolatedShard();
    const url = `https://${host}/a`;
    for (let visitor = 0; visitor < 5; visitor++) {
      await recordOne(
        shard,
        request([event(id, url, { title: 'T' }), event(id, url, { type: 'share', network: 'x' })], {
          ip: `198.51.100.${visitor}`,
        }),
      );
    }
    const snapshot = await runInDurableObject(shard, (_, state) => ({
      pending: state.storage.sql.exec('SELECT * FROM pending').toArray(),
      meta: state.storage.sql.exec('SELECT * FROM pending_meta').toArray(),
    }));
    await runDurableObjectAlarm(shard);
    expect(await storedTotals(id, url)).toEqual({ views: 5, shares: 5 });

    // Put back the batch the flush just committed, as if the shard died before clearing it.
    await runInDurableObject(shard, async (_, state) => {
      const sql = state.storage.sql;
      const seq = sql.exec<{ value: number }>("SELECT value FROM state WHERE key = 'next_seq'").one().value - 1;
      for (const r of snapshot.pending)
        sql.exec('INSERT INTO outbox VALUES (?, ?, ?, ?, ?, ?)', seq, r.site, r.url, r.bucket, r.network, r.n);
      for (const r of snapshot.meta) {
        sql.exec(
          'INSERT INTO outbox_meta VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          seq,
          r.site,
          r.url,
          r.title,
          r.image,
          r.section,
          r.published,
          r.bucket,
        );
      }
      await state.storage.setAlarm(Date.now());
    });
    expect(await rowCount(shard, 'outbox')).toBe(2);

    expect(await runDurableObjectAlarm(shard)).toBe(true);
    expect(await storedTotals(id, url)).toEqual({ views: 5, shares: 5 });
    expect(await rowCount(shard, 'outbox')).toBe(0);
    expect(await rowCount(shard, 'outbox_meta')).toBe(0);
  });

  it('should keep a batch while D1 fails and deliver it once D1 is back, nothing lost', async () => {
    const { id, host } = await createSite();
    const shard = isolatedShard();
    const url = `https://${host}/a`;
    await recordOne(shard, request([event(id, url)], { ip: '198.51.100.1' }));
    const failures = captureFlushFailures();

    await withD1Broken('article_hours', async () => {
      // The flush fails; the shard keeps the batch and schedules a retry.
      expect(await runDurableObjectAlarm(shard)).toBe(true);
      expect(await rowCount(shard, 'outbox')).toBe(1);
      const retryAt = await runInDurableObject(shard, (_, state) => state.storage.getAlarm());
      expect(retryAt).not.toBeNull();
      // Events keep arriving while D1 is down.
      await recordOne(shard, request([event(id, url)], { ip: '198.51.100.2' }));
      expect(await runDurableObjectAlarm(shard)).toBe(true);
    });
    expect(await storedTotals(id, url)).toEqual({ views: 0, shares: 0 });
    expect(failures()).toEqual([flushFailure(1, 'article_hours'), flushFailure(2, 'article_hours')]);

    expect(await runDurableObjectAlarm(shard)).toBe(true);
    expect(await storedTotals(id, url)).toEqual({ views: 2, shares: 0 });
    expect(failures()).toHaveLength(2);
    expect(await rowCount(shard, 'outbox')).toBe(0);
    expect(await rowCount(shard, 'pending')).toBe(0);
  });

  it('should back off between retries while D1 keeps failing', async () => {
    const { id, host } = await createSite();
    const shard = isolatedShard();
    await recordOne(shard, request([event(id, `https://${host}/a`)]));
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
    const { id, host } = await createSite();
    const shard = isolatedShard();
    const urls = Array.from({ length: 230 }, (_, i) => `https://${host}/story-${i}`);
    for (let start = 0; start < urls.length; start += 20) {
      await recordOne(
        shard,
        request(urls.slice(start, start + 20).map((url) => event(id, url, { title: `Title of ${url}` }))),
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
    const { id, host } = await createSite();
    const shard = isolatedShard();
    const before = Date.now();
    await recordOne(shard, request([event(id, `https://${host}/a`)]));
    const at = await runInDurableObject(shard, (_, state) => state.storage.getAlarm());
    expect(at).toBeGreaterThanOrEqual(before + 3600 * 1000);
    expect(at).toBeLessThanOrEqual(Date.now() + 3600 * 1000);
  });

  it('should drop salts 48 hours after their day began, and dedup keys when their day ends', async () => {
    const { id, host } = await createSite();
    const shard = isolatedShard();
    const today = dayOf(Date.now());
    const url = `https://${host}/a`;
    await recordOne(shard, request([event(id, url)], { receivedMs: (today - 2) * DAY_MS + HOUR_MS }));
    await recordOne(shard, request([event(id, url)], { receivedMs: (today - 1) * DAY_MS + HOUR_MS }));
    await recordOne(shard, request([event(id, url)], { receivedMs: Date.now() }));
    expect(await rowCount(shard, 'salts')).toBe(3);

    await runDurableObjectAlarm(shard);
    const left = await runInDurableObject(shard, (_, state) => ({
      salts: state.storage.sql
        .exec<{ day: number }>('SELECT day FROM salts ORDER BY day')
        .toArray()
        .map((r) => r.day),
      seenDays: state.storage.sql
        .exec<{ day: number }>('SELECT DISTINCT day FROM seen')
        .toArray()
        .map((r) => r.day),
    }));
    expect(left).toEqual({ salts: [today - 1, today], seenDays: [today] });
    // An idle shard still wakes at midnight UTC to drop the next expired salt.
    const at = await runInDurableObject(shard, (_, state) => state.storage.getAlarm());
    expect(at).toBe((today + 1) * DAY_MS);
    expect(await storedTotals(id, url)).toEqual({ views: 3, shares: 0 });
  });

  it('should use a new salt each day, so visitor hashes cannot be linked across days', async () => {
    const shard = isolatedShard();
    const { id, host } = await createSite();
    const today = dayOf(Date.now());
    await recordOne(shard, request([event(id, `https://${host}/a`)], { receivedMs: (today - 1) * DAY_MS }));
    await recordOne(shard, request([event(id, `https://${host}/a`)], { receivedMs: today * DAY_MS }));
    const salts = await runInDurableObject(shard, (_, state) =>
      state.storage.sql.exec<{ salt: string }>('SELECT salt FROM salts').toArray(),
    );
    expect(salts).toHaveLength(2);
    expect(salts[0]!.salt).not.toBe(salts[1]!.salt);
  });

  it('should drop the increments of a site deleted before its flush', async () => {
    const { id, host } = await createSite();
    const shard = isolatedShard();
    await recordOne(shard, request([event(id, `https://${host}/a`, { title: 'T' })]));
    await env.DB.prepare('DELETE FROM sites WHERE id = ?').bind(id).run();
    await runDurableObjectAlarm(shard);
    expect(await rowCount(shard, 'outbox')).toBe(0);
    const rows = await env.DB.prepare('SELECT count(*) AS n FROM articles WHERE site_id = ?')
      .bind(id)
      .first<{ n: number }>();
    expect(rows!.n).toBe(0);
  });
});

describe('CounterShard.record with several beacons', () => {
  it('should count each beacon\u2019s events in one transaction, dedup across beacons too', async () => {
    const { id, host } = await createSite();
    const shard = isolatedShard();
    const url = `https://${host}/a`;
    const counted = await shard.record([
      request([event(id, url)], { ip: '198.51.100.1' }),
      request([event(id, url), event(id, `${url}x`)], { ip: '198.51.100.2' }),
      request([event(id, url)], { ip: '198.51.100.1' }),
    ]);
    expect(counted).toEqual([1, 2, 0]);
    await runDurableObjectAlarm(shard);
    expect(await storedTotals(id, url)).toEqual({ views: 2, shares: 0 });
  });
});

describe('CounterShard flush of site series', () => {
  it('should add the site\u2019s hourly totals and shares per network', async () => {
    const { id, host } = await createSite();
    const shard = isolatedShard();
    await shard.record([
      request([event(id, `https://${host}/a`), event(id, `https://${host}/b`, { type: 'share', network: 'x' })], {
        ip: '198.51.100.1',
      }),
      request([event(id, `https://${host}/b`), event(id, `https://${host}/b`, { type: 'share', network: 'x' })], {
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
    const { id, host } = await createSite();
    const shard = isolatedShard();
    const url = `https://${host}/a`;
    const second = Math.floor(Date.now() / 1000) * 1000;
    const beacons = Array.from({ length: 5 }, (_, i) =>
      request([event(id, url, { siteMaxPerSecond: 3 })], { ip: `198.51.100.${i}`, receivedMs: second + 10 }),
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
      request([event(a.id, `https://${a.host}/x`, { siteMaxPerSecond: 1 })], { ip: '198.51.100.1', receivedMs }),
      request([event(b.id, `https://${b.host}/x`, { siteMaxPerSecond: 1 })], { ip: '198.51.100.1', receivedMs }),
      request([event(a.id, `https://${a.host}/x`, { siteMaxPerSecond: 1 })], { ip: '198.51.100.2', receivedMs }),
    ]);
    expect(counted).toEqual([1, 1, 0]);
  });
});
