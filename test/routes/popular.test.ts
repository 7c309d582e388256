import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import type { PopularList } from '../../src/ranking/rank';
import { bucketOf } from '../../src/time';
import { ADMIN, createSite, expectError } from '../support/helpers';
import { type SeedArticle, seedArticles } from '../support/seed';

const popularUrl = (site: string, query = '') =>
  `https://api.test/api/v1/sites/${site}/popular${query ? `?${query}` : ''}`;
const getPopular = (site: string, query = '', headers: Record<string, string> = {}) =>
  SELF.fetch(popularUrl(site, query), { headers });

async function siteWith(
  articles: (hoursAgo: (n: number) => number) => SeedArticle[],
  settings: Record<string, unknown> = {},
) {
  const site = await createSite(undefined, { settings });
  const c = bucketOf(Date.now());
  const urls = await seedArticles(
    site,
    articles((n) => c - n),
  );
  return { ...site, urls };
}

const paths = (list: PopularList) => list.items.map((item) => new URL(item.url).pathname.slice(1));
const listOf = async (site: string, query = '') => {
  const response = await getPopular(site, query);
  expect(response.status).toBe(200);
  return response.json<PopularList>();
};

describe('GET /api/v1/sites/{site}/popular', () => {
  it('should answer the list in API.md’s shape with the defaults window=24h, by=views', async () => {
    const site = await siteWith((ago) => [
      {
        path: 'a',
        title: 'A',
        image: 'https://cdn.example/a.jpg',
        section: 'City',
        published: '2026-11-19T07:00:00.000Z',
        hours: [[ago(1), 5, 1, 2]],
      },
    ]);
    const response = await getPopular(site.id);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
    const body = await response.json<PopularList>();
    expect(body).toEqual({
      site: site.id,
      window: '24h',
      by: 'views',
      generated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      items: [
        {
          rank: 1,
          url: site.urls[0],
          link: site.urls[0],
          title: 'A',
          image: 'https://cdn.example/a.jpg',
          section: 'City',
          published: '2026-11-19T07:00:00.000Z',
          views: 5,
          shares: 1,
          reads: 2,
          score: 10,
        },
      ],
    });
  });

  it('should rank over each window', async () => {
    const site = await siteWith((ago) => [
      { path: 'now', hours: [[ago(0), 1]] },
      { path: 'hours-ago', hours: [[ago(5), 2]] },
      { path: 'days-ago', hours: [[ago(3 * 24), 3]] },
      { path: 'weeks-ago', hours: [[ago(20 * 24), 4]] },
      { path: 'long-ago', totals: { views: 5, shares: 0 } },
    ]);
    expect(paths(await listOf(site.id, 'window=1h'))).toEqual(['now']);
    expect(paths(await listOf(site.id, 'window=24h'))).toEqual(['hours-ago', 'now']);
    expect(paths(await listOf(site.id, 'window=7d'))).toEqual(['days-ago', 'hours-ago', 'now']);
    expect(paths(await listOf(site.id, 'window=30d'))).toEqual(['weeks-ago', 'days-ago', 'hours-ago', 'now']);
    expect(paths(await listOf(site.id, 'window=all'))).toEqual([
      'long-ago',
      'weeks-ago',
      'days-ago',
      'hours-ago',
      'now',
    ]);
  });

  it('should rank by views, shares, score or trending, with trending carrying its value', async () => {
    const site = await siteWith(
      (ago) => [
        { path: 'viewed', hours: [[ago(2), 10, 0]] },
        { path: 'shared', hours: [[ago(2), 1, 3]] },
        { path: 'fresh', hours: [[ago(0), 7, 0]] },
      ],
      { share_weight: 2, half_life_hours: 2 },
    );
    expect(paths(await listOf(site.id, 'by=views'))).toEqual(['viewed', 'fresh', 'shared']);
    expect(paths(await listOf(site.id, 'by=shares'))).toEqual(['shared']);
    expect(paths(await listOf(site.id, 'by=score'))).toEqual(['viewed', 'fresh', 'shared']);
    const trending = await listOf(site.id, 'by=trending&window=1h');
    expect(trending).toMatchObject({ by: 'trending', window: '1h' });
    // fresh: 7 now; viewed: 10 * 0.5 two hours ago; shared: (1 + 2 * 3) * 0.5
    expect(trending.items.map(({ url, trending }) => [new URL(url).pathname.slice(1), trending])).toEqual([
      ['fresh', 7],
      ['viewed', 5],
      ['shared', 3.5],
    ]);
    expect((await listOf(site.id, 'by=score')).items[0]).not.toHaveProperty('trending');
  });

  it('should rank by reads in every window, in another order than by views', async () => {
    // Per article [views, reads]: 'clicked' 9 and 1 two hours ago; 'read' 6 and 5, three days ago 4 and 4;
    // 'both' 7 and 5 now; 'unread' 8 and none; 'archived' only all-time totals, 50 and 30.
    const site = await siteWith((ago) => [
      { path: 'clicked', hours: [[ago(2), 9, 0, 1]] },
      {
        path: 'read',
        hours: [
          [ago(2), 6, 0, 5],
          [ago(3 * 24), 4, 0, 4],
        ],
      },
      { path: 'both', hours: [[ago(0), 7, 0, 5]] },
      { path: 'unread', hours: [[ago(1), 8, 0, 0]] },
      { path: 'archived', totals: { views: 50, shares: 0, reads: 30 } },
    ]);
    const readsOf = (list: PopularList) => list.items.map((item) => [new URL(item.url).pathname.slice(1), item.reads]);
    expect(paths(await listOf(site.id, 'window=24h&by=views'))).toEqual(['clicked', 'unread', 'both', 'read']);
    // Reads descending, the tie of 'both' and 'read' by URL, 'unread' left out.
    const reads24h = await listOf(site.id, 'window=24h&by=reads');
    expect(reads24h).toMatchObject({ window: '24h', by: 'reads' });
    expect(readsOf(reads24h)).toEqual([
      ['both', 5],
      ['read', 5],
      ['clicked', 1],
    ]);
    expect(readsOf(await listOf(site.id, 'window=1h&by=reads'))).toEqual([['both', 5]]);
    for (const window of ['7d', '30d']) {
      expect(readsOf(await listOf(site.id, `window=${window}&by=reads`)), window).toEqual([
        ['read', 9],
        ['both', 5],
        ['clicked', 1],
      ]);
    }
    expect(paths(await listOf(site.id, 'window=all&by=views'))).toEqual([
      'archived',
      'read',
      'clicked',
      'unread',
      'both',
    ]);
    expect(readsOf(await listOf(site.id, 'window=all&by=reads'))).toEqual([
      ['archived', 30],
      ['read', 9],
      ['both', 5],
      ['clicked', 1],
    ]);
  });

  it('should cut at limit', async () => {
    const site = await siteWith((ago) =>
      Array.from({ length: 12 }, (_, i) => ({ path: `p${String(i).padStart(2, '0')}`, hours: [[ago(1), 30 - i]] })),
    );
    expect((await listOf(site.id)).items).toHaveLength(10);
    expect(paths(await listOf(site.id, 'limit=2'))).toEqual(['p00', 'p01']);
    expect((await listOf(site.id, 'limit=50')).items).toHaveLength(12);
  });

  it('should filter on section and rank after section and exclude', async () => {
    const site = await siteWith((ago) => [
      { path: 'a', section: 'City', hours: [[ago(1), 9]] },
      { path: 'b', section: 'Sport', hours: [[ago(1), 8]] },
      { path: 'c', section: 'City', hours: [[ago(1), 7]] },
      { path: 'd', section: 'City', hours: [[ago(1), 6]] },
    ]);
    expect(paths(await listOf(site.id, 'section=City'))).toEqual(['a', 'c', 'd']);
    const list = await listOf(site.id, `section=City&exclude=${encodeURIComponent(site.urls[0]!)}`);
    expect(list.items.map(({ rank, url }) => [rank, new URL(url).pathname])).toEqual([
      [1, '/c'],
      [2, '/d'],
    ]);
  });

  it('should leave out every excluded URL, however it is spelled', async () => {
    const site = await siteWith((ago) => ['a', 'b', 'c', 'd'].map((path, i) => ({ path, hours: [[ago(1), 10 - i]] })));
    const spellings = [`HTTP://${site.host.toUpperCase()}/a?utm_source=news#top`, `https://${site.host}:443/b`];
    const query = spellings.map((url) => `exclude=${encodeURIComponent(url)}`).join('&');
    expect(paths(await listOf(site.id, query))).toEqual(['c', 'd']);
  });

  it('should cut 200 requests of distinct limit and exclude from one cached list per window, by and section', async () => {
    const site = await siteWith((ago) =>
      Array.from({ length: 60 }, (_, i) => ({
        path: `p${String(i).padStart(2, '0')}`,
        section: i % 2 ? 'City' : 'Sport',
        hours: [[ago(1), 100 - i, i % 4]],
      })),
    );
    const lists = ['window=24h&by=views', 'window=7d&by=score', 'window=24h&by=views&section=City'];
    const sha = async (body: string) => {
      const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body));
      return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    };
    for (let i = 0; i < 200; i++) {
      const limit = 1 + ((i * 13) % 50);
      const excluded = [site.urls[i % 60]!, `https://${site.host}/invented-${i}`];
      const query = `${lists[i % lists.length]}&limit=${limit}&${excluded.map((url) => `exclude=${encodeURIComponent(url)}`).join('&')}`;
      // Through the Worker's own fetch handler, so that its stores to KV are waited for.
      const ctx = createExecutionContext();
      const response = await worker.fetch(new Request(popularUrl(site.id, query)), env, ctx);
      await waitOnExecutionContext(ctx);
      expect(response.status).toBe(200);
      const body = await response.text();
      expect(response.headers.get('ETag')).toBe(`"${(await sha(body)).slice(0, 32)}"`);
      const { items } = JSON.parse(body) as PopularList;
      expect(items.map(({ rank }) => rank)).toEqual(items.map((_, index) => index + 1));
      expect(items.some(({ url }) => excluded.includes(url))).toBe(false);
      const ranked = i % lists.length === 2 ? site.urls.filter((_, n) => n % 2) : site.urls;
      expect(items).toHaveLength(Math.min(limit, ranked.filter((url) => !excluded.includes(url)).length));
    }
    // One list each in KV, not one per request.
    const { keys } = await env.CACHE.list({ prefix: 'popular:' });
    expect(keys.filter(({ name }) => name.includes(`/${site.id}/`))).toHaveLength(lists.length);
  }, 60_000);

  describe('articles counted and never ranked', () => {
    const countsOf = async (site: string, url: string) =>
      (await SELF.fetch(`https://api.test/api/v1/sites/${site}/counts?url=${encodeURIComponent(url)}`)).json();

    it('should rank no hidden, rejected or excluded article in any window, and still answer its counts', async () => {
      const site = await siteWith(
        (ago) => [
          { path: '', hours: [[ago(0), 60]] },
          { path: 'tag/city', hours: [[ago(0), 50]] },
          { path: 'thema/m%C3%BCll-abfuhr', hours: [[ago(0), 45]] },
          { path: 'obituary', hours: [[ago(0), 40]] },
          { path: 'gone', hours: [[ago(0), 30]] },
          { path: 'story', hours: [[ago(0), 10]] },
        ],
        // Spelled as a reader would type it: kept as keys spell the path.
        { exclude_paths: ['/', '/tag/*', '/thema/müll*'] },
      );
      const [front, tag, umlaut, obituary, gone] = site.urls;
      await env.DB.batch([
        env.DB.prepare('UPDATE articles SET hidden = 1 WHERE site_id = ? AND url = ?').bind(site.id, obituary),
        env.DB.prepare("UPDATE articles SET status = 'rejected' WHERE site_id = ? AND url = ?").bind(site.id, gone),
      ]);
      for (const window of ['1h', '24h', '7d', '30d', 'all']) {
        expect(paths(await listOf(site.id, `window=${window}`)), window).toEqual(['story']);
      }
      expect(paths(await listOf(site.id, 'by=trending'))).toEqual(['story']);
      for (const [url, views] of [
        [front, 60],
        [tag, 50],
        [umlaut, 45],
        [obituary, 40],
        [gone, 30],
      ] as const) {
        expect(await countsOf(site.id, url!)).toMatchObject({ url, views });
      }
    });

    it('should answer a new list at once when exclude_paths changes', async () => {
      const site = await siteWith((ago) => [
        { path: 'live/blog', hours: [[ago(1), 9]] },
        { path: 'story', hours: [[ago(1), 5]] },
      ]);
      expect(paths(await listOf(site.id))).toEqual(['live/blog', 'story']);
      const changed = await SELF.fetch(`https://api.test/api/v1/admin/sites/${site.id}`, {
        method: 'PATCH',
        headers: { ...ADMIN, 'Content-Type': 'application/json' },
        body: JSON.stringify({ settings: { exclude_paths: ['/live/*'] } }),
      });
      expect(changed.status).toBe(200);
      expect(paths(await listOf(site.id))).toEqual(['story']);
    });
  });

  describe('refusals', () => {
    it.each([
      ['an unknown window', 'window=2h'],
      ['an unknown by', 'by=likes'],
      ['a limit of 0', 'limit=0'],
      ['a limit over 50', 'limit=51'],
      ['a fractional limit', 'limit=1.5'],
      ['a limit that is not a number', 'limit=ten'],
      ['an empty section', 'section='],
      ['a section longer than any stored one', `section=${'x'.repeat(65)}`],
      ['an empty exclude', 'exclude='],
      ['more than 50 excludes', Array.from({ length: 51 }, (_, i) => `exclude=https://x.example/${i}`).join('&')],
      ['a window given twice', 'window=1h&window=24h'],
    ])('should answer 400 invalid_request for %s', async (_, query) => {
      const { id } = await createSite();
      await expectError(await getPopular(id, query), 400, 'invalid_request');
    });

    it('should answer 400 for an exclude that is not an http(s) URL', async () => {
      const { id } = await createSite();
      await expectError(await getPopular(id, 'exclude=not-a-url'), 400, 'invalid_url');
      await expectError(await getPopular(id, 'exclude=ftp%3A%2F%2Fx.example%2Fa'), 400, 'invalid_url');
    });

    it('should answer 400 for an exclude on a host that is not the site’s', async () => {
      const { id } = await createSite();
      await expectError(await getPopular(id, 'exclude=https%3A%2F%2Felsewhere.example%2Fa'), 400, 'url_not_allowed');
    });

    it('should answer 400 for a malformed site id and 404 for an unknown site', async () => {
      await expectError(await getPopular('Not_A_Site'), 400, 'invalid_request');
      await expectError(await getPopular('no-such-site-here'), 404, 'unknown_site');
    });

    it('should answer 405 to other methods', async () => {
      const { id } = await createSite();
      const response = await SELF.fetch(popularUrl(id), { method: 'POST' });
      await expectError(response, 405, 'method_not_allowed');
      expect(response.headers.get('Allow')).toContain('GET');
    });
  });

  describe('HTTP caching and CORS', () => {
    it('should be cacheable by anyone for 60 seconds, with an ETag', async () => {
      const site = await siteWith((ago) => [{ path: 'a', hours: [[ago(1), 1]] }]);
      const response = await getPopular(site.id);
      expect(response.headers.get('Cache-Control')).toBe('public, max-age=60');
      expect(response.headers.get('ETag')).toMatch(/^"[0-9a-f]{32}"$/);
    });

    it('should tag exactly the JSON it answers, also when answered from memory', async () => {
      const site = await siteWith((ago) => [{ path: 'a', hours: [[ago(1), 1]] }]);
      for (let i = 0; i < 2; i++) {
        const response = await getPopular(site.id);
        expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
        const body = await response.text();
        const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body));
        const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
        expect(response.headers.get('ETag')).toBe(`"${hex.slice(0, 32)}"`);
        expect(JSON.parse(body)).toMatchObject({ site: site.id, items: [expect.objectContaining({ views: 1 })] });
      }
    });

    it('should answer 304 without a body to a matching If-None-Match, weak or strong, and 200 otherwise', async () => {
      const site = await siteWith((ago) => [{ path: 'a', hours: [[ago(1), 1]] }]);
      const first = await getPopular(site.id);
      const tag = first.headers.get('ETag')!;
      const body = await first.text();

      for (const ifNoneMatch of [tag, `W/${tag}`, `"other", ${tag}`]) {
        const revalidated = await getPopular(site.id, '', {
          'If-None-Match': ifNoneMatch,
          Origin: 'https://reader.example',
        });
        expect(revalidated.status).toBe(304);
        expect(await revalidated.text()).toBe('');
        expect(revalidated.headers.get('ETag')).toBe(tag);
        expect(revalidated.headers.get('Cache-Control')).toBe('public, max-age=60');
        expect(revalidated.headers.get('Access-Control-Allow-Origin')).toBe('*');
      }
      const changed = await getPopular(site.id, '', { 'If-None-Match': '"something-else"' });
      expect(changed.status).toBe(200);
      expect(await changed.text()).toBe(body);
    });

    it('should give different lists different ETags', async () => {
      const site = await siteWith((ago) => [
        { path: 'a', hours: [[ago(1), 1]] },
        { path: 'b', hours: [[ago(1), 2, 1]] },
      ]);
      const views = await getPopular(site.id, 'by=views');
      const shares = await getPopular(site.id, 'by=shares');
      expect(views.headers.get('ETag')).not.toBe(shares.headers.get('ETag'));
    });

    it('should let any origin read it, and answer the preflight', async () => {
      const site = await siteWith((ago) => [{ path: 'a', hours: [[ago(1), 1]] }]);
      const response = await getPopular(site.id, '', { Origin: 'https://reader.example' });
      expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
      const preflight = await SELF.fetch(popularUrl(site.id), {
        method: 'OPTIONS',
        headers: { Origin: 'https://reader.example', 'Access-Control-Request-Method': 'GET' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('Access-Control-Allow-Origin')).toBe('*');
      expect(preflight.headers.get('Access-Control-Allow-Methods')).toContain('GET');
    });
  });
});
