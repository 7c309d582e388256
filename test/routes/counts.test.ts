import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createSite, expectError, flushAllShards, postEvents, uniqueSiteId } from '../support/helpers';
import { seedArticles } from '../support/seed';

const counts = (site: string, url: string, headers: Record<string, string> = {}) =>
  SELF.fetch(`https://api.test/api/v1/sites/${site}/counts?url=${encodeURIComponent(url)}`, { headers });

describe('GET /api/v1/sites/{site}/counts', () => {
  it('should answer all-time views, reads, shares and shares by network', async () => {
    const { id, host } = await createSite();
    const origin = `https://${host}`;
    await postEvents(
      [
        { site: id, type: 'view', url: `${origin}/a` },
        { site: id, type: 'read', url: `${origin}/a` },
        { site: id, type: 'share', url: `${origin}/a`, network: 'x' },
        { site: id, type: 'share', url: `${origin}/a`, network: 'whatsapp' },
      ],
      { origin },
    );
    await postEvents({ site: id, type: 'share', url: `${origin}/a`, network: 'x' }, { origin, ip: '198.51.100.77' });
    await flushAllShards();
    const response = await counts(id, `http://${host}/a?utm_campaign=z#x`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      url: `${origin}/a`,
      views: 1,
      reads: 1,
      shares: { total: 3, by_network: { whatsapp: 1, x: 2 } },
    });
  });

  it('should answer zeros for a URL never counted, not 404', async () => {
    const { id, host } = await createSite();
    const response = await counts(id, `https://${host}/never`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      url: `https://${host}/never`,
      views: 0,
      reads: 0,
      shares: { total: 0, by_network: {} },
    });
  });

  it('should be cacheable and open to any origin', async () => {
    const { id, host } = await createSite();
    const response = await counts(id, `https://${host}/a`, { Origin: 'https://anywhere.example' });
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=60');
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
  });

  it('should answer 404 for an unknown site', async () => {
    await expectError(await counts(uniqueSiteId(), 'https://x.example/a'), 404, 'unknown_site');
  });

  it.each([
    ['no url', (site: string) => `/api/v1/sites/${site}/counts`, 'invalid_request'],
    ['a relative url', (site: string) => `/api/v1/sites/${site}/counts?url=/a`, 'invalid_url'],
    [
      'a url of another host',
      (site: string) => `/api/v1/sites/${site}/counts?url=https://other.example/a`,
      'url_not_allowed',
    ],
    ['a malformed site id', () => `/api/v1/sites/Bad_Site/counts?url=https://x.example/a`, 'invalid_request'],
    [
      'a url with a user name and password',
      (site: string) => `/api/v1/sites/${site}/counts?url=${encodeURIComponent(`https://a:b@${site}.example/a`)}`,
      'invalid_url',
    ],
    [
      'a url longer than 2,048 characters once normalised',
      (site: string) =>
        `/api/v1/sites/${site}/counts?url=${encodeURIComponent(`https://${site}.example/${'é'.repeat(400)}`)}`,
      'invalid_url',
    ],
  ])('should answer 400 for %s', async (_, path, code) => {
    const { id } = await createSite();
    await expectError(await SELF.fetch(`https://api.test${path(id)}`), 400, code);
  });

  it("should answer another spelling of an article (an alias) with the article's counts and URL", async () => {
    const { id, host } = await createSite();
    const [canonical] = await seedArticles({ id, host }, [
      { path: 'new-slug', totals: { views: 7, shares: 2, reads: 3 } },
    ]);
    await env.DB.batch([
      env.DB.prepare("INSERT INTO article_network_shares (site_id, url, network, shares) VALUES (?, ?, 'x', 2)").bind(
        id,
        canonical,
      ),
      env.DB.prepare('INSERT INTO article_aliases (site_id, alias, url) VALUES (?, ?, ?)').bind(
        id,
        `https://${host}/old-slug`,
        canonical,
      ),
    ]);
    const expected = { url: canonical, views: 7, reads: 3, shares: { total: 2, by_network: { x: 2 } } };
    // The alias however it is spelled, and the article itself.
    for (const url of [`http://${host}/old-slug?utm_source=feed`, canonical!]) {
      const response = await counts(id, url);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(expected);
    }
    // Another site's aliases are not this one's.
    const other = await createSite();
    expect(await (await counts(other.id, `https://${other.host}/old-slug`)).json()).toMatchObject({
      url: `https://${other.host}/old-slug`,
      views: 0,
    });
  });

  it('should answer the counts of hidden and rejected articles, which never rank', async () => {
    const { id, host } = await createSite();
    const [hidden, rejected] = await seedArticles({ id, host }, [
      { path: 'obituary', totals: { views: 4, shares: 0 } },
      { path: 'gone', totals: { views: 6, shares: 1 } },
    ]);
    await env.DB.batch([
      env.DB.prepare('UPDATE articles SET hidden = 1 WHERE site_id = ? AND url = ?').bind(id, hidden),
      env.DB.prepare("UPDATE articles SET status = 'rejected' WHERE site_id = ? AND url = ?").bind(id, rejected),
    ]);
    expect(await (await counts(id, hidden!)).json()).toMatchObject({ url: hidden, views: 4 });
    expect(await (await counts(id, rejected!)).json()).toMatchObject({ url: rejected, views: 6 });
  });

  it('should cache the counts of a URL of 2,048 characters in KV, under a key within its 512 bytes', async () => {
    const { id, host } = await createSite();
    const base = `https://${host}/`;
    const [url] = await seedArticles({ id, host }, [
      { path: 'a'.repeat(2048 - base.length), totals: { views: 3, shares: 0 } },
    ]);
    expect(url).toHaveLength(2048);
    expect((await counts(id, url!)).status).toBe(200);
    const { keys } = await env.CACHE.list({ prefix: `counts:${id}:` });
    expect(keys.map(({ name }) => name)).toEqual([expect.stringMatching(/^counts:[a-z0-9-]+:v2:[0-9a-f]{64}$/)]);
    expect(new TextEncoder().encode(keys[0]!.name).length).toBeLessThanOrEqual(512);
    expect(await env.CACHE.get(keys[0]!.name, 'json')).toMatchObject({ url, views: 3 });
    // Read back from KV: a change in D1 shows only once the entry expires.
    await env.DB.prepare('UPDATE articles SET views = 99 WHERE site_id = ? AND url = ?').bind(id, url).run();
    expect(await (await counts(id, url!)).json()).toMatchObject({ url, views: 3 });
  });
});
