import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../../src/index';
import { createSite, expectError, flushAllShards, postEvents } from '../support/helpers';
import { seedArticles } from '../support/seed';

// The service names of Shariff's front end (heiseonline/shariff, src/js/services)
// that have a network of ours.
const SHARIFF_NAMES = [
  'bluesky',
  'clipboard',
  'facebook',
  'linkedin',
  'mail',
  'mastodon',
  'pinterest',
  'reddit',
  'telegram',
  'twitter',
  'whatsapp',
];

const shariff = (url: string, headers: Record<string, string> = {}) =>
  SELF.fetch(`https://api.test/api/v1/shariff?${new URLSearchParams({ url })}`, { headers });

describe('GET /api/v1/shariff', () => {
  afterEach(() => vi.restoreAllMocks());

  it("should answer the recorded shares under Shariff's service names, the site found by the URL's host", async () => {
    const { id, hosts } = await createSite(undefined, { hosts: ['www.shariff-news.example', 'shariff-news.example'] });
    const url = 'https://shariff-news.example/story';
    const origin = 'https://shariff-news.example';
    const share = (network: string, ip: string) =>
      postEvents({ site: id, type: 'share', url, network }, { origin, ip });
    for (const [network, ip] of [
      ['x', '203.0.113.1'],
      ['x', '203.0.113.2'],
      ['email', '203.0.113.1'],
      ['copy', '203.0.113.3'],
      ['threads', '203.0.113.1'],
      ['bluesky', '203.0.113.4'],
    ] as const) {
      expect((await share(network, ip)).status).toBe(202);
    }
    await flushAllShards();

    const response = await shariff(`http://${hosts[1]}/story?utm_campaign=launch#comments`);
    expect(response.status).toBe(200);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(response.headers.get('Cache-Control')).toMatch(/^public, max-age=\d+$/);
    const body = await response.json<Record<string, number>>();
    expect(Object.keys(body).sort()).toEqual(SHARIFF_NAMES);
    expect(body).toEqual({
      twitter: 2,
      facebook: 0,
      linkedin: 0,
      whatsapp: 0,
      telegram: 0,
      reddit: 0,
      bluesky: 1,
      mastodon: 0,
      pinterest: 0,
      mail: 1,
      clipboard: 1,
    });
  });

  it('should answer zeros for an article of a site never shared', async () => {
    const { host } = await createSite();
    const body = await (await shariff(`https://${host}/quiet`)).json<Record<string, number>>();
    expect(Object.keys(body).sort()).toEqual(SHARIFF_NAMES);
    expect(Object.values(body).every((n) => n === 0)).toBe(true);
  });

  it("should answer another spelling of an article (an alias) with the article's shares", async () => {
    const site = await createSite();
    const [canonical] = await seedArticles(site, [{ path: 'new-slug', totals: { views: 0, shares: 3 } }]);
    await env.DB.batch([
      env.DB.prepare("INSERT INTO article_network_shares (site_id, url, network, shares) VALUES (?, ?, 'x', 3)").bind(
        site.id,
        canonical,
      ),
      env.DB.prepare('INSERT INTO article_aliases (site_id, alias, url) VALUES (?, ?, ?)').bind(
        site.id,
        `https://${site.host}/old-slug`,
        canonical,
      ),
    ]);
    const body = await (await shariff(`https://${site.host}/old-slug`)).json<Record<string, number>>();
    expect(body).toMatchObject({ twitter: 3, facebook: 0 });
  });

  it('should answer 404 for a host no site claims, and 400 for a bad or missing URL', async () => {
    await expectError(await shariff('https://nobody-claims-this.example/a'), 404, 'unknown_site');
    await expectError(await shariff('ftp://files.example/a'), 400, 'invalid_url');
    await expectError(await SELF.fetch('https://api.test/api/v1/shariff'), 400, 'invalid_request');
  });

  it('should not read D1 again for a host it has just looked up, claimed or not', async () => {
    const { host } = await createSite();
    // Through the Worker's own fetch handler, so that the test sees its D1 binding.
    const ask = async (url: string) => {
      const ctx = createExecutionContext();
      const response = await worker.fetch(
        new Request(`https://api.test/api/v1/shariff?${new URLSearchParams({ url })}`),
        env,
        ctx,
      );
      await waitOnExecutionContext(ctx);
      return response;
    };
    const claimed = `https://${host}/read-twice`;
    const unclaimed = 'https://nobody-claims-this-either.example/a';
    expect((await ask(claimed)).status).toBe(200);
    await expectError(await ask(unclaimed), 404, 'unknown_site');

    const d1 = vi.spyOn(env.DB, 'prepare');
    for (let i = 0; i < 5; i++) {
      expect((await ask(claimed)).status).toBe(200);
      await expectError(await ask(unclaimed), 404, 'unknown_site');
    }
    // The site and its article's counts are cached too: D1 is not asked at all.
    expect(d1).not.toHaveBeenCalled();
  });
});
