import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createSite, expectError, flushAllShards, postEvents } from '../support/helpers';
import { expectFramedBySiteHostsOnly } from './embed-support';

const embed = (params: Record<string, string>) =>
  SELF.fetch(`https://api.test/embed/popular?${new URLSearchParams(params)}`);

describe('GET /embed/popular', () => {
  it("should render the site's popular list with every title escaped, readable without script", async () => {
    const { id, host } = await createSite();
    const origin = `https://${host}`;
    const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)> & "quotes"';
    for (const ip of ['203.0.113.20', '203.0.113.21']) {
      await postEvents(
        { site: id, type: 'view', url: `${origin}/hostile`, title: hostile, image: `${origin}/t.jpg` },
        { origin, ip },
      );
    }
    await postEvents({ site: id, type: 'view', url: `${origin}/plain`, title: 'Ferry goes electric' }, { origin });
    await flushAllShards();

    const response = await embed({ site: id, window: '24h' });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toMatch(/^text\/html/);
    expect(response.headers.get('Content-Security-Policy')).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; &amp; &quot;quotes&quot;',
    );
    // Each link says which list and position it is (sp_from), as the widget's do.
    const links = [...html.matchAll(/<a href="([^"]*)" target="_top" referrerpolicy="origin">/g)].map((m) => m[1]);
    expect(links).toEqual([`${origin}/hostile?sp_from=views-24h.1`, `${origin}/plain?sp_from=views-24h.2`]);
    expect(html).toContain(`<img class="th" src="${origin}/t.jpg" alt=""`);
    // Each count with its unit in the plural it takes.
    expect([...html.matchAll(/<span class="m">([^<]*)<\/span>/g)].map((m) => m[1])).toEqual(['2 views', '1 view']);
    expect(html).toContain('<meta name="color-scheme" content="light"/>');
  });

  it('should link each story to its page as the page gave it (scheme and port included), not to its https key', async () => {
    const { id, host } = await createSite();
    // A page served over http on a port, as the first beacon of the article reported it.
    const page = `http://${host}:8080/ferry`;
    await postEvents(
      { site: id, type: 'view', url: page, title: 'Ferry goes electric' },
      { origin: `http://${host}:8080`, ip: '198.18.4.1' },
    );
    await flushAllShards();
    const html = await (await embed({ site: id })).text();
    expect([...html.matchAll(/<a href="([^"]*)" target="_top" referrerpolicy="origin">/g)].map((m) => m[1])).toEqual([
      `${page}?sp_from=views-24h.1`,
    ]);
  });

  it("should rank by reads and say each article's reads, its links naming that list", async () => {
    const { id, host } = await createSite();
    const origin = `https://${host}`;
    // Two readers view both stories; both read the second, one reads the first.
    for (const ip of ['198.18.5.1', '198.18.5.2']) {
      const reads = ip === '198.18.5.1' ? ['skimmed', 'read'] : ['read'];
      await postEvents(
        [
          { site: id, type: 'view', url: `${origin}/skimmed` },
          { site: id, type: 'view', url: `${origin}/read` },
          ...reads.map((slug) => ({ site: id, type: 'read', url: `${origin}/${slug}` })),
        ],
        { origin, ip },
      );
    }
    await flushAllShards();
    const html = await (await embed({ site: id, by: 'reads', window: '7d' })).text();
    expect([...html.matchAll(/<a href="([^"]*)" target="_top" referrerpolicy="origin">/g)].map((m) => m[1])).toEqual([
      `${origin}/read?sp_from=reads-7d.1`,
      `${origin}/skimmed?sp_from=reads-7d.2`,
    ]);
    expect([...html.matchAll(/<span class="m">([^<]*)<\/span>/g)].map((m) => m[1])).toEqual(['2 reads', '1 read']);
  });

  it('should take the language, theme and ranking asked for, and say when there is nothing', async () => {
    const { id } = await createSite();
    const html = await (await embed({ site: id, window: '7d', by: 'shares', lang: 'es', theme: 'light' })).text();
    expect(html).toContain('<html lang="es">');
    expect(html).toContain('<div class="sp light">');
    expect(html).toContain('<li class="none">Nada que mostrar todavía.</li>');
  });

  it("should be framed only by the pages of the site's hosts, on any port", () =>
    expectFramedBySiteHostsOnly((site) => embed({ site })));

  it('should refuse a bad query and an unknown site', async () => {
    const { id } = await createSite();
    await expectError(await embed({ site: id, window: '2y' }), 400, 'invalid_request');
    await expectError(await embed({ site: id, limit: '500' }), 400, 'invalid_request');
    await expectError(await embed({ site: 'no-such-site' }), 404, 'unknown_site');
  });
});
