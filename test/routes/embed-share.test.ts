import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { EMBED_CSS } from '../../src/render/embed-page';
import { createSite, expectError, flushAllShards, postEvents } from '../support/helpers';
import { LINK_NETWORKS } from '../support/networks';
import { expectFramedBySiteHostsOnly } from './embed-support';

const embed = (params: Record<string, string>) =>
  SELF.fetch(`https://api.test/embed/share?${new URLSearchParams(params)}`);

/** The href of every link of an embed page, decoded. */
const hrefs = (html: string) => [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));

async function sha256Base64(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

describe('GET /embed/share', () => {
  it('should render plain links to the share endpoint for every network with a share page', async () => {
    const { id, host } = await createSite();
    const response = await embed({ site: id, url: `http://${host}/story?utm_source=x`, title: 'Ferry goes electric' });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toMatch(/^<!doctype html><html lang="en">/);
    const links = hrefs(html);
    const networks = LINK_NETWORKS;
    expect(links).toEqual(
      networks.map(
        (n) =>
          `/api/v1/share/${n}?${new URLSearchParams({ site: id, url: `https://${host}/story`, title: 'Ferry goes electric' })}`,
      ),
    );
    expect(html).toContain('aria-label="Share on X"');
    expect(html).toContain('target="_blank"');
    expect(html).not.toContain('<script');
  });

  it('should escape a hostile title and keep it inside the links', async () => {
    const { id, host } = await createSite();
    const title = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
    const html = await (await embed({ site: id, url: `https://${host}/a`, title })).text();
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('onerror=alert');
    for (const href of hrefs(html)) expect(new URL(href, 'https://api.test').searchParams.get('title')).toBe(title);
  });

  it('should take the networks, language, theme and counts asked for', async () => {
    const { id, host } = await createSite();
    const url = `https://${host}/counted`;
    for (const ip of ['203.0.113.8', '203.0.113.9']) {
      await postEvents({ site: id, type: 'share', url, network: 'bluesky' }, { origin: `https://${host}`, ip });
    }
    await flushAllShards();
    const html = await (
      await embed({
        site: id,
        url,
        networks: 'bluesky, copy ,nope,email',
        lang: 'fr-CA',
        theme: 'dark',
        counts: 'true',
      })
    ).text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('<div class="sp dark">');
    expect(hrefs(html).map((href) => href.split('?')[0])).toEqual(['/api/v1/share/bluesky', '/api/v1/share/email']);
    expect(html).toContain('aria-label="Partager sur Bluesky: 2 partages"');
    // A zero is not shown, and its room is kept.
    expect(html).toContain('aria-label="Partager par e-mail"');
    expect(html).toContain('<span class="n" aria-hidden="true"></span>');
  });

  it('should show a count only from min_count on (1 unless asked), with its unit in the plural it takes', async () => {
    const { id, host } = await createSite();
    const url = `https://${host}/threshold`;
    await postEvents({ site: id, type: 'share', url, network: 'x' }, { origin: `https://${host}` });
    for (const ip of ['203.0.113.8', '203.0.113.9']) {
      await postEvents({ site: id, type: 'share', url, network: 'bluesky' }, { origin: `https://${host}`, ip });
    }
    await flushAllShards();
    const page = async (params: Record<string, string>) =>
      (await embed({ site: id, url, networks: 'x,bluesky,email', counts: 'true', ...params })).text();
    const labels = (html: string) => [...html.matchAll(/aria-label="([^"]*)"/g)].map((m) => m[1]).slice(1);
    const badges = (html: string) =>
      [...html.matchAll(/<span class="n" aria-hidden="true">([^<]*)<\/span>/g)].map((m) => m[1]);

    const byDefault = await page({});
    expect(labels(byDefault)).toEqual(['Share on X: 1 share', 'Share on Bluesky: 2 shares', 'Share by email']);
    expect(badges(byDefault)).toEqual(['1', '2', '']);
    const fromTwo = await page({ min_count: '2' });
    expect(labels(fromTwo)).toEqual(['Share on X', 'Share on Bluesky: 2 shares', 'Share by email']);
    expect(badges(fromTwo)).toEqual(['', '2', '']);
    expect(badges(await page({ min_count: '0' }))).toEqual(['1', '2', '0']);
    await expectError(await embed({ site: id, url, min_count: '-1' }), 400, 'invalid_request');
  });

  it("should be light unless asked, as a frame cannot see its page's color-scheme, and follow the OS with theme=auto", async () => {
    const { id, host } = await createSite();
    const light = await (await embed({ site: id, url: `https://${host}/a` })).text();
    expect(light).toContain('<meta name="color-scheme" content="light"/>');
    expect(light).toContain('<div class="sp light">');
    const auto = await (await embed({ site: id, url: `https://${host}/a`, theme: 'auto' })).text();
    expect(auto).toContain('<meta name="color-scheme" content="light dark"/>');
    expect(auto).toContain('<div class="sp auto">');
  });

  it('should allow its own stylesheet and nothing else to run', async () => {
    const { id, host } = await createSite();
    const response = await embed({ site: id, url: `https://${host}/a` });
    const csp = response.headers.get('Content-Security-Policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`style-src 'sha256-${await sha256Base64(EMBED_CSS)}'`);
    expect(csp).not.toContain('script-src');
    expect(response.headers.get('X-Frame-Options')).toBeNull();
    expect(response.headers.get('Referrer-Policy')).toBe('same-origin');
    expect(await response.text()).toContain(`<style>${EMBED_CSS}</style>`);
  });

  it("should be framed only by the pages of the site's hosts, on any port", () =>
    expectFramedBySiteHostsOnly((site, host) => embed({ site, url: `https://${host}/a` })));

  it("should refuse a URL off the site's hosts, an unknown site and a bad theme", async () => {
    const { id } = await createSite();
    await expectError(await embed({ site: id, url: 'https://evil.example/a' }), 400, 'url_not_allowed');
    await expectError(await embed({ site: 'no-such-site', url: 'https://evil.example/a' }), 404, 'unknown_site');
    await expectError(await embed({ site: id, url: 'https://evil.example/a', theme: 'neon' }), 400, 'invalid_request');
  });
});
