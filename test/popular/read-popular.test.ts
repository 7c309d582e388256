import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { rollUpSite } from '../../src/db/rollup';
import { readPopular } from '../../src/popular/read-popular';
import type { PopularRequest } from '../../src/ranking/popular-request';
import { type RankBy, type RankWindow, WINDOW_HOURS } from '../../src/ranking/windows';
import { bucketOf } from '../../src/time';
import { createSite } from '../support/helpers';
import { type HourCounts, loadStoredSite, type SeedArticle, seedArticles } from '../support/seed';

// 10:30 UTC: windows start mid-day, so that they have edge hours on both sides.
const NOW = Date.UTC(2026, 10, 20, 10, 30);
const C = bucketOf(NOW);

const request = (overrides: Partial<PopularRequest> = {}): PopularRequest => ({
  window: '24h',
  by: 'views',
  limit: 10,
  section: null,
  exclude: [],
  ...overrides,
});

async function siteWith(articles: SeedArticle[], settings: Record<string, unknown> = {}) {
  const site = await createSite(undefined, { settings });
  const urls = await seedArticles(site, articles);
  return { site: await loadStoredSite(site.id), urls };
}

const popular = async (
  site: Awaited<ReturnType<typeof siteWith>>['site'],
  overrides: Partial<PopularRequest> = {},
  nowMs = NOW,
) => readPopular(env.DB, site, request(overrides), nowMs);

const paths = (list: { items: { url: string }[] }) => list.items.map((item) => new URL(item.url).pathname.slice(1));

describe('readPopular: windows', () => {
  for (const [window, hours] of Object.entries(WINDOW_HOURS) as [RankWindow, number][]) {
    it(`should count the oldest hour of ${window} and not the hour before it, with or without daily rows`, async () => {
      const { site } = await siteWith([
        { path: 'oldest-hour', hours: [[C - hours + 1, 1]] },
        { path: 'just-outside', hours: [[C - hours, 5]] },
        { path: 'current-hour', hours: [[C, 2]] },
      ]);
      // For 1h the oldest hour is the current hour.
      const expected = ['current-hour', 'oldest-hour'];
      expect(paths(await popular(site, { window }))).toEqual(expected);

      // Roll every finished day up (several runs), then ask again: same answer from daily rows.
      for (let run = 0; run < 12; run++) await rollUpSite(env.DB, site, NOW);
      expect(paths(await popular(site, { window }))).toEqual(expected);
    });
  }

  it('should sum views and shares over the window and score them with the site’s share_weight', async () => {
    const { site } = await siteWith(
      [
        {
          path: 'a',
          hours: [
            [C, 3, 1],
            [C - 5, 4, 2],
            [C - 30, 100, 100],
          ],
        },
        { path: 'b', hours: [[C - 23, 10, 0]] },
      ],
      { share_weight: 2.5 },
    );
    const list = await popular(site, { by: 'score' });
    expect(list.items.map(({ rank, views, shares, score }) => ({ rank, views, shares, score }))).toEqual([
      { rank: 1, views: 7, shares: 3, score: 14.5 }, // 7 + 2.5 * 3
      { rank: 2, views: 10, shares: 0, score: 10 },
    ]);
  });

  it('should rank `all` on the all-time totals, even those whose hours are gone', async () => {
    const { site } = await siteWith([
      { path: 'old-hit', totals: { views: 5000, shares: 40 } },
      { path: 'today', hours: [[C, 30, 1]] },
    ]);
    const list = await popular(site, { window: 'all', by: 'score' });
    expect(list.items.map(({ views, shares, score }) => ({ views, shares, score }))).toEqual([
      { views: 5000, shares: 40, score: 5200 },
      { views: 30, shares: 1, score: 35 },
    ]);
    expect(paths(await popular(site, { window: '30d' }))).toEqual(['today']);
  });

  it('should answer the list’s site, window, by and generation time', async () => {
    const { site } = await siteWith([{ path: 'a', hours: [[C, 1]] }]);
    const list = await popular(site, { window: '7d', by: 'shares' });
    expect(list).toEqual({
      site: site.id,
      window: '7d',
      by: 'shares',
      generated_at: '2026-11-20T10:30:00.000Z',
      items: [],
    });
  });
});

describe('readPopular: ranking rules in SQL', () => {
  it('should order ties by URL ascending', async () => {
    const { site } = await siteWith([
      { path: 'c', hours: [[C, 4]] },
      { path: 'a', hours: [[C, 4]] },
      { path: 'b', hours: [[C - 1, 9]] },
      { path: 'B', hours: [[C - 2, 4]] },
    ]);
    expect(paths(await popular(site))).toEqual(['b', 'B', 'a', 'c']);
  });

  it('should leave out articles whose metric is 0 in the window', async () => {
    const { site } = await siteWith([
      { path: 'viewed', hours: [[C, 3, 0]] },
      { path: 'shared', hours: [[C, 0, 2]] },
      { path: 'last-month', hours: [[C - 48, 9, 9]] },
    ]);
    expect(paths(await popular(site, { by: 'views' }))).toEqual(['viewed']);
    expect(paths(await popular(site, { by: 'shares' }))).toEqual(['shared']);
    expect(paths(await popular(site, { by: 'score' }))).toEqual(['shared', 'viewed']);
  });

  it('should filter on section and exclude before cutting at the limit', async () => {
    const { site, urls } = await siteWith([
      { path: 'top', section: 'Sport', hours: [[C, 9]] },
      { path: 'second', section: 'City', hours: [[C, 8]] },
      { path: 'third', section: 'City', hours: [[C, 7]] },
    ]);
    expect(paths(await popular(site, { section: 'City', limit: 1 }))).toEqual(['second']);
    expect(paths(await popular(site, { exclude: [urls[0]!], limit: 1 }))).toEqual(['second']);
    const both = await popular(site, { section: 'City', exclude: [urls[1]!] });
    expect(both.items.map(({ rank, url }) => ({ rank, url }))).toEqual([{ rank: 1, url: urls[2] }]);
  });

  it('should cut at the limit', async () => {
    const { site } = await siteWith(
      Array.from({ length: 12 }, (_, i) => ({
        path: `p${String(i).padStart(2, '0')}`,
        hours: [[C, 20 - i]] as [number, number][],
      })),
    );
    expect(paths(await popular(site))).toHaveLength(10);
    expect(paths(await popular(site, { limit: 3 }))).toEqual(['p00', 'p01', 'p02']);
  });

  it('should carry each article’s metadata', async () => {
    const { site, urls } = await siteWith([
      {
        path: 'a',
        title: 'Harbour <ferry>',
        image: 'https://cdn.example/a.jpg',
        section: 'City',
        published: '2026-11-19T07:00:00.000Z',
        hours: [[C, 2, 1, 1]],
      },
    ]);
    expect((await popular(site)).items).toEqual([
      {
        rank: 1,
        url: urls[0],
        link: urls[0],
        title: 'Harbour <ferry>',
        image: 'https://cdn.example/a.jpg',
        section: 'City',
        published: '2026-11-19T07:00:00.000Z',
        views: 2,
        shares: 1,
        reads: 1,
        score: 7,
      },
    ]);
  });

  it('should link each article to its page as the registry keeps it, else to its key, in every kind of window', async () => {
    const { site, urls } = await siteWith([
      { path: 'checked', hours: [[C, 3]] },
      { path: 'never-checked', hours: [[C, 2]] },
    ]);
    // The page gave itself as http, on a port: the address a reader can reach.
    const page = urls[0]!.replace('https://', 'http://').replace('.example/', '.example:8080/');
    await env.DB.prepare('UPDATE articles SET page_url = ? WHERE site_id = ? AND url = ?')
      .bind(page, site.id, urls[0]!)
      .run();
    for (const overrides of [{ window: '24h' }, { window: 'all' }, { by: 'trending' }] as const) {
      const list = await popular(site, overrides);
      expect(list.items.map(({ url, link }) => ({ url, link }))).toEqual([
        { url: urls[0], link: page },
        { url: urls[1], link: urls[1] },
      ]);
    }
  });
});

describe('readPopular: trending', () => {
  it('should decay each hour’s score by half per half-life, and tie on equal values', async () => {
    // half_life_hours 12, share_weight 5: every article below trends at exactly 10.
    const { site } = await siteWith([
      { path: 'c-shared-12h-ago', hours: [[C - 12, 0, 4]] }, // 20 * 0.5
      { path: 'b-viewed-1d-ago', hours: [[C - 24, 40, 0]] }, // 40 * 0.25
      { path: 'a-viewed-now', hours: [[C, 10, 0]] }, // 10 * 1
    ]);
    const list = await popular(site, { by: 'trending' });
    expect(list.items.map(({ trending }) => trending)).toEqual([10, 10, 10]);
    expect(paths(list)).toEqual(['a-viewed-now', 'b-viewed-1d-ago', 'c-shared-12h-ago']);
  });

  it('should sum decayed hours over the last 168 hours only, whatever the window', async () => {
    const { site } = await siteWith(
      [
        {
          path: 'a',
          hours: [
            [C, 8, 0],
            [C - 6, 0, 1],
            [C - 167, 100, 0],
            [C - 168, 1000, 1000],
          ],
        },
        { path: 'b', hours: [[C - 168, 50, 0]] },
      ],
      { half_life_hours: 6, share_weight: 3 },
    );
    const list = await popular(site, { by: 'trending', window: '1h' });
    expect(list.window).toBe('1h');
    expect(list.items).toHaveLength(1);
    const [item] = list.items;
    // 8 + 3 * 0.5 + 100 * 0.5 ^ (167 / 6); views, shares and score over the same 168 hours.
    expect(item!.trending).toBeCloseTo(8 + 1.5 + 100 * 0.5 ** (167 / 6), 12);
    expect(item).toMatchObject({ views: 108, shares: 1, score: 111 });
  });

  it('should follow the site’s half-life', async () => {
    const { site } = await siteWith([{ path: 'a', hours: [[C - 48, 16, 0]] }], { half_life_hours: 24 });
    expect((await popular(site, { by: 'trending' })).items[0]!.trending).toBe(4);
  });
});

describe('readPopular against the rules applied to the raw hours', () => {
  type Counts = { views: number; shares: number; reads: number };
  type Row = Counts & { path: string; bucket: number };
  const reference = (
    rows: Row[],
    totals: Map<string, Counts>,
    c: number,
    window: RankWindow,
    by: Exclude<RankBy, 'trending'>,
  ) => {
    const sums = new Map<string, Counts>();
    if (window === 'all') for (const [path, t] of totals) sums.set(path, { ...t });
    else {
      for (const row of rows.filter((r) => r.bucket > c - WINDOW_HOURS[window] && r.bucket <= c)) {
        const sum = sums.get(row.path) ?? { views: 0, shares: 0, reads: 0 };
        sums.set(row.path, {
          views: sum.views + row.views,
          shares: sum.shares + row.shares,
          reads: sum.reads + row.reads,
        });
      }
    }
    const metric = ({ views, shares, reads }: Counts) =>
      by === 'views' ? views : by === 'shares' ? shares : by === 'reads' ? reads : views + 5 * shares;
    return [...sums]
      .filter(([, s]) => metric(s) > 0)
      .sort(([a, x], [b, y]) => metric(y) - metric(x) || (a < b ? -1 : 1))
      .slice(0, 4)
      .map(([path, s]) => ({ path, ...s, score: s.views + 5 * s.shares }));
  };

  it('should answer every window and by exactly, at every rollup stage and hour of day', async () => {
    // A deterministic pseudo-random spread of counts over 35 days and 7 articles.
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (const hourOfDay of [0, 10, 23]) {
      const now = Date.UTC(2026, 10, 20, hourOfDay, 59);
      const c = bucketOf(now);
      const rows = new Map<string, Row>();
      for (let i = 0; i < 400; i++) {
        const views = next(4);
        const row = { path: `a${next(7)}`, bucket: c - next(35 * 24), views, shares: next(2), reads: next(views + 1) };
        const key = `${row.path}@${row.bucket}`;
        const old = rows.get(key);
        rows.set(
          key,
          old
            ? { ...row, views: old.views + row.views, shares: old.shares + row.shares, reads: old.reads + row.reads }
            : row,
        );
      }
      const byPath = Map.groupBy(rows.values(), (r) => r.path);
      const totals = new Map(
        [...byPath].map(([path, rs]) => [
          path,
          {
            views: 50 + rs.reduce((s, r) => s + r.views, 0),
            shares: rs.reduce((s, r) => s + r.shares, 0),
            reads: 20 + rs.reduce((s, r) => s + r.reads, 0),
          },
        ]),
      );
      const { site } = await siteWith(
        [...byPath].map(([path, rs]) => ({
          path,
          totals: totals.get(path)!,
          hours: rs.map((r): HourCounts => [r.bucket, r.views, r.shares, r.reads]),
        })),
      );
      for (let stage = 0; stage < 14; stage++) {
        for (const window of ['1h', '24h', '7d', '30d', 'all'] as const) {
          for (const by of ['views', 'shares', 'score', 'reads'] as const) {
            const list = await readPopular(env.DB, site, request({ window, by, limit: 4 }), now);
            const expected = reference([...rows.values()], totals, c, window, by);
            expect(
              list.items.map(({ url, views, shares, reads, score }) => ({
                path: new URL(url).pathname.slice(1),
                views,
                shares,
                reads,
                score,
              })),
            ).toEqual(expected);
          }
        }
        await rollUpSite(env.DB, site, now);
      }
    }
  }, 60_000);
});
