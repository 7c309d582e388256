import { env, SELF } from 'cloudflare:test';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import type { Series } from '../../common/dashboard-json';
import { incarnationOf } from '../../src/articles/article-schema';
import { registryFor } from '../../src/articles/registry-client';
import { bucketOf } from '../../src/time';
import { ADMIN, createSite, expectError, flushAllShards, postEvents, runPageChecks } from '../support/helpers';
import { loadStoredSite, seedArticles } from '../support/seed';
import { dashboard, insertRows, jsonBlock } from './dashboard-support';

const publisher = inject('publisherOrigin');
/** The article key of a publisher page: the URL normalised (https, port kept). */
const key = (path: string) => `https://${new URL(publisher).host}${path}`;

/**
 * A site in page mode on the publisher's pages, whose /article/good (reached
 * also through /old-slug, which redirects to it) has been viewed twice and
 * checked: verified, with /old-slug as its alias.
 */
async function checkedArticleSite() {
  const site = await createSite(undefined, {
    hosts: [new URL(publisher).hostname],
    settings: { article_source: 'page' },
  });
  // One site at a time may claim the publisher's host.
  onTestFinished(async () => {
    await SELF.fetch(`https://api.test/api/v1/admin/sites/${site.id}`, { method: 'DELETE', headers: ADMIN });
  });
  const views = [`${publisher}/article/good`, `${publisher}/old-slug`];
  for (const [i, url] of views.entries()) {
    const sent = await postEvents({ site: site.id, type: 'view', url }, { origin: publisher, ip: `198.18.9.${i + 1}` });
    expect(sent.status).toBe(202);
  }
  await runPageChecks(site.id);
  await flushAllShards();
  return site;
}

const articlePage = (site: string, url: string, period?: string) =>
  dashboard(`/dashboard/sites/${site}/articles?${new URLSearchParams(period ? { url, period } : { url })}`);

/** The rank row of one window: its rank, views and shares, or that it is below the top 50. */
const rankRow = (html: string, window: string) =>
  new RegExp(`<tr data-window="${window}"><th scope="row">[^<]+</th>(.*?)</tr>`).exec(html)?.[1];

const seedShares = (site: string, url: string, shares: [network: string, n: number][]) =>
  insertRows(
    'article_network_shares',
    ['url', 'network', 'shares'],
    site,
    shares.map(([network, n]) => [url, network, n]),
  );

describe('article page', () => {
  it('should show one article over the period, its rank in each window, and its shares by network', async () => {
    const site = await createSite();
    const now = bucketOf(Date.now());
    const [fresh, older] = await seedArticles(site, [
      { path: 'fresh', title: 'Bridge closure extended', section: 'Local', hours: [[now, 10, 3]] },
      { path: 'older', title: 'Old favourite', hours: [[now - 30, 50, 0]] },
    ]);
    await seedShares(site.id, fresh!, [
      ['x', 1],
      ['bluesky', 2],
    ]);
    // Its readers who stayed: 4 this hour, and 7 counted before its hourly rows were kept.
    await env.DB.batch([
      env.DB.prepare('UPDATE article_hours SET reads = 4 WHERE site_id = ? AND url = ?').bind(site.id, fresh!),
      env.DB.prepare('UPDATE articles SET reads = 11 WHERE site_id = ? AND url = ?').bind(site.id, fresh!),
    ]);

    // Any spelling a beacon could send finds the article: http, a tracking parameter.
    const response = await articlePage(site.id, `${fresh!.replace('https:', 'http:')}?utm_source=x`);
    expect(response.status).toBe(200);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const html = await response.text();
    expect(html).toContain('<h1>Bridge closure extended</h1>');
    expect(html).toContain('<dt>Section</dt><dd>Local</dd>');
    const series = jsonBlock(html, 'series') as Series;
    expect(series.step).toBe('hour');
    expect(series.times).toHaveLength(168);
    expect(series.times.at(-1)).toBe(now * 3600);
    expect(series.views.at(-1)).toBe(10);
    expect(series.shares.reduce((a, b) => a + b)).toBe(3);
    expect(series.reads.at(-1)).toBe(4);
    expect(series.reads.reduce((a, b) => a + b)).toBe(4);
    expect(html).toContain('data-chart="reads"');
    expect(html).toContain('<dt>All-time reads</dt><dd>11</dd>');

    // First in the last hour and day; second over 7 days, behind the older story.
    expect(rankRow(html, '1h')).toBe('<td class="num">1</td><td class="num">10</td><td class="num">3</td>');
    expect(rankRow(html, '24h')).toBe('<td class="num">1</td><td class="num">10</td><td class="num">3</td>');
    expect(rankRow(html, '7d')).toBe('<td class="num">2</td><td class="num">10</td><td class="num">3</td>');
    expect(html).toMatch(
      /<th scope="row">Bluesky<\/th><td class="num">2<\/td>.*<th scope="row">X<\/th><td class="num">1<\/td>/s,
    );

    // Seeded straight into D1: the registry never took it, and its link is its key.
    expect(html).toContain('<dt>Status</dt><dd class="muted">not in the site&#39;s article registry');
    expect(html).toContain(`<a href="${fresh}" target="_blank" rel="noopener">${fresh}</a>`);

    const olderHtml = await (await articlePage(site.id, older!)).text();
    expect(rankRow(olderHtml, '1h')).toBe('<td colspan="3" class="muted">not in the top 50</td>');
    expect(rankRow(olderHtml, '7d')).toBe('<td class="num">1</td><td class="num">50</td><td class="num">0</td>');
    expect(olderHtml).toContain('No shares yet.');
  });

  it('should chart 30 local days and be linked from every title of the overview', async () => {
    const site = await createSite(undefined, { settings: { time_zone: 'Europe/Paris' } });
    const now = bucketOf(Date.now());
    const [url] = await seedArticles(site, [{ path: 'linked', hours: [[now, 4, 0]] }]);
    const html = await (await articlePage(site.id, url!, '30d')).text();
    const series = jsonBlock(html, 'series') as { step: string; zone: string; views: number[] };
    expect(series).toMatchObject({ step: 'day', zone: 'Europe/Paris' });
    expect(series.views).toHaveLength(30);
    expect(series.views.at(-1)).toBe(4);

    const overview = await (await dashboard(`/dashboard?site=${site.id}`)).text();
    const link = `href="/dashboard/sites/${site.id}/articles?${new URLSearchParams({ url: url! })}"`;
    // The top table and the live panel's list.
    expect(overview.split(link)).toHaveLength(3);
  });

  it("should show the registry's status, last check and aliases, link to the page as it gives itself, and take an alias for its article", async () => {
    const site = await checkedArticleSite();
    const canonical = key('/article/good');
    // Through the alias: the canonical article's page and counts.
    const response = await articlePage(site.id, key('/old-slug'));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<h1>Bridge closure extended to March</h1>');
    expect(html).toContain(
      `<dt>Status</dt><dd data-status="verified"><a href="/dashboard/sites/${site.id}/articles/list?status=verified">Verified</a></dd>`,
    );
    expect(html).toMatch(/<dt>Page checked<\/dt><dd>\d+ \w{3} \d{4}, \d\d:\d\d \(UTC\)<\/dd>/);
    expect(html).toContain(`<dt>Aliases</dt><dd><ul class="aliases"><li>${key('/old-slug')}</li></ul></dd>`);
    expect(html).toContain('<dt>All-time views</dt><dd>2</dd>');
    // The page's own address (http, its port), not the https key.
    const page = `${publisher}/article/good`;
    expect(html).toContain(`<a href="${page}" target="_blank" rel="noopener">${page}</a>`);
    expect(canonical).not.toBe(page);

    const stored = await loadStoredSite(site.id);
    await registryFor(env, stored).patch(incarnationOf(stored), canonical, { hidden: true });
    expect(await (await articlePage(site.id, canonical)).text()).toContain(
      'Verified</a> · hidden from rankings (still counted)</dd>',
    );
  });

  it('should find through the registry the article a URL counts for, with its record, and nothing for a URL it never took', async () => {
    const site = await checkedArticleSite();
    const registry = registryFor(env, await loadStoredSite(site.id));
    const record = await registry.find(key('/old-slug'));
    expect(record).toMatchObject({
      url: key('/article/good'),
      title: 'Bridge closure extended to March',
      status: 'verified',
      hidden: false,
      aliases: [key('/old-slug')],
      checked_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(await registry.find(key('/article/good'))).toEqual(record);
    expect(await registry.find(key('/never-seen'))).toBeNull();
  });

  it('should answer 404 for an article without counts or an unknown site, 400 for what is not a URL', async () => {
    const site = await createSite();
    const unknown = await articlePage(site.id, `https://${site.host}/never-counted`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain(`has no counts for <code>https://${site.host}/never-counted</code>`);
    expect((await articlePage('no-such-site-here', `https://${site.host}/a`)).status).toBe(404);
    await expectError(await articlePage(site.id, 'nonsense'), 400, 'invalid_request');
    await expectError(await dashboard(`/dashboard/sites/${site.id}/articles`), 400, 'invalid_request');
  });
});
