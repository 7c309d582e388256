import { createScheduledController, env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { applyFlush, flushQueries } from '../../src/db/counts';
import { rollUpSite } from '../../src/db/rollup';
import worker from '../../src/index';
import { readPopular } from '../../src/popular/read-popular';
import { RANK_BY, WINDOWS } from '../../src/ranking/windows';
import { READ_COUNTER, toFlushBatch } from '../../src/shard/batch';
import { bucketOf, dayOfBucket } from '../../src/time';
import { ADMIN, createSite, flushAllShards, postEvents, storedTotals, uniqueSiteId } from '../support/helpers';
import { type HourCounts, loadStoredSite, seedArticles } from '../support/seed';

// Every test of this file rolls up as of the same moment: the cron handler
// visits every site of the file's database.
const NOW = Date.UTC(2026, 10, 20, 10, 30);
const C = bucketOf(NOW);
const TODAY = dayOfBucket(C);

/** The Worker's own scheduled handler, as the cron trigger calls it. */
const runCron = () => worker.scheduled(createScheduledController({ scheduledTime: NOW, cron: '7 * * * *' }), env);

/** Deterministic counts in most hours of the last `days` days. */
const spread = (seed: number, days: number): HourCounts[] =>
  Array.from({ length: days * 24 }, (_, age): HourCounts => {
    const views = (seed * 7 + age * 13) % 5;
    return [C - age, views, (seed + age) % 7 === 0 ? 1 : 0, Math.min(views, (seed + age * 3) % 4)];
  }).filter(([, views, shares]) => views + (shares ?? 0) > 0);

const count = async (sql: string, ...params: unknown[]) =>
  (await env.DB.prepare(sql)
    .bind(...params)
    .first<{ n: number }>())!.n;

describe('rollup', () => {
  it('should answer every window and by identically before and after each cron run', async () => {
    const created = await createSite(undefined, { settings: { share_weight: 3 } });
    await seedArticles(
      created,
      Array.from({ length: 6 }, (_, i) => ({
        path: `story-${i}`,
        section: i % 2 ? 'City' : 'Sport',
        hours: spread(i, 40),
      })),
    );
    const site = await loadStoredSite(created.id);
    const answers = async () => {
      const all = [];
      for (const window of WINDOWS) {
        for (const by of RANK_BY) {
          all.push(await readPopular(env.DB, site, { window, by, limit: 50, section: null, exclude: [] }, NOW));
        }
      }
      return all;
    };

    const before = await answers();
    expect(before.every((list) => list.items.length > 0)).toBe(true);
    // 40 days behind: the site catches up a few days per run.
    for (let run = 0; run < 15; run++) {
      await runCron();
      expect(await answers()).toEqual(before);
    }
    expect(await count('SELECT rolled_through_day AS n FROM rollup_state WHERE site_id = ?', site.id)).toBe(TODAY - 1);
    expect(await count('SELECT count(*) AS n FROM article_days WHERE site_id = ?', site.id)).toBeGreaterThan(0);
    // Hours older than 31 days are gone, their counts kept in daily rows and totals.
    expect(await count('SELECT min(bucket) AS n FROM article_hours WHERE site_id = ?', site.id)).toBeGreaterThan(
      C - 31 * 24,
    );
  }, 60_000);

  it('should sum each finished day into one daily row per article and advance the watermark', async () => {
    const created = await createSite();
    await seedArticles(created, [
      {
        path: 'a',
        hours: [
          [(TODAY - 2) * 24, 1, 0, 1],
          [(TODAY - 2) * 24 + 23, 2, 1, 1],
          [(TODAY - 1) * 24 + 5, 4, 0],
          [C, 8, 0, 8],
        ],
      },
      { path: 'b', hours: [[(TODAY - 1) * 24 + 23, 16, 2, 5]] },
    ]);
    const site = await loadStoredSite(created.id);
    await rollUpSite(env.DB, site, NOW);
    const { results } = await env.DB.prepare(
      'SELECT day, url, views, shares, reads FROM article_days WHERE site_id = ? ORDER BY day, url',
    )
      .bind(site.id)
      .all();
    const url = (path: string) => `https://${created.host}/${path}`;
    expect(results).toEqual([
      { day: TODAY - 2, url: url('a'), views: 3, shares: 1, reads: 2 },
      { day: TODAY - 1, url: url('a'), views: 4, shares: 0, reads: 0 },
      { day: TODAY - 1, url: url('b'), views: 16, shares: 2, reads: 5 },
    ]);
    expect(await count('SELECT rolled_through_day AS n FROM rollup_state WHERE site_id = ?', site.id)).toBe(TODAY - 1);

    // Run again: nothing new to roll, nothing changes.
    await rollUpSite(env.DB, site, NOW);
    expect(
      (
        await env.DB.prepare(
          'SELECT day, url, views, shares, reads FROM article_days WHERE site_id = ? ORDER BY day, url',
        )
          .bind(site.id)
          .all()
      ).results,
    ).toEqual(results);
  });

  it('should add counts flushed into a rolled-up day to its daily rows', async () => {
    // Events are bucketed at the real time: roll up as of two days later, so
    // that today is already rolled up when the shard flushes them.
    const later = Date.now() + 2 * 86_400_000;
    const created = await createSite();
    const [url] = await seedArticles(created, [{ path: 'late', hours: [[bucketOf(Date.now()), 5, 0]] }]);
    const site = await loadStoredSite(created.id);
    await rollUpSite(env.DB, site, later);
    const read = () =>
      readPopular(env.DB, site, { window: '7d', by: 'score', limit: 10, section: null, exclude: [] }, later);
    expect((await read()).items).toEqual([expect.objectContaining({ url, views: 5, shares: 0 })]);

    // An hour already stored gets more counts; an article first counted now gets its first hour.
    const origin = `https://${created.host}`;
    await postEvents(
      [
        { site: site.id, type: 'view', url },
        { site: site.id, type: 'share', url, network: 'x' },
      ],
      { origin },
    );
    await postEvents({ site: site.id, type: 'view', url: `${origin}/new` }, { origin });
    await flushAllShards();

    expect((await read()).items).toEqual([
      expect.objectContaining({ url, views: 6, shares: 1, score: 11 }),
      expect.objectContaining({ url: `${origin}/new`, views: 1, shares: 0 }),
    ]);
    expect(await count('SELECT sum(views) AS n FROM article_days WHERE site_id = ?', site.id)).toBe(7);
  });

  it('should add reads flushed into a rolled-up day to its daily row, in an hour stored already or a new one', async () => {
    const created = await createSite();
    const day = TODAY - 1;
    const [url] = await seedArticles(created, [{ path: 'a', hours: [[day * 24 + 3, 5, 0, 2]] }]);
    await rollUpSite(env.DB, await loadStoredSite(created.id), NOW);
    const daily = () =>
      env.DB.prepare('SELECT views, shares, reads FROM article_days WHERE site_id = ? AND day = ?')
        .bind(created.id, day)
        .first();
    expect(await daily()).toEqual({ views: 5, shares: 0, reads: 2 });
    // A shard that was retrying flushes a read into the stored hour and one into an hour new to D1.
    const increment = (bucket: number) => ({
      site: created.id,
      siteCreatedAt: '',
      url: url!,
      bucket,
      network: READ_COUNTER,
      n: 1,
    });
    const batch = toFlushBatch([increment(day * 24 + 3), increment(day * 24 + 20)], []);
    await applyFlush(env.DB, flushQueries({ shard: `shard-${crypto.randomUUID()}`, epoch: 1 }, 1, batch, NOW));
    expect(await daily()).toEqual({ views: 5, shares: 0, reads: 4 });
    const read = await readPopular(
      env.DB,
      await loadStoredSite(created.id),
      { window: '7d', by: 'reads', limit: 10, section: null, exclude: [] },
      NOW,
    );
    expect(read.items).toEqual([expect.objectContaining({ url, views: 5, reads: 4 })]);
  });

  it('should leave days not yet rolled up to the rollup, whatever a flush writes', async () => {
    const created = await createSite();
    await rollUpSite(env.DB, await loadStoredSite(created.id), Date.now());
    await postEvents(
      { site: created.id, type: 'view', url: `https://${created.host}/a` },
      { origin: `https://${created.host}` },
    );
    await flushAllShards();
    expect(await storedTotals(created.id, `https://${created.host}/a`)).toEqual({ views: 1, shares: 0 });
    expect(await count('SELECT count(*) AS n FROM article_days WHERE site_id = ?', created.id)).toBe(0);
  });

  it('should keep the site’s retention: hourly rows past it once rolled up, daily rows past theirs, never totals', async () => {
    const created = await createSite(undefined, { settings: { hourly_retention_days: 35, daily_retention_days: 60 } });
    const [url] = await seedArticles(created, [
      {
        path: 'a',
        hours: [
          [C - 70 * 24, 1, 0],
          [C - 40 * 24, 2, 0],
          [C - 34 * 24, 4, 0],
          [C, 8, 0],
        ],
        totals: { views: 1000, shares: 9 },
      },
    ]);
    const site = await loadStoredSite(created.id);
    for (let run = 0; run < 30; run++) await rollUpSite(env.DB, site, NOW);

    const hours = await env.DB.prepare('SELECT bucket FROM article_hours WHERE site_id = ? ORDER BY bucket')
      .bind(site.id)
      .all<{ bucket: number }>();
    expect(hours.results.map((r) => C - r.bucket)).toEqual([34 * 24, 0]);
    const days = await env.DB.prepare('SELECT day, views FROM article_days WHERE site_id = ? ORDER BY day')
      .bind(site.id)
      .all();
    // The 70-day-old hour is past daily retention: never rolled up, its hour deleted.
    expect(days.results).toEqual([
      { day: dayOfBucket(C - 40 * 24), views: 2 },
      { day: dayOfBucket(C - 34 * 24), views: 4 },
    ]);
    expect(await storedTotals(site.id, url!)).toEqual({ views: 1000, shares: 9 });
    const all = await readPopular(
      env.DB,
      site,
      { window: 'all', by: 'views', limit: 10, section: null, exclude: [] },
      NOW,
    );
    expect(all.items[0]).toMatchObject({ views: 1000, shares: 9 });
  });

  it('should refuse retention shorter than the 30-day window needs', async () => {
    for (const settings of [
      { hourly_retention_days: 30 },
      { daily_retention_days: 7 },
      { hourly_retention_days: 31.5 },
    ]) {
      const id = uniqueSiteId();
      const response = await SELF.fetch('https://api.test/api/v1/admin/sites', {
        method: 'POST',
        headers: { ...ADMIN, 'Content-Type': 'application/json' },
        body: JSON.stringify({ id, name: 'R', hosts: [`${id}.example`], settings }),
      });
      expect(response.status).toBe(400);
    }
  });

  it('should delete a site’s daily rows and watermark with the site', async () => {
    const created = await createSite();
    await seedArticles(created, [{ path: 'a', hours: [[C - 30, 3, 0]] }]);
    await rollUpSite(env.DB, await loadStoredSite(created.id), NOW);
    expect(await count('SELECT count(*) AS n FROM article_days WHERE site_id = ?', created.id)).toBe(1);

    const response = await SELF.fetch(`https://api.test/api/v1/admin/sites/${created.id}`, {
      method: 'DELETE',
      headers: ADMIN,
    });
    expect(response.status).toBe(204);
    expect(await count('SELECT count(*) AS n FROM article_days WHERE site_id = ?', created.id)).toBe(0);
    expect(await count('SELECT count(*) AS n FROM rollup_state WHERE site_id = ?', created.id)).toBe(0);
  });
});
