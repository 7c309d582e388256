import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { demoSeedSql } from '../../scripts/demo-seed.mjs';
import { judgePage, readPageHead } from '../../src/articles/page-facts';
import { storeSite } from '../../src/cache/sites';
import { readArticleCounts } from '../../src/db/counts';
import { DEMO_ARTICLES, DEMO_ORIGIN } from '../../src/demo/articles';
import { ADMIN, expectError } from '../support/helpers';
import { loadStoredSite } from '../support/seed';

/** Runs the demo seed's SQL; a second run changes nothing. */
async function seedDemo(): Promise<void> {
  const sql: string = demoSeedSql(DEMO_ARTICLES, DEMO_ORIGIN, Date.now());
  await env.DB.batch(
    sql
      .split(';\n')
      .filter((s) => s.trim())
      .map((s) => env.DB.prepare(s)),
  );
}

/** What a demo page reports to sharepulse: its share bar's data-url and the url= of its share links. */
function reportedUrls(html: string): string[] {
  const dataUrl = /data-sharepulse="share" data-site="demo" data-url="([^"]*)"/.exec(html)?.[1];
  const links = [...html.matchAll(/href="[^"]*\/api\/v1\/share\/[a-z]+\?([^"]*)"/g)].map((m) =>
    new URLSearchParams(m[1]!.replaceAll('&amp;', '&')).get('url'),
  );
  return [...new Set([dataUrl, ...links])] as string[];
}

/**
 * Checks a demo page's links: its canonical is `article`, which its share link
 * on `network` shares; the share link, the widget and its `picture` are on the
 * origin `servedFrom`.
 */
function expectDemoPageLinks(
  html: string,
  { article, servedFrom, network, picture }: { article: string; servedFrom: string; network: string; picture: string },
): void {
  expect(html).toContain(`<link rel="canonical" href="${article}"`);
  expect(html).toContain(
    `href="${servedFrom}/api/v1/share/${network}?site=demo&amp;url=${encodeURIComponent(article)}&amp;title=`,
  );
  expect(html).toContain(`<script src="${servedFrom}/widget.js" async=""></script>`);
  expect(html).toContain(`<meta property="og:image" content="${servedFrom}/demo/pictures/${picture}.svg"/>`);
}

describe('pages', () => {
  it('should answer /healthz', async () => {
    const response = await SELF.fetch('https://api.test/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it('should serve the demo article page with a share bar of plain links', async () => {
    const response = await SELF.fetch('http://localhost:8787/demo');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('Share this article');
    // Plain links to the share endpoint, upgraded by the widget as README shows publishers.
    expectDemoPageLinks(html, {
      article: 'http://localhost:8787/demo',
      servedFrom: 'http://localhost:8787',
      network: 'facebook',
      picture: 'front',
    });
  });

  it('should give the paper’s own address as the article’s URL on any host and port, so that its seeded counts show', async () => {
    const html = await (await SELF.fetch('http://127.0.0.1:8899/demo/derby')).text();
    expect(DEMO_ORIGIN).toBe('http://localhost:8787');
    expect(html).toContain('<meta property="og:url" content="http://localhost:8787/demo/derby"');
    // The share links, the widget and the picture (as the seed records it for a Worker on
    // another port) are this Worker's, wherever it runs; the canonical and shared URL are the article's.
    expectDemoPageLinks(html, {
      article: 'http://localhost:8787/demo/derby',
      servedFrom: 'http://127.0.0.1:8899',
      network: 'x',
      picture: 'derby',
    });
    // No demo site yet, so no page checks: the page reports the paper's article.
    expect(reportedUrls(html)).toEqual(['http://localhost:8787/demo/derby']);
  });

  it('should serve a picture for every demo article, cached for a week, and 404 others', async () => {
    for (const article of DEMO_ARTICLES) {
      const response = await SELF.fetch(`http://localhost:8787/demo/pictures/${article.slug || 'front'}.svg`);
      expect(response.status).toBe(200);
      expect(response.headers.get('Content-Type')).toBe('image/svg+xml');
      expect(response.headers.get('Cache-Control')).toBe('public, max-age=604800');
      const svg = await response.text();
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(svg.length).toBeLessThan(1024);
    }
    expect((await SELF.fetch('http://localhost:8787/demo/pictures/nothing.svg')).status).toBe(404);
  });

  it('should answer /favicon.ico with a small icon', async () => {
    const response = await SELF.fetch('http://localhost:8787/favicon.ico');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('image/x-icon');
    const icon = new Uint8Array(await response.arrayBuffer());
    // An ICO header (reserved 0, type 1, one image) around a PNG.
    expect([...icon.slice(0, 6)]).toEqual([0, 0, 1, 0, 1, 0]);
    expect([...icon.slice(22, 26)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it('should serve every demo article and 404 others', async () => {
    for (const article of DEMO_ARTICLES.slice(1)) {
      const html = await (await SELF.fetch(`http://localhost:8787/demo/${article.slug}`)).text();
      expect(html).toContain(article.title);
    }
    // Whatever else a beacon might name under /demo is no page, so the page checker rejects it.
    for (const path of ['/demo/no-such-story', '/demo/derby/comments', '/demo/Derby', '/demo/pictures']) {
      expect((await SELF.fetch(`http://localhost:8787${path}`)).status, path).toBe(404);
    }
  });

  it('should serve /docs with a table of contents, public endpoints first, choices and working examples', async () => {
    const html = await (await SELF.fetch('http://localhost:8787/docs')).text();
    const toc = html.slice(html.indexOf('<nav class="toc"'), html.indexOf('</nav>'));
    // Every operation listed in the contents, linking to its section.
    const anchors = [...toc.matchAll(/<a href="#([a-z0-9-]+)">/g)].map((m) => m[1]!);
    expect(anchors).toContain('get-api-v1-sites-site-popular');
    for (const anchor of anchors) expect(html).toContain(`id="${anchor}"`);
    // What pages call without a token comes before what needs one.
    const order = ['recording', 'reading', 'embedding', 'admin', 'dashboard'].map((tag) =>
      html.indexOf(`<h2 id="${tag}">`),
    );
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // An enum is a choice, its default chosen; other fields hold values that work on the seeded demo.
    const popular = html.slice(html.indexOf('id="get-api-v1-sites-site-popular"'));
    expect(popular).toContain(
      'one of <code>1h</code>, <code>24h</code>, <code>7d</code>, <code>30d</code>, <code>all</code>',
    );
    expect(popular).toMatch(
      /<select name="window" data-in="query"><option value="">\(not given\)<\/option><option value="1h">1h<\/option><option value="24h" selected="">24h<\/option>/,
    );
    expect(popular).toContain('<input name="site" data-in="path" value="demo" required=""/>');
    const events = html.slice(html.indexOf('id="post-api-v1-events"'));
    expect(events).toContain('&quot;url&quot;: &quot;http://localhost:8787/demo&quot;');
    // It points only at documents a clone has.
    expect(html).not.toContain('shared/API.md');
    expect(html).toContain('docs/API.md');
  });

  it('should answer unknown API paths with the JSON error shape', async () => {
    await expectError(await SELF.fetch('https://api.test/api/v1/nothing-here'), 404, 'not_found');
    await expectError(await SELF.fetch('https://api.test/api/v2/events', { method: 'POST' }), 404, 'not_found');
  });
});

describe('demo seed', () => {
  it('should seed the demo site with totals equal to its hourly counts, once', async () => {
    await seedDemo();
    await seedDemo(); // twice: no change

    const site = await env.DB.prepare("SELECT id, settings FROM sites WHERE id = 'demo'").first();
    expect(site).toEqual({ id: 'demo', settings: JSON.stringify({ article_source: 'page' }) });
    const hosts = await env.DB.prepare("SELECT host FROM site_hosts WHERE site_id = 'demo' ORDER BY host").all();
    expect(hosts.results).toEqual([{ host: '127.0.0.1' }, { host: 'localhost' }]);
    for (const article of DEMO_ARTICLES) {
      const url = `https://localhost:8787${article.slug ? `/demo/${article.slug}` : '/demo'}`;
      const counts = await readArticleCounts(env.DB, 'demo', url);
      // Each with its picture, which the Worker serves.
      const { image, page_url } = (await env.DB.prepare(
        "SELECT image, page_url FROM articles WHERE site_id = 'demo' AND url = ?",
      )
        .bind(url)
        .first()) as { image: string; page_url: string };
      expect(image).toBe(`http://localhost:8787/demo/pictures/${article.slug || 'front'}.svg`);
      // Links go to the article as its page gives it (http, the paper's port), not to the https key.
      expect(page_url).toBe(url.replace('https:', 'http:'));
      expect((await SELF.fetch(image)).status).toBe(200);
      const hours = await env.DB.prepare(
        "SELECT sum(views) AS views, sum(shares) AS shares, sum(reads) AS reads FROM article_hours WHERE site_id = 'demo' AND url = ?",
      )
        .bind(url)
        .first();
      expect(counts.views).toBeGreaterThan(0);
      expect(hours).toEqual({ views: counts.views, shares: counts.shares.total, reads: counts.reads });
      // Some of its readers stayed, never more than came.
      expect(counts.reads).toBeGreaterThan(0);
      expect(counts.reads).toBeLessThan(counts.views);
      expect(Object.values(counts.shares.by_network).reduce((a, b) => a + b, 0)).toBe(counts.shares.total);
    }
    // The site's own series, for the dashboard's charts, add up to the same.
    const series = await env.DB.prepare(
      "SELECT sum(views) AS views, sum(shares) AS shares, sum(reads) AS reads FROM site_hours WHERE site_id = 'demo'",
    ).first();
    const articles = await env.DB.prepare(
      "SELECT sum(views) AS views, sum(shares) AS shares, sum(reads) AS reads FROM articles WHERE site_id = 'demo'",
    ).first();
    expect(series).toEqual(articles);
    const networks = await env.DB.prepare(
      "SELECT sum(shares) AS shares FROM site_network_hours WHERE site_id = 'demo'",
    ).first();
    expect(networks).toEqual({ shares: (articles as { shares: number }).shares });
    // The demo's box by reads is not its box by views: some stories keep their readers better.
    // (The site is cached as it was before the seed: stored again, as a site's change would.)
    await storeSite(env, 'demo', await loadStoredSite('demo'));
    const order = async (by: string) => {
      const response = await SELF.fetch(`https://api.test/api/v1/sites/demo/popular?by=${by}&limit=5`);
      expect(response.status).toBe(200);
      return ((await response.json()) as { items: { url: string }[] }).items.map((item) => item.url);
    };
    expect(await order('reads')).not.toEqual(await order('views'));
  });

  it('should check the demo pages in page mode as the paper’s articles, wherever the Worker serves them', async () => {
    await seedDemo();
    // The seed wrote D1 behind the site cache's back, which earlier tests filled with "no demo site".
    await storeSite(env, 'demo', await loadStoredSite('demo'));
    const served = 'http://127.0.0.1:8899/demo/derby';
    const response = await SELF.fetch(served);
    expect(response.status).toBe(200);
    // The address the page checker can fetch, whatever the dev server's port: the one serving it.
    const html = await response.clone().text();
    expect(reportedUrls(html)).toEqual([served]);
    // What the checker makes of it: the paper's article, with its own metadata; this address an alias of it.
    const reading = await readPageHead(response, 1_048_576);
    if (reading.kind !== 'head') throw new Error(`unread page: ${reading.kind}`);
    expect(judgePage({ urls: [served], head: reading.head }, ['localhost', '127.0.0.1'])).toEqual({
      kind: 'verified',
      canonical: 'https://localhost:8787/demo/derby',
      pageUrl: 'http://localhost:8787/demo/derby',
      aliases: ['https://127.0.0.1:8899/demo/derby'],
      metadata: {
        title: 'Late header settles the harbour derby',
        image: 'http://127.0.0.1:8899/demo/pictures/derby.svg',
        section: 'Sport',
        published: '2026-11-23T21:10:00.000Z',
      },
    });

    // In beacon mode nothing fetches the page: it reports the paper's article, so as not to make another.
    const patched = await SELF.fetch('https://api.test/api/v1/admin/sites/demo', {
      method: 'PATCH',
      headers: { ...ADMIN, 'Content-Type': 'application/json' },
      body: JSON.stringify({ settings: { article_source: 'beacon' } }),
    });
    expect(patched.status).toBe(200);
    expect(reportedUrls(await (await SELF.fetch(served)).text())).toEqual(['http://localhost:8787/demo/derby']);
  });
});
