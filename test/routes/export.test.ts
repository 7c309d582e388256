import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { newSession, SESSION_COOKIE } from '../../src/dashboard/session';
import { rollUpSite } from '../../src/db/rollup';
import type { exportBody } from '../../src/export/json';
import { NOT_COUNTED_REASONS } from '../../src/ledger/reasons';
import { bucketOf, dayOfBucket } from '../../src/time';
import { ADMIN, createSite, expectError } from '../support/helpers';
import { loadStoredSite, seedArticles } from '../support/seed';

const NOW = Date.UTC(2026, 10, 20, 10, 30);
const C = bucketOf(NOW);
const TODAY = dayOfBucket(C);
const date = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

const exportOf = (site: string, query = 'format=json', headers: Record<string, string> = ADMIN) =>
  SELF.fetch(`https://api.test/api/v1/admin/sites/${site}/export?${query}`, { headers });

type JsonExport = z.infer<typeof exportBody>;

const jsonExport = async (site: string) => {
  const response = await exportOf(site);
  expect(response.status).toBe(200);
  return response.json<JsonExport>();
};

/** The same increment a shard flush writes: added to the hour's row, or a new row. */
const flushHour = (site: string, url: string, bucket: number, views: number, shares: number, reads = 0) =>
  env.DB.prepare(
    `INSERT INTO article_hours (site_id, url, bucket, views, shares, reads) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (site_id, url, bucket) DO UPDATE
       SET views = views + excluded.views, shares = shares + excluded.shares, reads = reads + excluded.reads`,
  )
    .bind(site, url, bucket, views, shares, reads)
    .run();

describe('export of counts per article per day', () => {
  it('should give the same exact days whether a day is still hourly or rolled up, late writes included', async () => {
    const created = await createSite();
    const [a, b] = await seedArticles(created, [
      {
        path: 'a',
        title: 'Alpha',
        section: 'City',
        published: '2026-11-15T08:00:00.000Z',
        hours: [
          [(TODAY - 3) * 24 + 1, 1, 0, 1],
          [(TODAY - 3) * 24 + 22, 2, 1, 1],
          [(TODAY - 2) * 24, 4, 0],
          [(TODAY - 1) * 24 + 23, 8, 2, 3],
          [C, 16, 0, 5],
        ],
      },
      {
        path: 'b',
        title: 'Bravo',
        hours: [
          [(TODAY - 2) * 24 + 23, 32, 4, 10],
          [C - 1, 64, 0],
        ],
      },
    ]);
    const expectedDays = [
      { date: date(TODAY - 3), url: a, views: 3, shares: 1, reads: 2 },
      { date: date(TODAY - 2), url: a, views: 4, shares: 0, reads: 0 },
      { date: date(TODAY - 2), url: b, views: 32, shares: 4, reads: 10 },
      { date: date(TODAY - 1), url: a, views: 8, shares: 2, reads: 3 },
      { date: date(TODAY), url: a, views: 16, shares: 0, reads: 5 },
      { date: date(TODAY), url: b, views: 64, shares: 0, reads: 0 },
    ];
    const hourly = await jsonExport(created.id);
    expect(hourly.days).toEqual(expectedDays);
    expect(hourly.totals).toEqual([
      {
        url: a,
        title: 'Alpha',
        section: 'City',
        published: '2026-11-15T08:00:00.000Z',
        views: 31,
        shares: 3,
        reads: 10,
      },
      { url: b, title: 'Bravo', section: null, published: null, views: 96, shares: 4, reads: 10 },
    ]);

    // The rollup sums the finished days into daily rows and keeps their hours (retention):
    // each day must come from one of the two, never both.
    await rollUpSite(env.DB, await loadStoredSite(created.id), NOW);
    const rolled = await env.DB.prepare('SELECT count(*) AS n FROM article_days WHERE site_id = ?')
      .bind(created.id)
      .first<{ n: number }>();
    expect(rolled!.n).toBe(4);
    expect((await jsonExport(created.id)).days).toEqual(expectedDays);

    // A straggling flush into a rolled day reaches its daily row (trigger) and the export, once.
    await flushHour(created.id, a!, (TODAY - 2) * 24 + 5, 100, 1, 7);
    // A read alone, into an hour of a rolled day stored already.
    await flushHour(created.id, b!, (TODAY - 2) * 24 + 23, 0, 0, 1);
    // And a flush into today, still hourly.
    await flushHour(created.id, b!, C, 1, 1, 2);
    const late = await jsonExport(created.id);
    expect(late.days).toEqual(
      expectedDays.map((row) =>
        row.date === date(TODAY - 2) && row.url === a
          ? { ...row, views: 104, shares: 1, reads: 7 }
          : row.date === date(TODAY - 2) && row.url === b
            ? { ...row, reads: 11 }
            : row.date === date(TODAY) && row.url === b
              ? { ...row, views: 65, shares: 1, reads: 2 }
              : row,
      ),
    );
  });

  it('should keep days that only have a daily row, once their hours are gone', async () => {
    const created = await createSite();
    const [url] = await seedArticles(created, [{ path: 'old', hours: [[C, 1, 0]], totals: { views: 501, shares: 0 } }]);
    await env.DB.batch([
      env.DB.prepare(
        'INSERT INTO article_days (site_id, day, url, views, shares, reads) VALUES (?, ?, ?, ?, ?, ?)',
      ).bind(created.id, TODAY - 100, url, 500, 0, 40),
      env.DB.prepare('INSERT INTO rollup_state (site_id, rolled_through_day) VALUES (?, ?)').bind(
        created.id,
        TODAY - 1,
      ),
    ]);
    expect((await jsonExport(created.id)).days).toEqual([
      { date: date(TODAY - 100), url, views: 500, shares: 0, reads: 40 },
      { date: date(TODAY), url, views: 1, shares: 0, reads: 0 },
    ]);
  });

  it('should read many days and many articles page by page, all of them in order', async () => {
    const created = await createSite();
    // 20 days of one article (three pages of days), then 1,005 articles (two pages of totals).
    await seedArticles(created, [
      {
        path: 'daily',
        hours: Array.from({ length: 20 }, (_, i) => [(TODAY - i) * 24 + 3, i + 1, 0] as [number, number, number]),
      },
    ]);
    await env.DB.prepare(
      `WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1005)
       INSERT INTO articles (site_id, url, title, views, shares, first_bucket)
       SELECT ?1, printf('https://%s/bulk-%04d', ?2, i), NULL, i, 0, 0 FROM n`,
    )
      .bind(created.id, created.host)
      .run();
    const body = await jsonExport(created.id);
    expect(body.days.map((row) => row.date)).toEqual(Array.from({ length: 20 }, (_, i) => date(TODAY - 19 + i)));
    expect(body.days.map((row) => row.views)).toEqual(Array.from({ length: 20 }, (_, i) => 20 - i));
    expect(body.totals).toHaveLength(1006);
    const urls = body.totals.map((row) => row.url);
    expect(urls).toEqual([...urls].sort());
    expect(new Set(urls).size).toBe(1006);
  });

  it('should export an empty site as empty lists', async () => {
    const { id } = await createSite();
    const body = await jsonExport(id);
    expect(body).toEqual({
      site: id,
      generated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      days: [],
      totals: [],
      ledger: [],
    });
    const csv = await (await exportOf(id, 'format=csv')).text();
    expect(csv).toBe('type,date,url,title,section,published,views,shares,not_counted,reads\r\n');
  });
});

describe('export formats', () => {
  it('should write RFC 4180 CSV, neutralising cells a spreadsheet would run as formulas', async () => {
    const created = await createSite();
    const titles = [
      '=HYPERLINK("https://evil.example","click")',
      '+1',
      '-2 degrees tonight',
      '@SUM(A1)',
      '\tTab',
      '\rReturn',
      'Comma, "quotes"\nand a line',
      'Plain',
    ];
    await seedArticles(
      created,
      titles.map((title, i) => ({
        path: `t${i}`,
        title,
        section: i === 0 ? '=cmd|calc' : null,
        hours: [[C, i + 1, 0]],
      })),
    );
    const response = await exportOf(created.id, 'format=csv');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('text/csv; charset=utf-8; header=present');
    expect(response.headers.get('Content-Disposition')).toMatch(
      new RegExp(`^attachment; filename="sharepulse-${created.id}-\\d{4}-\\d\\d-\\d\\d\\.csv"$`),
    );
    const csv = await response.text();
    const u = (i: number) => `https://${created.host}/t${i}`;
    const d = date(TODAY);
    expect(csv).toBe(
      [
        'type,date,url,title,section,published,views,shares,not_counted,reads',
        `day,${d},${u(0)},"'=HYPERLINK(""https://evil.example"",""click"")",'=cmd|calc,,1,0,,0`,
        `day,${d},${u(1)},'+1,,,2,0,,0`,
        `day,${d},${u(2)},'-2 degrees tonight,,,3,0,,0`,
        `day,${d},${u(3)},'@SUM(A1),,,4,0,,0`,
        `day,${d},${u(4)},'\tTab,,,5,0,,0`,
        `day,${d},${u(5)},"'\rReturn",,,6,0,,0`,
        `day,${d},${u(6)},"Comma, ""quotes""\nand a line",,,7,0,,0`,
        `day,${d},${u(7)},Plain,,,8,0,,0`,
        `total,,${u(0)},"'=HYPERLINK(""https://evil.example"",""click"")",'=cmd|calc,,1,0,,0`,
        `total,,${u(1)},'+1,,,2,0,,0`,
        `total,,${u(2)},'-2 degrees tonight,,,3,0,,0`,
        `total,,${u(3)},'@SUM(A1),,,4,0,,0`,
        `total,,${u(4)},'\tTab,,,5,0,,0`,
        `total,,${u(5)},"'\rReturn",,,6,0,,0`,
        `total,,${u(6)},"Comma, ""quotes""\nand a line",,,7,0,,0`,
        `total,,${u(7)},Plain,,,8,0,,0`,
        '',
      ].join('\r\n'),
    );
  });

  it('should give the same rows as JSON, as a download', async () => {
    const created = await createSite();
    const [url] = await seedArticles(created, [{ path: 'j', title: '=1+1', hours: [[C, 2, 1, 1]] }]);
    const response = await exportOf(created.id, 'format=json');
    expect(response.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('Content-Disposition')).toMatch(/^attachment; filename="sharepulse-.+\.json"$/);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const body = await response.json<JsonExport>();
    // JSON needs no spreadsheet escaping: values are as stored.
    expect(body.totals).toEqual([
      { url, title: '=1+1', section: null, published: null, views: 2, shares: 1, reads: 1 },
    ]);
    expect(body.days).toEqual([{ date: date(TODAY), url, views: 2, shares: 1, reads: 1 }]);
    expect(body.site).toBe(created.id);
  });
});

describe('export of the ledger', () => {
  const zeros = Object.fromEntries(NOT_COUNTED_REASONS.map((reason) => [reason, 0]));

  it('should add a ledger row per UTC day to the CSV, and the ledger endpoint\u2019s entries to the JSON, oldest first', async () => {
    const created = await createSite();
    const [url] = await seedArticles(created, [{ path: 'l', title: 'Ledger', hours: [[C, 3, 1, 2]] }]);
    const rows: [number, string, number][] = [
      [TODAY, 'view', 3],
      [TODAY, 'share', 1],
      [TODAY, 'read', 2],
      [TODAY, 'repeat', 2],
      [TODAY, 'bot', 5],
      [TODAY - 40, 'ip_cap', 7],
    ];
    await env.DB.batch(
      rows.map(([day, outcome, n]) =>
        env.DB.prepare('INSERT INTO site_ledger (site_id, day, outcome, n) VALUES (?, ?, ?, ?)').bind(
          created.id,
          day,
          outcome,
          n,
        ),
      ),
    );
    const csv = await (await exportOf(created.id, 'format=csv')).text();
    expect(csv).toBe(
      [
        'type,date,url,title,section,published,views,shares,not_counted,reads',
        `day,${date(TODAY)},${url},Ledger,,,3,1,,2`,
        `total,,${url},Ledger,,,3,1,,2`,
        `ledger,${date(TODAY - 40)},,,,,0,0,7,0`,
        `ledger,${date(TODAY)},,,,,3,1,7,2`,
        '',
      ].join('\r\n'),
    );
    expect((await jsonExport(created.id)).ledger).toEqual([
      { date: date(TODAY - 40), received: 7, counted: 0, not_counted: { ...zeros, ip_cap: 7 } },
      { date: date(TODAY), received: 13, counted: 6, not_counted: { ...zeros, repeat: 2, bot: 5 } },
    ]);
  });
});

describe('export errors', () => {
  it('should refuse a bad format with 400 and an unknown site with 404, in the API error shape', async () => {
    const { id } = await createSite();
    await expectError(await exportOf(id, 'format=xml'), 400, 'invalid_request');
    await expectError(await exportOf(id, 'format='), 400, 'invalid_request');
    await expectError(await exportOf('no-such-site', 'format=csv'), 404, 'unknown_site');
    await expectError(await exportOf('Not_A_Site', 'format=csv'), 400, 'invalid_request');
  });

  it('should answer JSON when no format is asked for', async () => {
    const { id } = await createSite();
    const response = await exportOf(id, '');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
  });

  it('should be behind the admin token: 401 without it, 403 when wrong, 405 for other methods', async () => {
    const { id } = await createSite();
    await expectError(await exportOf(id, 'format=csv', {}), 401, 'unauthorized');
    await expectError(await exportOf(id, 'format=csv', { Authorization: 'Bearer wrong' }), 403, 'forbidden');
    const posted = await SELF.fetch(`https://api.test/api/v1/admin/sites/${id}/export`, {
      method: 'POST',
      headers: ADMIN,
    });
    await expectError(posted, 405, 'method_not_allowed');
  });
});

describe('export from the dashboard', () => {
  it('should download the same file with the session cookie, and send others to sign in', async () => {
    const created = await createSite();
    await seedArticles(created, [{ path: 'd', title: '-dash', hours: [[C, 3, 1]] }]);
    const cookie = `${SESSION_COOKIE}=${await newSession(env.DB, env.ADMIN_TOKEN, Date.now())}`;
    for (const format of ['csv', 'json'] as const) {
      const fromDashboard = await SELF.fetch(
        `https://dash.test/dashboard/sites/${created.id}/export?format=${format}`,
        { headers: { Cookie: cookie } },
      );
      expect(fromDashboard.status).toBe(200);
      const fromApi = await exportOf(created.id, `format=${format}`);
      expect(fromDashboard.headers.get('Content-Disposition')).toBe(fromApi.headers.get('Content-Disposition'));
      const strip = (text: string) => text.replace(/"generated_at":"[^"]+"/, '');
      expect(strip(await fromDashboard.text())).toBe(strip(await fromApi.text()));
    }
    const signedOut = await SELF.fetch(`https://dash.test/dashboard/sites/${created.id}/export?format=csv`, {
      redirect: 'manual',
    });
    expect(signedOut.status).toBe(303);
    await expectError(
      await SELF.fetch(`https://dash.test/dashboard/sites/no-such-site/export?format=csv`, {
        headers: { Cookie: cookie },
      }),
      404,
      'unknown_site',
    );
  });
});
