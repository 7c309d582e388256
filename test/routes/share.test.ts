import { env, SELF } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isLinkNetwork, NETWORKS, shareUrl } from '../../common/networks';
import { readArticleCounts } from '../../src/db/counts';
import {
  BROWSER_UA,
  createSite,
  expectError,
  expectNothingRecorded,
  flushAllShards,
  uniqueSiteId,
} from '../support/helpers';
import { siteFilledFrom } from './flood-support';

interface ClickOptions {
  referer?: string;
  userAgent?: string;
  ip?: string;
  headers?: Record<string, string>;
}

/** Follows a share link the way a browser does, without following the redirect. */
function click(
  path: string,
  { referer, userAgent = BROWSER_UA, ip = '198.51.100.4', headers = {} }: ClickOptions = {},
) {
  const all: Record<string, string> = { 'User-Agent': userAgent, 'CF-Connecting-IP': ip, ...headers };
  if (referer) all.Referer = referer;
  return SELF.fetch(`https://api.test${path}`, { headers: all, redirect: 'manual' });
}

const sharePath = (network: string, params: Record<string, string>) =>
  `/api/v1/share/${network}?${new URLSearchParams(params)}`;

const sharesOf = async (site: string, url: string) => {
  await flushAllShards();
  return (await readArticleCounts(env.DB, site, url)).shares;
};

describe('GET /api/v1/share/{network}: redirect', () => {
  it("should answer 302 to each network's share page with the normalised article URL", async () => {
    const { id, host } = await createSite();
    const url = `http://${host.toUpperCase()}/story/?utm_source=news&b=2&a=1#top`;
    const normalised = `https://${host}/story/?a=1&b=2`;
    for (const network of NETWORKS.filter(isLinkNetwork)) {
      const response = await click(sharePath(network, { site: id, url, title: 'Big news' }));
      expect(response.status).toBe(302);
      expect(response.headers.get('Location')).toBe(shareUrl(network, normalised, 'Big news'));
      expect(response.headers.get('Cache-Control')).toBe('no-store');
      expect(response.headers.get('Referrer-Policy')).toBe('no-referrer');
    }
  });

  it('should keep hostile input inside the query of the network page', async () => {
    const { id, host } = await createSite();
    const response = await click(
      sharePath('x', {
        site: id,
        url: `https://${host}/a?next=//evil.example/@x`,
        title: 'a\r\nLocation: https://evil.example/',
      }),
    );
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('Location')!);
    expect(location.origin + location.pathname).toBe('https://x.com/intent/tweet');
    expect(location.searchParams.get('url')).toBe(`https://${host}/a?next=%2F%2Fevil.example%2F%40x`);
  });

  it('should cut a long title to 300 characters rather than refuse it', async () => {
    const { id, host } = await createSite();
    const response = await click(sharePath('reddit', { site: id, url: `https://${host}/a`, title: 't'.repeat(1000) }));
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get('Location')!).searchParams.get('title')).toBe('t'.repeat(300));
  });
});

describe('GET /api/v1/share/{network}: counting', () => {
  it('should count a click from a page of the site as a share of that network', async () => {
    const { id, host } = await createSite();
    const url = `https://${host}/counted`;
    const response = await click(sharePath('linkedin', { site: id, url }), { referer: `https://${host}/counted` });
    expect(response.status).toBe(302);
    expect(await sharesOf(id, url)).toEqual({ total: 1, by_network: { linkedin: 1 } });
  });

  it('should count a visitor once per network and day, and each network apart', async () => {
    const { id, host } = await createSite();
    const url = `https://${host}/twice`;
    const referer = `https://${host}/`;
    await click(sharePath('x', { site: id, url }), { referer });
    await click(sharePath('x', { site: id, url }), { referer });
    await click(sharePath('email', { site: id, url }), { referer });
    expect(await sharesOf(id, url)).toEqual({ total: 2, by_network: { email: 1, x: 1 } });
  });

  it('should count a click without taking its title as the article\u2019s (anyone can write a share link)', async () => {
    const { id, host } = await createSite();
    const url = `https://${host}/titled`;
    await click(sharePath('x', { site: id, url, title: 'Forged headline' }), { referer: `https://${host}/titled` });
    await flushAllShards();
    const row = await env.DB.prepare('SELECT title, shares FROM articles WHERE site_id = ? AND url = ?')
      .bind(id, url)
      .first();
    expect(row).toEqual({ title: null, shares: 1 });
  });

  it('should redirect a click to a network the site turned off, without counting it', async () => {
    const { id, host } = await createSite(uniqueSiteId(), { settings: { networks: ['x'] } });
    const url = `https://${host}/off`;
    const response = await click(sharePath('facebook', { site: id, url }), { referer: `https://${host}/off` });
    expect(response.status).toBe(302);
    expect(response.headers.get('Location')).toBe(shareUrl('facebook', url));
    await click(sharePath('x', { site: id, url }), { referer: `https://${host}/off` });
    expect(await sharesOf(id, url)).toEqual({ total: 1, by_network: { x: 1 } });
  });

  it('should redirect without counting a click with no Referer', async () => {
    const { id, host } = await createSite();
    const response = await click(sharePath('facebook', { site: id, url: `https://${host}/a` }));
    expect(response.status).toBe(302);
    await expectNothingRecorded(id);
  });

  it('should redirect without counting a click from another site, a prefetch or a bot', async () => {
    const { id, host } = await createSite();
    const path = sharePath('whatsapp', { site: id, url: `https://${host}/a` });
    const referer = `https://${host}/a`;
    const answers = [
      await click(path, { referer: 'https://aggregator.example/links' }),
      await click(path, { referer: 'null' }),
      await click(path, { referer, headers: { 'Sec-Purpose': 'prefetch' } }),
      await click(path, {
        referer,
        userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      }),
    ];
    expect(answers.map((r) => r.status)).toEqual([302, 302, 302, 302]);
    await expectNothingRecorded(id);
  });

  it('should count a click made in our share embed for an article of the site', async () => {
    const { id, host } = await createSite();
    const url = `https://${host}/embedded`;
    const referer = `https://api.test/embed/share?${new URLSearchParams({ site: id, url })}`;
    await click(sharePath('telegram', { site: id, url }), { referer });
    expect(await sharesOf(id, url)).toEqual({ total: 1, by_network: { telegram: 1 } });
  });

  it('should not count a click in an embed made for another article of the site', async () => {
    const { id, host } = await createSite();
    const shared = `https://${host}/shared`;
    // A share link for one article, dressed up with the Referer of our embed of another.
    await click(sharePath('telegram', { site: id, url: shared }), {
      referer: `https://api.test/embed/share?${new URLSearchParams({ site: id, url: `https://${host}/embedded` })}`,
    });
    await expectNothingRecorded(id);
    // Another spelling of the article the embed was made for still counts.
    await click(sharePath('telegram', { site: id, url: shared }), {
      referer: `https://api.test/embed/share?${new URLSearchParams({ site: id, url: `http://${host}/shared?utm_source=a` })}`,
    });
    expect(await sharesOf(id, shared)).toEqual({ total: 1, by_network: { telegram: 1 } });
  });

  it("should not count a click from an embed made for another site's article", async () => {
    const { id, host } = await createSite();
    const other = await createSite();
    const url = `https://${host}/a`;
    const path = sharePath('telegram', { site: id, url });
    await click(path, {
      referer: `https://api.test/embed/share?${new URLSearchParams({ site: other.id, url: `https://${other.host}/a` })}`,
    });
    await click(path, {
      referer: `https://api.test/embed/share?${new URLSearchParams({ site: id, url: `https://${other.host}/a` })}`,
    });
    await click(path, { referer: `https://api.test/demo?${new URLSearchParams({ site: id, url })}` });
    await expectNothingRecorded(id);
  });
});

describe('GET /api/v1/share/{network}: the flood guard', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('should still redirect a click the flood guard refuses, without counting or logging it', async () => {
    const errors = vi.spyOn(console, 'error');
    const ip = '198.51.100.77';
    const { id, origin } = await siteFilledFrom(ip);

    const url = `${origin}/refused`;
    const response = await click(sharePath('x', { site: id, url }), { referer: `${origin}/refused`, ip });
    expect(response.status).toBe(302);
    expect(response.headers.get('Location')).toBe(shareUrl('x', url));
    expect(errors).not.toHaveBeenCalled();
    expect(await sharesOf(id, url)).toEqual({ total: 0, by_network: {} });
  }, 60_000);
});

describe('GET /api/v1/share/{network}: refusals', () => {
  it('should refuse an unknown network', async () => {
    const { id, host } = await createSite();
    await expectError(
      await click(sharePath('myspace', { site: id, url: `https://${host}/a` })),
      400,
      'unknown_network',
    );
  });

  it('should refuse copy and native, which have no share page', async () => {
    const { id, host } = await createSite();
    for (const network of ['copy', 'native']) {
      await expectError(
        await click(sharePath(network, { site: id, url: `https://${host}/a` })),
        400,
        'not_a_link_network',
      );
    }
  });

  it("should refuse a URL that is not on one of the site's hosts", async () => {
    const { id } = await createSite();
    const response = await click(sharePath('x', { site: id, url: 'https://evil.example/a' }), {
      referer: 'https://evil.example/',
    });
    await expectError(response, 400, 'url_not_allowed');
    await expectNothingRecorded(id);
  });

  it('should refuse a URL that is not http(s), and missing parameters', async () => {
    const { id } = await createSite();
    await expectError(await click(sharePath('x', { site: id, url: 'javascript:alert(1)' })), 400, 'invalid_url');
    await expectError(await click(sharePath('x', { site: id })), 400, 'invalid_request');
    await expectError(await click(sharePath('x', { url: 'https://a.example/' })), 400, 'invalid_request');
  });

  it('should answer 404 for an unknown site and 405 for another method', async () => {
    await expectError(
      await click(sharePath('x', { site: 'no-such-site', url: 'https://a.example/' })),
      404,
      'unknown_site',
    );
    const post = await SELF.fetch('https://api.test/api/v1/share/x?site=a&url=https://a.example/', { method: 'POST' });
    await expectError(post, 405, 'method_not_allowed');
    expect(post.headers.get('Allow')).toBe('GET');
  });
});
