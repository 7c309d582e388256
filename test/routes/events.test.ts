import { env, SELF } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readArticleCounts } from '../../src/db/counts';
import { MAX_BOXES_PER_VIEW } from '../../src/ingest/event-schema';
import { EVENTS_PER_MINUTE } from '../../src/recording/flood-guard';
import {
  BROWSER_UA,
  createSite,
  expectError,
  expectNothingRecorded,
  flushAllShards,
  postEvents,
  storedTotals,
  uniqueSiteId,
} from '../support/helpers';
import { freezeAtMinuteStart, siteFilledFrom } from './flood-support';

const view = (site: string, url: string, extra: Record<string, unknown> = {}) => ({
  site,
  type: 'view',
  url,
  ...extra,
});
const share = (site: string, url: string, network: string) => ({ site, type: 'share', url, network });
const read = (site: string, url: string, extra: Record<string, unknown> = {}) => ({
  site,
  type: 'read',
  url,
  ...extra,
});

/** An article's counts once every shard has flushed. */
const flushedCounts = async (site: string, url: string) => {
  await flushAllShards();
  return readArticleCounts(env.DB, site, url);
};

describe('POST /api/v1/events: counting', () => {
  it('should accept a view with 202 and no body, and count it', async () => {
    const { id, host } = await createSite();
    const response = await postEvents(view(id, `https://${host}/a`), { origin: `https://${host}` });
    expect(response.status).toBe(202);
    expect(await response.text()).toBe('');
    await flushAllShards();
    expect(await storedTotals(id, `https://${host}/a`)).toEqual({ views: 1, shares: 0 });
  });

  it('should accept a JSON content type as well as text/plain', async () => {
    const { id, host } = await createSite();
    const response = await postEvents(view(id, `https://${host}/a`), {
      origin: `https://${host}`,
      contentType: 'application/json',
    });
    expect(response.status).toBe(202);
    await flushAllShards();
    expect(await storedTotals(id, `https://${host}/a`)).toEqual({ views: 1, shares: 0 });
  });

  it('should accept an array of events whole', async () => {
    const { id, host } = await createSite();
    const response = await postEvents(
      [view(id, `https://${host}/a`), view(id, `https://${host}/b`), share(id, `https://${host}/a`, 'x')],
      { origin: `https://${host}` },
    );
    expect(response.status).toBe(202);
    await flushAllShards();
    expect(await storedTotals(id, `https://${host}/a`)).toEqual({ views: 1, shares: 1 });
    expect(await storedTotals(id, `https://${host}/b`)).toEqual({ views: 1, shares: 0 });
  });

  it('should count a share as a share, not a view, per network', async () => {
    const { id, host } = await createSite();
    const url = `https://${host}/a`;
    await postEvents([share(id, url, 'x'), share(id, url, 'facebook')], { origin: `https://${host}` });
    expect(await flushedCounts(id, url)).toEqual({
      url,
      views: 0,
      shares: { total: 2, by_network: { facebook: 1, x: 1 } },
      reads: 0,
    });
  });

  it('should accept a share to a network the site turned off with 202, and not count it', async () => {
    const { id, host } = await createSite(uniqueSiteId(), { settings: { networks: ['x', 'email'] } });
    const url = `https://${host}/a`;
    const response = await postEvents([share(id, url, 'facebook'), share(id, url, 'copy'), share(id, url, 'x')], {
      origin: `https://${host}`,
    });
    expect(response.status).toBe(202);
    expect(await flushedCounts(id, url)).toEqual({
      url,
      views: 0,
      shares: { total: 1, by_network: { x: 1 } },
      reads: 0,
    });
  });

  it('should count one visitor once per day per article', async () => {
    const { id, host } = await createSite();
    const origin = `https://${host}`;
    for (let i = 0; i < 3; i++) expect((await postEvents(view(id, `${origin}/a`), { origin })).status).toBe(202);
    await postEvents(view(id, `${origin}/b`), { origin });
    await flushAllShards();
    await postEvents(view(id, `${origin}/a`), { origin }); // after a flush too
    await flushAllShards();
    expect(await storedTotals(id, `${origin}/a`)).toEqual({ views: 1, shares: 0 });
    expect(await storedTotals(id, `${origin}/b`)).toEqual({ views: 1, shares: 0 });
  });

  it('should tell visitors apart by IP and by User-Agent', async () => {
    const { id, host } = await createSite();
    const origin = `https://${host}`;
    await postEvents(view(id, `${origin}/a`), { origin, ip: '198.51.100.1' });
    await postEvents(view(id, `${origin}/a`), { origin, ip: '198.51.100.2' });
    await postEvents(view(id, `${origin}/a`), { origin, ip: '198.51.100.2', userAgent: `${BROWSER_UA} Edg/140.0` });
    await flushAllShards();
    expect(await storedTotals(id, `${origin}/a`)).toEqual({ views: 3, shares: 0 });
  });

  it('should count a visitor\u2019s share once per network per day', async () => {
    const { id, host } = await createSite();
    const url = `https://${host}/a`;
    const origin = `https://${host}`;
    await postEvents([share(id, url, 'x'), share(id, url, 'x'), view(id, url)], { origin });
    await postEvents(share(id, url, 'x'), { origin });
    await postEvents(share(id, url, 'email'), { origin });
    expect(await flushedCounts(id, url)).toEqual({
      url,
      views: 1,
      shares: { total: 2, by_network: { email: 1, x: 1 } },
      reads: 0,
    });
  });

  it('should count every spelling of an article URL as one article', async () => {
    const { id, host } = await createSite();
    const origin = `https://${host}`;
    await postEvents(view(id, `http://${host.toUpperCase()}/story/index.html?utm_source=nl#top`), {
      origin,
      ip: '198.51.100.1',
    });
    await postEvents(view(id, `https://${host}:443/story/?fbclid=abc`), { origin, ip: '198.51.100.2' });
    await postEvents(view(id, `https://${host}/story/`), { origin, ip: '198.51.100.1' }); // same visitor as the first
    await flushAllShards();
    expect(await storedTotals(id, `https://${host}/story/`)).toEqual({ views: 2, shares: 0 });
  });

  it('should take the Referer when there is no Origin', async () => {
    const { id, host } = await createSite();
    const response = await postEvents(view(id, `https://${host}/a`), { headers: { Referer: `https://${host}/a?x=1` } });
    expect(response.status).toBe(202);
    await flushAllShards();
    expect(await storedTotals(id, `https://${host}/a`)).toEqual({ views: 1, shares: 0 });
  });

  it('should compare the origin host case-insensitively and without port', async () => {
    const { id, host } = await createSite();
    const response = await postEvents(view(id, `https://${host}/a`), { origin: `http://${host.toUpperCase()}:8080` });
    expect(response.status).toBe(202);
  });

  it.each([
    ['a search engine crawler', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'],
    ['a link preview fetcher', 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)'],
    [
      'a headless browser',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/140.0.0.0 Safari/537.36',
    ],
    ['a client with no User-Agent', null],
  ])('should accept %s with 202 and not count it', async (_, userAgent) => {
    const { id, host } = await createSite();
    const response = await postEvents([view(id, `https://${host}/a`), share(id, `https://${host}/a`, 'x')], {
      origin: `https://${host}`,
      userAgent,
    });
    expect(response.status).toBe(202);
    await expectNothingRecorded(id);
  });

  it('should not count Sec-GPC: 1 on a site that respects GPC', async () => {
    const { id, host } = await createSite(uniqueSiteId(), { settings: { respect_gpc: true } });
    const origin = `https://${host}`;
    expect((await postEvents(view(id, `${origin}/a`), { origin, headers: { 'Sec-GPC': '1' } })).status).toBe(202);
    await expectNothingRecorded(id);
    await postEvents(view(id, `${origin}/a`), { origin });
    await flushAllShards();
    expect(await storedTotals(id, `${origin}/a`)).toEqual({ views: 1, shares: 0 });
  });

  it('should count Sec-GPC: 1 on a site that does not respect GPC', async () => {
    const { id, host } = await createSite();
    const origin = `https://${host}`;
    await postEvents(view(id, `${origin}/a`), { origin, headers: { 'Sec-GPC': '1' } });
    await flushAllShards();
    expect(await storedTotals(id, `${origin}/a`)).toEqual({ views: 1, shares: 0 });
  });

  it('should store metadata cut to its caps', async () => {
    const { id, host } = await createSite();
    const url = `https://${host}/a`;
    const longImage = `https://${host}/img/${'i'.repeat(3000)}.jpg`;
    await postEvents(
      view(id, url, {
        title: `  ${'😀'.repeat(299)}ab  `,
        section: 's'.repeat(100),
        image: longImage,
        published: '2026-11-26T08:30:00+01:00',
      }),
      { origin: `https://${host}` },
    );
    await flushAllShards();
    const row = await env.DB.prepare(
      'SELECT title, image, section, published FROM articles WHERE site_id = ? AND url = ?',
    )
      .bind(id, url)
      .first<{ title: string; image: string; section: string; published: string }>();
    expect(row).toEqual({
      title: `${'😀'.repeat(299)}a`,
      image: longImage.slice(0, 2048),
      section: 's'.repeat(64),
      published: '2026-11-26T07:30:00.000Z',
    });
  });

  it('should keep the first metadata a beacon brings (beacon mode), whatever later beacons say', async () => {
    const { id, host } = await createSite();
    const url = `https://${host}/a`;
    const origin = `https://${host}`;
    await postEvents(view(id, url, { title: 'First', section: 'City' }), { origin, ip: '198.51.100.1' });
    await flushAllShards();
    await postEvents(view(id, url, { title: 'Second' }), { origin, ip: '198.51.100.2' });
    await postEvents(view(id, url), { origin, ip: '198.51.100.3' });
    await flushAllShards();
    const row = await env.DB.prepare('SELECT title, section, views FROM articles WHERE site_id = ? AND url = ?')
      .bind(id, url)
      .first();
    expect(row).toEqual({ title: 'First', section: 'City', views: 3 });
  });
});

describe('POST /api/v1/events: refusals write nothing', () => {
  const refusals: [string, (site: string, host: string) => unknown, string][] = [
    ['a missing site', (_, host) => ({ type: 'view', url: `https://${host}/a` }), 'invalid_request'],
    ['a malformed site id', (_, host) => view('Not A Site!', `https://${host}/a`), 'invalid_request'],
    ['an unknown type', (site, host) => ({ site, type: 'click', url: `https://${host}/a` }), 'invalid_request'],
    ['a missing url', (site) => ({ site, type: 'view' }), 'invalid_request'],
    ['a relative url', (site) => view(site, '/a'), 'invalid_request'],
    ['a javascript: url', (site) => view(site, 'javascript:alert(1)'), 'invalid_request'],
    [
      'a url over 2,048 characters',
      (site, host) => view(site, `https://${host}/${'a'.repeat(2048)}`),
      'invalid_request',
    ],
    ['a share without network', (site, host) => ({ site, type: 'share', url: `https://${host}/a` }), 'invalid_request'],
    ['a view with a network', (site, host) => view(site, `https://${host}/a`, { network: 'x' }), 'invalid_request'],
    ['a read with a network', (site, host) => read(site, `https://${host}/a`, { network: 'x' }), 'invalid_request'],
    [
      'a share with from',
      (site, host) => ({ ...share(site, `https://${host}/a`, 'x'), from: 'views-24h.1' }),
      'invalid_request',
    ],
    [
      'a share with boxes',
      (site, host) => ({ ...share(site, `https://${host}/a`, 'x'), boxes: ['views-24h'] }),
      'invalid_request',
    ],
    ['a read with boxes', (site, host) => read(site, `https://${host}/a`, { boxes: ['views-24h'] }), 'invalid_request'],
    ['a from of no list', (site, host) => view(site, `https://${host}/a`, { from: 'latest.1' }), 'invalid_request'],
    [
      'a from at position 0',
      (site, host) => view(site, `https://${host}/a`, { from: 'views-24h.0' }),
      'invalid_request',
    ],
    [
      'a from past position 50',
      (site, host) => read(site, `https://${host}/a`, { from: 'trending.51' }),
      'invalid_request',
    ],
    [
      'a from without a position',
      (site, host) => view(site, `https://${host}/a`, { from: 'views-24h' }),
      'invalid_request',
    ],
    ['a from that is not a string', (site, host) => view(site, `https://${host}/a`, { from: 3 }), 'invalid_request'],
    [
      `boxes of more than ${MAX_BOXES_PER_VIEW} lists`,
      (site, host) =>
        view(site, `https://${host}/a`, {
          boxes: ['views-24h', 'views-7d', 'shares-24h', 'score-24h', 'reads-24h', 'trending'],
        }),
      'invalid_request',
    ],
    ['no boxes', (site, host) => view(site, `https://${host}/a`, { boxes: [] }), 'invalid_request'],
    [
      'boxes naming a list twice',
      (site, host) => view(site, `https://${host}/a`, { boxes: ['views-24h', 'views-24h'] }),
      'invalid_request',
    ],
    [
      'a box of no list',
      (site, host) => view(site, `https://${host}/a`, { boxes: ['views-24h', 'views-2h'] }),
      'invalid_request',
    ],
    [
      'boxes that are not a list',
      (site, host) => view(site, `https://${host}/a`, { boxes: 'views-24h' }),
      'invalid_request',
    ],
    ['an unknown network', (site, host) => share(site, `https://${host}/a`, 'myspace'), 'invalid_request'],
    [
      'a published time that is not ISO-8601',
      (site, host) => view(site, `https://${host}/a`, { published: 'yesterday' }),
      'invalid_request',
    ],
    [
      'an image that is not an http(s) URL',
      (site, host) => view(site, `https://${host}/a`, { image: 'javascript:alert(1)' }),
      'invalid_request',
    ],
    ['a title that is not a string', (site, host) => view(site, `https://${host}/a`, { title: 42 }), 'invalid_request'],
    ['an empty array', () => [], 'invalid_request'],
    [
      'more than 20 events',
      (site, host) => Array.from({ length: 21 }, (_, i) => view(site, `https://${host}/${i}`)),
      'invalid_request',
    ],
    ['a number', () => 42, 'invalid_request'],
    ['null', () => null, 'invalid_request'],
    [
      'an array with a bad read among good events',
      (site, host) => [view(site, `https://${host}/a`), read(site, `https://${host}/a`, { from: 'views-24h.99' })],
      'invalid_request',
    ],
    [
      'an array with one bad event among good ones',
      (site, host) => [view(site, `https://${host}/a`), view(site, `https://${host}/b`, { published: 'soon' })],
      'invalid_request',
    ],
  ];

  it.each(refusals)('should refuse %s with 400', async (_, body, code) => {
    const { id, host } = await createSite();
    const response = await postEvents(body(id, host), { origin: `https://${host}` });
    await expectError(response, 400, code);
    await expectNothingRecorded(id);
  });

  it.each([
    ['malformed JSON', '{"site": '],
    ['an empty body', ''],
  ])('should refuse %s with 400 invalid_json', async (_, raw) => {
    const { id, host } = await createSite();
    await expectError(await postEvents(raw, { origin: `https://${host}` }), 400, 'invalid_json');
    await expectNothingRecorded(id);
  });

  it('should refuse a body over 16 KiB with 413', async () => {
    const { id, host } = await createSite();
    const body = JSON.stringify(view(id, `https://${host}/a`, { title: 't'.repeat(16 * 1024) }));
    await expectError(await postEvents(body, { origin: `https://${host}` }), 413, 'payload_too_large');
    await expectNothingRecorded(id);
  });

  it('should accept a body of exactly 16 KiB', async () => {
    const { id, host } = await createSite();
    const base = JSON.stringify(view(id, `https://${host}/a`, { title: '' }));
    const body = JSON.stringify(view(id, `https://${host}/a`, { title: 't'.repeat(16 * 1024 - base.length) }));
    expect(new TextEncoder().encode(body).length).toBe(16 * 1024);
    expect((await postEvents(body, { origin: `https://${host}` })).status).toBe(202);
  });

  it.each([
    ['neither Origin nor Referer', {}, 'origin_required'],
    ['Origin: null', { Origin: 'null' }, 'origin_required'],
    ['an Origin of another host', { Origin: 'https://evil.example' }, 'origin_not_allowed'],
    ['a Referer of another host', { Referer: 'https://evil.example/page' }, 'origin_not_allowed'],
    [
      'a foreign Origin with an allowed Referer',
      { Origin: 'https://evil.example', Referer: 'REFERER' },
      'origin_not_allowed',
    ],
    ['a subdomain of an allowed host', { Origin: 'https://sub.HOST' }, 'origin_not_allowed'],
  ])('should refuse %s with 403', async (_, headers: Record<string, string>, code) => {
    const { id, host } = await createSite();
    const resolved = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, v.replace('REFERER', `https://${host}/a`).replace('HOST', host)]),
    );
    await expectError(await postEvents(view(id, `https://${host}/a`), { headers: resolved }), 403, code);
    await expectNothingRecorded(id);
  });

  it('should refuse an unknown site with 404', async () => {
    const id = uniqueSiteId();
    await expectError(
      await postEvents(view(id, 'https://nowhere.example/a'), { origin: 'https://nowhere.example' }),
      404,
      'unknown_site',
    );
    await expectNothingRecorded(id);
  });

  it('should refuse a URL on a host the site does not own with 400, even among good events', async () => {
    const { id, host } = await createSite();
    const response = await postEvents([view(id, `https://${host}/a`), view(id, 'https://other.example/planted')], {
      origin: `https://${host}`,
    });
    // The message names the host, so the widget's console warning says what to fix.
    expect(await response.clone().json()).toMatchObject({
      error: { message: `URL host other.example is not a host of site ${id}.` },
    });
    await expectError(response, 400, 'url_not_allowed');
    await expectNothingRecorded(id);
  });

  it('should refuse a request whose origin one of its sites does not allow', async () => {
    const a = await createSite();
    const b = await createSite();
    const response = await postEvents([view(a.id, `https://${a.host}/x`), view(b.id, `https://${b.host}/x`)], {
      origin: `https://${a.host}`,
    });
    await expectError(response, 403, 'origin_not_allowed');
    await expectNothingRecorded(a.id);
    await expectNothingRecorded(b.id);
  });

  it.each(['GET', 'PUT', 'DELETE'])('should answer %s with 405', async (method) => {
    const response = await SELF.fetch('https://api.test/api/v1/events', { method });
    expect(response.headers.get('Allow')).toBe('POST');
    await expectError(response, 405, 'method_not_allowed');
  });
});

// Each test sends hundreds of requests, or thousands of events: a few seconds
// alone, so a minute leaves room for a busy machine.
const FLOOD_TIMEOUT_MS = 60_000;

/** A reader's own browser: one User-Agent per reader behind a shared address. */
const readerUa = (i: number) => `${BROWSER_UA} Reader/${i}`;

describe('POST /api/v1/events: readers sharing an address', () => {
  it(
    'should answer 202 to the views and shares of 40 User-Agents on one IPv4 address and 40 on one IPv6 /64',
    async () => {
      const { id, host } = await createSite();
      const origin = `https://${host}`;
      const url = `${origin}/shared-address`;
      const beacons = Array.from({ length: 40 }, (_, i) => [
        postEvents([view(id, url), share(id, url, 'x')], { origin, ip: '198.51.100.40', userAgent: readerUa(i) }),
        // Each reader its own address of the one /64, as IPv6 privacy addresses are.
        postEvents([view(id, url), share(id, url, 'x')], {
          origin,
          ip: `2001:db8:14:40:${(i + 1).toString(16)}::1`,
          userAgent: readerUa(i),
        }),
      ]).flat();
      const statuses = (await Promise.all(beacons)).map((r) => r.status);
      expect(statuses).toEqual(Array(80).fill(202));
    },
    FLOOD_TIMEOUT_MS,
  );

  it(
    'should answer 202 to each of 300 readers behind one address sending a view',
    async () => {
      const { id, host } = await createSite();
      const origin = `https://${host}`;
      const beacons = Array.from({ length: 300 }, (_, i) =>
        postEvents(view(id, `${origin}/newsroom`), { origin, ip: '198.51.100.41', userAgent: readerUa(i) }),
      );
      const statuses = (await Promise.all(beacons)).map((r) => r.status);
      expect(statuses).toEqual(Array(300).fill(202));
    },
    FLOOD_TIMEOUT_MS,
  );
});

describe('POST /api/v1/events: the flood guard', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it(
    'should count events, not requests, and past its bound answer 429 with Retry-After, recording nothing of it',
    async () => {
      const ip = '198.51.100.200';
      const { id, origin } = await siteFilledFrom(ip);

      const refused = await postEvents(view(id, `${origin}/refused`), { origin, ip });
      expect(refused.headers.get('Retry-After')).toBe('60');
      await expectError(refused, 429, 'rate_limited');
      // Another address of the site, and the same address on another site, are not held back.
      expect((await postEvents(view(id, `${origin}/other`), { origin, ip: '198.51.100.201' })).status).toBe(202);
      const other = await createSite();
      const otherOrigin = `https://${other.host}`;
      expect((await postEvents(view(other.id, `${otherOrigin}/a`), { origin: otherOrigin, ip })).status).toBe(202);

      await flushAllShards();
      expect(await storedTotals(id, `${origin}/refused`)).toEqual({ views: 0, shares: 0 });
      expect(await storedTotals(id, `${origin}/other`)).toEqual({ views: 1, shares: 0 });
      // The next minute starts afresh.
      vi.setSystemTime(Date.now() + 60_000);
      expect((await postEvents(view(id, `${origin}/next-minute`), { origin, ip })).status).toBe(202);
    },
    FLOOD_TIMEOUT_MS,
  );

  it(
    'should key an IPv6 client by its /64',
    async () => {
      const { id, origin } = await siteFilledFrom('2001:db8:14:200::1');
      const sameSlash64 = await postEvents(view(id, `${origin}/a`), { origin, ip: '2001:db8:14:200:abcd::2' });
      await expectError(sameSlash64, 429, 'rate_limited');
      expect((await postEvents(view(id, `${origin}/a`), { origin, ip: '2001:db8:14:201::1' })).status).toBe(202);
    },
    FLOOD_TIMEOUT_MS,
  );

  it(
    'should not spend an address\u2019s bound on events that count nothing',
    async () => {
      freezeAtMinuteStart();
      const { id, host } = await createSite(uniqueSiteId(), { settings: { networks: ['x'] } });
      const origin = `https://${host}`;
      const ip = '198.51.100.220';
      const bots = Array.from({ length: 20 }, (_, i) => view(id, `${origin}/story-${i}`));
      const offNetworks = Array.from({ length: 20 }, () => share(id, `${origin}/story`, 'facebook'));
      const beacons = Array.from({ length: EVENTS_PER_MINUTE / 20 }, () => [
        postEvents(bots, { origin, ip, userAgent: 'Googlebot/2.1 (+http://www.google.com/bot.html)' }),
        postEvents(offNetworks, { origin, ip }),
      ]).flat();
      expect(new Set((await Promise.all(beacons)).map((r) => r.status))).toEqual(new Set([202]));
      expect((await postEvents(view(id, `${origin}/counted`), { origin, ip })).status).toBe(202);
    },
    FLOOD_TIMEOUT_MS,
  );
});
