import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { demoSeedSql } from '../../scripts/demo-seed.mjs';
import { readArticleCounts } from '../../src/db/counts';
import { DEMO_ARTICLES } from '../../src/demo/articles';
import { expectError } from '../support/helpers';

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
    expect(html).toContain('<link rel="canonical" href="http://localhost:8787/demo"');
    expect(html).toContain('Share this article');
    // Plain links to the share endpoint, upgraded by the widget as README shows publishers.
    expect(html).toContain(
      'href="http://localhost:8787/api/v1/share/facebook?site=demo&amp;url=http%3A%2F%2Flocalhost%3A8787%2Fdemo&amp;title=',
    );
    expect(html).toContain('<script src="http://localhost:8787/widget.js" async=""></script>');
    expect(html).toContain('data-sharepulse="popular"');
  });

  it('should serve every demo article and 404 others', async () => {
    for (const article of DEMO_ARTICLES.slice(1)) {
      const html = await (await SELF.fetch(`http://localhost:8787/demo/${article.slug}`)).text();
      expect(html).toContain(article.title);
    }
    expect((await SELF.fetch('http://localhost:8787/demo/no-such-story')).status).toBe(404);
  });

  it('should answer unknown API paths with the JSON error shape', async () => {
    await expectError(await SELF.fetch('https://api.test/api/v1/nothing-here'), 404, 'not_found');
    await expectError(await SELF.fetch('https://api.test/api/v2/events', { method: 'POST' }), 404, 'not_found');
  });
});

describe('demo seed', () => {
  it('should seed the demo site with totals equal to its hourly counts, once', async () => {
    const sql: string = demoSeedSql(DEMO_ARTICLES, 'http://localhost:8787', Date.now());
    await env.DB.batch(
      sql
        .split(';\n')
        .filter((s) => s.trim())
        .map((s) => env.DB.prepare(s)),
    );
    await env.DB.batch(
      sql
        .split(';\n')
        .filter((s) => s.trim())
        .map((s) => env.DB.prepare(s)),
    ); // twice: no change

    const site = await env.DB.prepare("SELECT id FROM sites WHERE id = 'demo'").first();
    expect(site).toEqual({ id: 'demo' });
    const hosts = await env.DB.prepare("SELECT host FROM site_hosts WHERE site_id = 'demo' ORDER BY host").all();
    expect(hosts.results).toEqual([{ host: '127.0.0.1' }, { host: 'localhost' }]);
    for (const article of DEMO_ARTICLES) {
      const url = `https://localhost:8787${article.slug ? `/demo/${article.slug}` : '/demo'}`;
      const counts = await readArticleCounts(env.DB, 'demo', url);
      const hours = await env.DB.prepare(
        "SELECT sum(views) AS views, sum(shares) AS shares FROM article_hours WHERE site_id = 'demo' AND url = ?",
      )
        .bind(url)
        .first();
      expect(counts.views).toBeGreaterThan(0);
      expect(hours).toEqual({ views: counts.views, shares: counts.shares.total });
      expect(Object.values(counts.shares.by_network).reduce((a, b) => a + b, 0)).toBe(counts.shares.total);
    }
    // The site's own series, for the dashboard's charts, add up to the same.
    const series = await env.DB.prepare(
      "SELECT sum(views) AS views, sum(shares) AS shares FROM site_hours WHERE site_id = 'demo'",
    ).first();
    const articles = await env.DB.prepare(
      "SELECT sum(views) AS views, sum(shares) AS shares FROM articles WHERE site_id = 'demo'",
    ).first();
    expect(series).toEqual(articles);
    const networks = await env.DB.prepare(
      "SELECT sum(shares) AS shares FROM site_network_hours WHERE site_id = 'demo'",
    ).first();
    expect(networks).toEqual({ shares: (articles as { shares: number }).shares });
  });
});
