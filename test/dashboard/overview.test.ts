import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Series, Step } from '../../common/dashboard-json';
import { scriptJson } from '../../src/dashboard/views/layout';
import { applyFlush } from '../../src/db/counts';
import { periodSpan, previousSpan, readNetworkShares, readSiteSeries, readSiteTotals } from '../../src/db/series';
import { setAsideQueries } from '../../src/db/set-aside';
import { getSite } from '../../src/db/sites';
import { bucketOf, DAY_MS, dayOfBucket, firstBucketOfLocalDay, localDayOfBucket } from '../../src/time';
import { seedBoxDays } from '../recirculation/box-support';
import { createSite, expectError, flushAllShards, postEvents } from '../support/helpers';
import { seedArticles } from '../support/seed';
import { dashboard, expectNoSuchSitePage, insertRows, jsonBlock } from './dashboard-support';

/** Hours of a site's counts; reads 0 unless given. */
const seedSiteHours = (site: string, rows: [bucket: number, views: number, shares: number, reads?: number][]) =>
  insertRows(
    'site_hours',
    ['bucket', 'views', 'shares', 'reads'],
    site,
    rows.map(([bucket, views, shares, reads = 0]) => [bucket, views, shares, reads]),
  );

const seedNetworkHours = (site: string, rows: [bucket: number, network: string, shares: number][]) =>
  insertRows('site_network_hours', ['bucket', 'network', 'shares'], site, rows);

/** Reads of seeded articles' hours, as a flush adds them: to the hour (whose triggers keep window totals) and to the article. */
async function seedReads(site: string, rows: [url: string, bucket: number, reads: number][]) {
  await env.DB.batch(
    rows.flatMap(([url, bucket, reads]) => [
      env.DB.prepare(
        'UPDATE article_hours SET reads = reads + ?3 WHERE site_id = ?1 AND url = ?2 AND bucket = ?4',
      ).bind(site, url, reads, bucket),
      env.DB.prepare('UPDATE articles SET reads = reads + ?3 WHERE site_id = ?1 AND url = ?2').bind(site, url, reads),
    ]),
  );
}

/** The articles of the top table, by key, in its order. */
const topUrls = (html: string) =>
  [...html.matchAll(/<td class="title"><a href="\/dashboard\/sites\/[^/]+\/articles\?url=([^"]+)"/g)].map((m) =>
    decodeURIComponent(m[1]!),
  );

/** The top table's rows: each article's title, and the numbers of its row in order. */
const topRows = (html: string) =>
  Object.fromEntries(
    [...html.matchAll(/<tr><td class="rank num">.*?<\/tr>/gs)].map(([row]) => [
      /<td class="title"><a [^>]*>([^<]*)<\/a>/.exec(row)![1],
      [...row.matchAll(/<td class="num[^"]*"[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]),
    ]),
  );

/** A span of UTC hours or days. */
const utc = (step: Step, from: number, to: number) => ({ step, from, to, zone: 'UTC' });

describe('periods', () => {
  it('should chart a day or a week by the hour and a month or a quarter by the UTC day, ending now', () => {
    const bucket = 100 * 24 + 10; // 10:00 on day 100
    expect(periodSpan('24h', bucket, 'UTC')).toEqual(utc('hour', bucket - 23, bucket));
    expect(periodSpan('7d', bucket, 'UTC')).toEqual(utc('hour', bucket - 167, bucket));
    expect(periodSpan('30d', bucket, 'UTC')).toEqual(utc('day', 71, 100));
    expect(periodSpan('90d', bucket, 'UTC')).toEqual(utc('day', 11, 100));
    expect(previousSpan(utc('day', 71, 100))).toEqual(utc('day', 41, 70));
    expect(previousSpan(utc('hour', 10, 10))).toEqual(utc('hour', 9, 9));
  });
});

describe('site series from site_hours', () => {
  it('should give a point per hour with zeros for quiet hours, and only this site and span', async () => {
    const { id } = await createSite();
    const { id: other } = await createSite();
    await seedSiteHours(id, [
      [998, 5, 1, 3],
      [1000, 7, 2, 4],
      [1001, 100, 100, 100],
      [996, 100, 100, 100],
    ]);
    await seedSiteHours(other, [[999, 50, 50]]);
    expect(await readSiteSeries(env.DB, id, utc('hour', 997, 1000))).toEqual({
      step: 'hour',
      zone: 'UTC',
      times: [997, 998, 999, 1000].map((b) => b * 3600),
      views: [0, 5, 0, 7],
      shares: [0, 1, 0, 2],
      reads: [0, 3, 0, 4],
    });
    expect(await readSiteTotals(env.DB, id, utc('hour', 997, 1000))).toEqual({ views: 12, shares: 3, reads: 7 });
    expect(await readSiteTotals(env.DB, id, utc('hour', 2000, 2001))).toEqual({ views: 0, shares: 0, reads: 0 });
  });

  it('should sum a UTC day from its 24 hours, the day boundary exact', async () => {
    const { id } = await createSite();
    // Day 41 is buckets 984..1007.
    await seedSiteHours(id, [
      [983, 1, 0, 1],
      [984, 2, 1, 1],
      [1007, 3, 1, 2],
      [1008, 4, 2, 0],
    ]);
    expect(await readSiteSeries(env.DB, id, utc('day', 40, 42))).toEqual({
      step: 'day',
      zone: 'UTC',
      times: [40, 41, 42].map((d) => d * 86_400),
      views: [1, 5, 4],
      shares: [0, 2, 2],
      reads: [1, 3, 0],
    });
    expect(await readSiteTotals(env.DB, id, utc('day', 41, 41))).toEqual({ views: 5, shares: 2, reads: 3 });
  });

  it('should give shares per network over the span, most shared first, then by name', async () => {
    const { id } = await createSite();
    await seedNetworkHours(id, [
      [10, 'x', 2],
      [11, 'x', 1],
      [11, 'email', 3],
      [11, 'bluesky', 3],
      [12, 'reddit', 9],
      [11, 'copy', 0],
    ]);
    expect(await readNetworkShares(env.DB, id, utc('hour', 10, 11))).toEqual([
      { network: 'bluesky', shares: 3 },
      { network: 'email', shares: 3 },
      { network: 'x', shares: 3 },
    ]);
  });
});

describe('overview page', () => {
  it('should show the period: chart data, totals against the period before, networks', async () => {
    const { id } = await createSite();
    const now = bucketOf(Date.now());
    await seedSiteHours(id, [
      [now, 30, 3, 12],
      [now - 5, 10, 1, 4],
      [now - 23, 60, 6, 20],
      [now - 24, 50, 0, 9],
      [now - 40, 50, 0, 9],
    ]);
    await seedNetworkHours(id, [
      [now, 'whatsapp', 3],
      [now - 23, 'x', 7],
      [now - 30, 'reddit', 5],
    ]);

    const response = await dashboard(`/dashboard?site=${id}&period=24h`);
    expect(response.status).toBe(200);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const html = await response.text();
    const series = jsonBlock(html, 'series') as Series;
    expect(series.step).toBe('hour');
    expect(series.times).toHaveLength(24);
    expect(series.times[0]).toBe((now - 23) * 3600);
    expect(series.times.at(-1)).toBe(now * 3600);
    expect(series.views.reduce((a, b) => a + b)).toBe(100);
    expect(series.views[0]).toBe(60);
    expect(series.views.at(-1)).toBe(30);
    expect(series.shares.reduce((a, b) => a + b)).toBe(10);
    expect(series.reads).toHaveLength(24);
    expect(series.reads[0]).toBe(20);
    expect(series.reads[18]).toBe(4);
    expect(series.reads.at(-1)).toBe(12);
    expect(series.reads.reduce((a, b) => a + b)).toBe(36);

    expect(html).toContain('data-chart="views"');
    expect(html).toContain('data-chart="shares"');
    expect(html).toContain('data-chart="reads"');
    expect(html).toContain('Reads per hour');
    // 36 reads against 18 the 24 hours before.
    expect(html).toMatch(
      /<section class="card kpi" aria-label="Reads"><div class="label">Reads<\/div><div class="value">36<\/div><span class="change up">▲ 100% vs previous 24 hours<\/span>/,
    );
    // 100 views against 100 the 24 hours before; 10 shares against none.
    expect(html).toMatch(/<div class="value">100<\/div><span class="change ">= 0% vs previous 24 hours<\/span>/);
    expect(html).toContain('no counts in the previous 24 hours');
    // Networks over the period only: reddit's shares are older than 24 hours.
    expect(html).toMatch(
      /<span>X<\/span>.*<span class="num">7<\/span>.*<span>WhatsApp<\/span>.*<span class="num">3<\/span>/s,
    );
    expect(html).not.toContain('<span>Reddit</span>');
  });

  it('should chart 30 days as 30 daily points', async () => {
    const { id } = await createSite();
    const now = bucketOf(Date.now());
    await seedSiteHours(id, [
      [now, 4, 0],
      [now - 24 * 29, 6, 0],
    ]);
    const html = await (await dashboard(`/dashboard?site=${id}&period=30d`)).text();
    const series = jsonBlock(html, 'series') as { step: string; times: number[]; views: number[] };
    expect(series.step).toBe('day');
    expect(series.times).toHaveLength(30);
    expect(series.views.reduce((a, b) => a + b)).toBe(10);
    expect(html).toContain('Views per day');
  });

  it('should rank the top articles exactly as the popular endpoint does, for each window and metric', async () => {
    const site = await createSite(undefined, { settings: { share_weight: 10 } });
    const { id } = site;
    const now = bucketOf(Date.now());
    const [alpha, bravo, charlie] = await seedArticles(site, [
      {
        path: 'a',
        title: 'Alpha',
        hours: [
          [now, 10, 0],
          [now - 30, 100, 0],
        ],
      },
      { path: 'b', title: 'Bravo', hours: [[now, 5, 2]] },
      { path: 'c', title: 'Charlie', hours: [[now - 2, 12, 0]] },
    ]);
    await seedReads(id, [
      [alpha!, now, 1],
      [alpha!, now - 30, 50],
      [bravo!, now, 4],
      [charlie!, now - 2, 3],
    ]);

    for (const [window, by] of [
      ['1h', 'views'],
      ['24h', 'views'],
      ['7d', 'views'],
      ['24h', 'score'],
      ['all', 'shares'],
      ['7d', 'trending'],
      ['24h', 'reads'],
      ['all', 'reads'],
    ]) {
      const html = await (await dashboard(`/dashboard?site=${id}&window=${window}&by=${by}`)).text();
      const shown = topUrls(html);
      const api = await (
        await SELF.fetch(`https://api.test/api/v1/sites/${id}/popular?window=${window}&by=${by}&limit=20`)
      ).json<{ items: { url: string }[] }>();
      expect(shown, `${window} ${by}`).toEqual(api.items.map((item) => item.url));
      expect(shown.length).toBeGreaterThan(0);
      expect(html).toContain(`href="/dashboard?site=${id}&amp;period=7d&amp;window=${window}&amp;by=views"`);
    }
    // Alpha leads over 7 days, Charlie over the last 24 hours.
    const html = await (await dashboard(`/dashboard?site=${id}&window=24h&by=views`)).text();
    expect(html.indexOf('Charlie')).toBeLessThan(html.indexOf('Alpha'));
    // By reads over 24 hours: Bravo (4), Charlie (3), Alpha (1), against Charlie, Alpha, Bravo by views.
    const byReads = await (await dashboard(`/dashboard?site=${id}&window=24h&by=reads`)).text();
    expect(topUrls(byReads)).toEqual([bravo, charlie, alpha]);
    expect(byReads).toContain(
      `href="/dashboard?site=${id}&amp;period=7d&amp;window=24h&amp;by=reads" aria-current="true">Reads</a>`,
    );
    expect(byReads).toContain('<small>by reads, 24h</small>');
  });

  it('should give each top article its reads and reads per view, as counted in the window', async () => {
    const site = await createSite();
    const now = bucketOf(Date.now());
    const [often, , rarely] = await seedArticles(site, [
      { path: 'often', hours: [[now, 8, 0]] },
      { path: 'never', hours: [[now, 6, 1]] },
      {
        path: 'rarely',
        hours: [
          [now - 1, 3, 0],
          [now - 40, 100, 0],
        ],
      },
    ]);
    await seedReads(site.id, [
      [often!, now, 6],
      [rarely!, now - 1, 1],
      // Outside the 24 hours: counted in all time, not in the window.
      [rarely!, now - 40, 90],
    ]);
    const html = await (await dashboard(`/dashboard?site=${site.id}&window=24h&by=views`)).text();
    expect(html).toMatch(/<th scope="col" class="num">Reads<\/th><th scope="col" class="num">Reads per view<\/th>/);
    // Views, shares, reads, reads per view, score.
    expect(topRows(html)).toEqual({
      'Title of often': ['8', '0', '6', '75.0%', '8'],
      'Title of never': ['6', '1', '0', '0.0%', '11'],
      'Title of rarely': ['3', '0', '1', '33.3%', '3'],
    });
  });

  it('should link each top article out to its page as the page gave it, else to its key', async () => {
    const site = await createSite();
    const now = bucketOf(Date.now());
    const [checked, seeded] = await seedArticles(site, [
      { path: 'checked', hours: [[now, 2, 0]] },
      { path: 'seeded', hours: [[now, 1, 0]] },
    ]);
    const page = `http://${site.host}:8080/checked`;
    await env.DB.prepare('UPDATE articles SET page_url = ? WHERE site_id = ? AND url = ?')
      .bind(page, site.id, checked!)
      .run();
    const html = await (await dashboard(`/dashboard?site=${site.id}`)).text();
    const outbound = [...html.matchAll(/<a href="([^"]+)" target="_blank" rel="noopener">([^<]*)<\/a>/g)];
    expect(outbound.map((m) => [m[1], m[2]])).toEqual([
      [page, '/checked'],
      [seeded, '/seeded'],
    ]);
  });

  it('should show a site in Europe/Paris by its local days, the last one starting at local midnight', async () => {
    const { id } = await createSite(undefined, { settings: { time_zone: 'Europe/Paris' } });
    const now = bucketOf(Date.now());
    const todayStart = firstBucketOfLocalDay(localDayOfBucket(now, 'Europe/Paris'), 'Europe/Paris');
    // The last hour of yesterday and the first of today in Paris: one UTC day holds both.
    await seedSiteHours(id, [
      [todayStart - 1, 2, 0],
      [todayStart, 1, 0],
    ]);
    const html = await (await dashboard(`/dashboard?site=${id}&period=30d`)).text();
    const series = jsonBlock(html, 'series') as { step: string; zone: string; times: number[]; views: number[] };
    expect(series.step).toBe('day');
    expect(series.zone).toBe('Europe/Paris');
    expect(series.times).toHaveLength(30);
    expect(series.times.at(-1)).toBe(todayStart * 3600);
    const parisClock = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', timeStyle: 'short' });
    for (const time of series.times) expect(parisClock.format(time * 1000)).toBe('00:00');
    expect(series.views.slice(-2)).toEqual([2, 1]);
    expect(html).toContain('Views per day <small>Europe/Paris · last 30 days');
    expect(html).toMatch(/since <span data-live="hour">\d\d:00 Europe\/Paris<\/span>/);
    expect(html).not.toContain('a day here runs from');
  });

  it('should say how a zone a half hour off UTC cuts its days', async () => {
    const { id } = await createSite(undefined, { settings: { time_zone: 'Asia/Kolkata' } });
    const daily = await (await dashboard(`/dashboard?site=${id}&period=30d`)).text();
    expect(daily).toContain(
      'Counts are kept per UTC hour, so a day here runs from 00:30 to 00:30: each hour counts in the day it starts in.',
    );
    expect(daily).toMatch(/since <span data-live="hour">\d\d:30 Asia\/Kolkata<\/span>/);
    const hourly = await (await dashboard(`/dashboard?site=${id}&period=24h`)).text();
    expect(hourly).not.toContain('a day here runs from');
  });

  it('should escape article titles and keep the JSON block unbreakable', async () => {
    const site = await createSite();
    const { id } = site;
    await seedArticles(site, [
      { path: 'x', title: '<img src=x onerror=alert(1)></script>', hours: [[bucketOf(Date.now()), 3, 0]] },
    ]);
    const html = await (await dashboard(`/dashboard?site=${id}`)).text();
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;');
    expect(html).not.toContain('<img src=x');
    expect(scriptJson({ t: '</script><script>alert(1)</script>&\u2028' })).toBe(
      '{"t":"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\\u0026\\u2028"}',
    );
    expect(JSON.parse(scriptJson({ t: '</script>&\u2028' }))).toEqual({ t: '</script>&\u2028' });
  });

  it('should fall back to the defaults for choices that do not exist, and say when a site does not', async () => {
    const { id } = await createSite();
    const html = await (await dashboard(`/dashboard?site=${id}&period=5y&window=2h&by=likes`)).text();
    expect(html).toContain(
      `<a href="/dashboard?site=${id}&amp;period=7d&amp;window=24h&amp;by=views" aria-current="true">7d</a>`,
    );
    await expectNoSuchSitePage('/dashboard?site=no-such-site');
  });
});

describe('live hour', () => {
  it('should answer the current hour beside the one before, counted through the real beacon path', async () => {
    const { id, host } = await createSite();
    const now = bucketOf(Date.now());
    await seedSiteHours(id, [[now - 1, 8, 1, 5]]);
    for (const [ip, url] of [
      ['203.0.113.1', '/story'],
      ['203.0.113.2', '/story'],
      ['203.0.113.3', '/other'],
    ]) {
      expect(
        (
          await postEvents(
            { site: id, type: 'view', url: `https://${host}${url}`, title: `T ${url}` },
            { origin: `https://${host}`, ip },
          )
        ).status,
      ).toBe(202);
    }
    await postEvents(
      { site: id, type: 'share', network: 'x', url: `https://${host}/story` },
      { origin: `https://${host}` },
    );
    // The first reader of /story stayed: a read of the visitor whose view counted.
    await postEvents(
      { site: id, type: 'read', url: `https://${host}/story` },
      { origin: `https://${host}`, ip: '203.0.113.1' },
    );
    await flushAllShards();

    const response = await dashboard(`/dashboard/api/live?site=${id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const live = await response.json<Record<string, unknown>>();
    expect(live).toMatchObject({
      hour_start: new Date(now * 3_600_000).toISOString(),
      current: { views: 3, shares: 1, reads: 1 },
      previous: { views: 8, shares: 1, reads: 5 },
      items: [
        { rank: 1, url: `https://${host}/story`, title: 'T /story', views: 2, shares: 1 },
        { rank: 2, url: `https://${host}/other`, title: 'T /other', views: 1, shares: 0 },
      ],
    });
    // The page renders the same numbers before its script refreshes them.
    const html = await (await dashboard(`/dashboard?site=${id}`)).text();
    expect(html).toContain(`data-live-endpoint="/dashboard/api/live?site=${id}"`);
    expect(html).toMatch(/<div class="value" data-live="views">3<\/div>/);
    expect(html).toMatch(/<div class="value" data-live="reads">1<\/div>/);
    expect(html).toContain('<span data-live="previous-reads">5</span>');
  });

  it('should answer 404 and 400 in the API error shape', async () => {
    await expectError(await dashboard('/dashboard/api/live?site=no-such-site'), 404, 'unknown_site');
    await expectError(await dashboard('/dashboard/api/live?site=Not_An_Id'), 400, 'invalid_request');
  });
});

describe('counts set aside', () => {
  it('should list what a shard set aside, in no number of the page, and nothing when there is none', async () => {
    const { id, host } = await createSite();
    expect(await (await dashboard(`/dashboard?site=${id}`)).text()).not.toContain('Counts set aside');

    const { created_at } = (await getSite(env.DB, id))!;
    const row = {
      site: id,
      siteCreatedAt: created_at,
      url: `https://${host}/refused`,
      bucket: bucketOf(Date.UTC(2026, 0, 2, 3, 30)),
      network: 'x',
      n: 2,
      title: null,
      image: null,
      section: null,
      published: null,
    };
    const source = { shard: `overview-${id}`, epoch: 1 };
    const setAsideAt = Date.UTC(2026, 0, 2, 3, 4);
    await applyFlush(env.DB, setAsideQueries(source, 1, row, 'Error: D1_ERROR: <refused>', setAsideAt));
    await applyFlush(env.DB, setAsideQueries(source, 2, { ...row, network: '', n: 1 }, 'Error: again', setAsideAt));

    const html = await (await dashboard(`/dashboard?site=${id}`)).text();
    expect(html).toContain('Counts set aside');
    expect(html).toMatch(
      new RegExp(
        `<td class="title">https://${host}/refused</td><td>2 shares \\(X\\)</td><td>2026-01-02 03:00</td>` +
          '<td>2026-01-02 03:04</td><td><code>Error: D1_ERROR: &lt;refused&gt;</code></td>',
      ),
    );
    expect(html).toContain('<td>1 view</td>');
    // Not counted anywhere else on the page.
    expect(html).toContain('No article has counts in this window yet.');
  });
});

describe('ledger panel', () => {
  const today = dayOfBucket(bucketOf(Date.now()));
  const date = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

  /** Each day's tallies by outcome, as shard flushes leave them in D1. */
  const seedLedger = (site: string, days: Record<number, Record<string, number>>) =>
    insertRows(
      'site_ledger',
      ['day', 'outcome', 'n'],
      site,
      Object.entries(days).flatMap(([day, outcomes]) =>
        Object.entries(outcomes).map(([outcome, n]) => [Number(day), outcome, n]),
      ),
    );

  /** The ledger panel's part of the page. */
  const panel = (html: string) => /<section[^>]*aria-labelledby="ledger-heading".*?<\/section>/s.exec(html)![0];

  it('should stack a bar per UTC day of the period and total every outcome', async () => {
    const { id } = await createSite();
    await seedLedger(id, {
      [today]: { view: 30, share: 5, read: 8, ip_cap: 12, bot: 3, no_view: 2 },
      [today - 2]: { view: 10, repeat: 4 },
      // Before the 30 days shown.
      [today - 30]: { view: 1000 },
    });
    const html = panel(await (await dashboard(`/dashboard?site=${id}&period=30d`)).text());
    expect(html).toContain(`${date(today - 29)} to ${date(today)}`);
    // A bar per day, days without events too, and a part per outcome of the day.
    expect(html.match(/<g>/g)).toHaveLength(30);
    // Views, shares and reads.
    expect(html).toContain(`<title>${date(today)}: 43 counted</title>`);
    expect(html).toContain(`<title>${date(today)}: 2 reads without a counted view</title>`);
    expect(html).toContain(`<title>${date(today)}: 12 over the per-ip cap</title>`);
    expect(html).toContain(`<title>${date(today - 2)}: 4 repeats (visitor already counted that day)</title>`);
    // The tallest day fills the chart's height.
    expect(html).toMatch(/<rect x="291" y="0.00" width="8" height="[\d.]+" fill="#[0-9a-f]{6}">/);
    const total = (part: string) =>
      new RegExp(`<tr data-ledger="${part}">.*?<td class="num">([^<]+)</td></tr>`, 's').exec(html)?.[1];
    expect(total('counted')).toBe('53');
    expect(total('ip_cap')).toBe('12');
    expect(total('bot')).toBe('3');
    expect(total('repeat')).toBe('4');
    expect(total('gpc')).toBe('0');
    expect(total('no_view')).toBe('2');
    expect(total('received')).toBe('74');
  });

  it('should say so when no event was received in the period', async () => {
    const { id } = await createSite();
    const html = panel(await (await dashboard(`/dashboard?site=${id}`)).text());
    expect(html).toContain('No events received in these days yet.');
    expect(html).not.toContain('<rect');
  });
});

describe('popular box panel', () => {
  const today = dayOfBucket(bucketOf(Date.now()));
  const date = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

  /** The popular box panel's part of the page. */
  const panel = (html: string) =>
    html.slice(html.indexOf('aria-labelledby="box-heading"'), html.indexOf('aria-labelledby="ledger-heading"'));

  /** A table row's cells, by its data attribute. */
  const cells = (html: string, attribute: string) =>
    [
      ...(new RegExp(`<tr ${attribute}>(.*?)</tr>`, 's').exec(html)?.[1] ?? '').matchAll(
        /<t[hd][^>]*>([^<]*)<\/t[hd]>/g,
      ),
    ].map((m) => m[1]);

  it("should give each list's impressions, clicks, quality clicks and click-through over the period's UTC days", async () => {
    const { id } = await createSite();
    const other = await createSite();
    await seedBoxDays(id, [
      [today, 'views-24h', 0, 200, 0, 0],
      [today, 'views-24h', 1, 0, 20, 12],
      [today, 'views-24h', 3, 0, 5, 2],
      [today - 1, 'views-24h', 0, 100, 0, 0],
      [today - 1, 'views-24h', 1, 0, 10, 3],
      [today, 'trending', 0, 50, 0, 0],
      [today, 'trending', 2, 0, 1, 1],
      // Before the period's days.
      [today - 30, 'views-24h', 0, 1000, 0, 0],
      [today - 30, 'reads-7d', 4, 0, 9, 9],
    ]);
    await seedBoxDays(other.id, [[today, 'views-24h', 0, 5000, 0, 0]]);

    const html = panel(await (await dashboard(`/dashboard?site=${id}&period=7d`)).text());
    // The UTC days the period's 168 hours touch.
    const first = dayOfBucket(bucketOf(Date.now()) - 167);
    expect(html).toContain(`UTC days ${date(first)} to ${date(today)} (7 days)`);
    // Most impressions first: 300 of views-24h, clicks 35 (11.7%), then trending.
    expect(cells(html, 'data-list="views-24h"')).toEqual(['Views · 24h', '300', '35', '17', '11.7%']);
    expect(cells(html, 'data-list="trending"')).toEqual(['Trending', '50', '1', '1', '2.0%']);
    expect(html.indexOf('data-list="views-24h"')).toBeLessThan(html.indexOf('data-list="trending"'));
    expect(html).not.toContain('reads-7d');
    // Each position's clicks against the list's impressions: 30 of 300, 5 of 300.
    const positions = /<section aria-label="Views · 24h by position".*?<\/section>/s.exec(html)![0];
    expect(cells(positions, 'data-position="1"')).toEqual(['1', '30', '15', '10.0%']);
    expect(cells(positions, 'data-position="3"')).toEqual(['3', '5', '2', '1.7%']);
    expect(positions.match(/data-position=/g)).toHaveLength(2);
    const trending = /<section aria-label="Trending by position".*?<\/section>/s.exec(html)![0];
    expect(cells(trending, 'data-position="2"')).toEqual(['2', '1', '1', '2.0%']);
  });

  it('should say so when no popular box was shown or clicked in the period', async () => {
    const { id } = await createSite();
    await seedBoxDays(id, [[today - 30, 'views-24h', 0, 10, 0, 0]]);
    const html = panel(await (await dashboard(`/dashboard?site=${id}&period=7d`)).text());
    expect(html).toContain('No popular box was shown or clicked in these days yet.');
    expect(html).not.toContain('<table');
  });
});
