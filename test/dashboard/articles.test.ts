import { env, SELF } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import type { ArticleRecord } from '../../src/articles/article-schema';
import { shownPicture } from '../../src/dashboard/articles';
import { newSession, SESSION_COOKIE } from '../../src/dashboard/session';
import type { ArticleListBody } from '../../src/openapi/schemas';
import { ADMIN, createSite, expectError, postEvents, runPageChecks } from '../support/helpers';

// test/support/publisher-server.ts, on http://127.0.0.1:<port>: the pages of this file's one page-mode site.
const PUBLISHER = inject('publisherOrigin');
const PUBLISHER_KEY = PUBLISHER.replace('http:', 'https:');
const ORIGIN = 'https://dash.test';

const cookie = async () => `${SESSION_COOKIE}=${await newSession(env.DB, env.ADMIN_TOKEN, Date.now())}`;
const page = async (path: string) =>
  SELF.fetch(`${ORIGIN}${path}`, { redirect: 'manual', headers: { Cookie: await cookie() } });
const listPage = (site: string, query: Record<string, string> = {}) =>
  page(`/dashboard/sites/${site}/articles/list?${new URLSearchParams(query)}`);

/** A row's form post from the dashboard's own page, signed in. */
const submit = async (path: string, fields: Record<string, string>, origin = ORIGIN) =>
  SELF.fetch(`${ORIGIN}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: origin, Cookie: await cookie() },
    body: new URLSearchParams(fields),
  });

const adminApi = (method: string, path: string, body?: unknown) =>
  SELF.fetch(`https://api.test/api/v1/admin/sites/${path}`, {
    method,
    headers: { ...ADMIN, 'CF-Connecting-IP': '198.18.50.1', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function putArticles(site: string, articles: unknown[]): Promise<void> {
  expect((await adminApi('PUT', `${site}/articles`, { articles })).status).toBe(200);
}

async function articlesOf(site: string, status: string): Promise<ArticleRecord[]> {
  return (await (await adminApi('GET', `${site}/articles?status=${status}`)).json<ArticleListBody>()).articles;
}

/** The table row of the article `url` on a list page, or undefined. */
const rowOf = (html: string, url: string) =>
  html
    .split('<tr>')
    .slice(1)
    .find((row) => row.startsWith(`<td class="title"><a href="/dashboard/sites/`) && row.includes(`>${url}</a>`));

const rowCount = (html: string) => html.split('<td class="title">').length - 1;

/** The page-mode site on the publisher's host, made once: a host belongs to one site only. */
let pageSite: Promise<string> | undefined;
const publisherSite = () =>
  (pageSite ??= createSite(undefined, { hosts: ['127.0.0.1'], settings: { article_source: 'page' } }).then(
    (site) => site.id,
  ));

describe('shownPicture', () => {
  const policy = { hosts: ['news.example'], imageHosts: ['cdn.example'] };

  it('should show pictures over https on the site or its image hosts only', () => {
    expect(shownPicture('https://news.example/a.jpg', policy)).toBe('https://news.example/a.jpg');
    expect(shownPicture('https://cdn.example:8443/a.jpg', policy)).toBe('https://cdn.example:8443/a.jpg');
    expect(shownPicture('http://news.example/a.jpg', policy)).toBeNull();
    expect(shownPicture('https://tracker.example/a.jpg', policy)).toBeNull();
    expect(shownPicture('https://news.example.tracker.example/a.jpg', policy)).toBeNull();
    expect(shownPicture(null, policy)).toBeNull();
  });
});

describe('the articles page', () => {
  it('should send a signed-out reader to sign in, and back afterwards', async () => {
    const { id } = await createSite();
    const path = `/dashboard/sites/${id}/articles/list?status=hidden`;
    const response = await SELF.fetch(`${ORIGIN}${path}`, { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('Location')).toBe(`/dashboard/login?${new URLSearchParams({ next: path })}`);
  });

  it('should list the verified articles with their metadata, pictures only from the site', async () => {
    const site = await createSite(undefined, { settings: { image_hosts: ['cdn.example'] } });
    await putArticles(site.id, [
      {
        url: `https://${site.host}/bridge`,
        title: 'Bridge <closed>',
        image: `https://${site.host}/bridge.jpg`,
        section: 'Local',
        published: '2026-11-20T08:00:00+01:00',
      },
      { url: `https://${site.host}/cdn`, image: 'https://cdn.example/ferry.jpg' },
      { url: `https://${site.host}/tracked`, image: 'https://tracker.example/pixel.gif' },
      { url: `https://${site.host}/plain`, image: `http://${site.host}/plain.jpg` },
    ]);

    const response = await listPage(site.id);
    expect(response.status).toBe(200);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const html = await response.text();
    expect(html).toContain('<h1>Articles</h1>');
    expect(html).toContain(`<a href="/dashboard/sites/${site.id}/articles/list?status=verified" aria-current="true">`);
    expect(html).toContain(`<a href="/dashboard/sites/${site.id}/articles/list?status=hidden">`);
    expect(rowCount(html)).toBe(4);

    const bridge = rowOf(html, `https://${site.host}/bridge`)!;
    expect(bridge).toContain(
      `<a href="/dashboard/sites/${site.id}/articles?${new URLSearchParams({ url: `https://${site.host}/bridge` })}">`,
    );
    expect(bridge).toContain('<td>Bridge &lt;closed&gt;</td>');
    expect(bridge).toContain(`<img src="https://${site.host}/bridge.jpg"`);
    expect(bridge).toContain('<td>Local</td><td>2026-11-20T07:00:00.000Z</td><td>verified</td>');
    expect(bridge).toContain('<td><span class="muted">never</span></td>');
    expect(bridge).toContain(`action="/dashboard/sites/${site.id}/articles/hide"`);
    expect(bridge).toContain('Hide</button>');
    expect(bridge).toContain(`action="/dashboard/sites/${site.id}/articles/check"`);
    expect(rowOf(html, `https://${site.host}/cdn`)).toContain('<img src="https://cdn.example/ferry.jpg"');
    for (const [path, image] of [
      ['tracked', 'https://tracker.example/pixel.gif'],
      ['plain', `http://${site.host}/plain.jpg`],
    ] as const) {
      const row = rowOf(html, `https://${site.host}/${path}`)!;
      expect(row).not.toContain('<img');
      expect(row).toContain(`<small>${image}</small>`);
    }
  });

  it('should page through more than 100 articles', async () => {
    const { id, host } = await createSite();
    const urls = Array.from({ length: 120 }, (_, i) => `https://${host}/s-${String(i).padStart(3, '0')}`);
    await putArticles(
      id,
      urls.slice(0, 100).map((url) => ({ url })),
    );
    await putArticles(
      id,
      urls.slice(100).map((url) => ({ url })),
    );

    const first = await (await listPage(id)).text();
    expect(rowCount(first)).toBe(100);
    expect(rowOf(first, urls[99]!)).toBeDefined();
    expect(first).not.toContain('First page');
    const next = /<a href="([^"]+)">Next page<\/a>/.exec(first)?.[1]?.replaceAll('&amp;', '&');
    expect(next).toMatch(new RegExp(`^/dashboard/sites/${id}/articles/list\\?status=verified&cursor=`));

    const second = await (await page(next!)).text();
    expect(rowCount(second)).toBe(20);
    expect(rowOf(second, urls[100]!)).toBeDefined();
    expect(second).toContain(`<a href="/dashboard/sites/${id}/articles/list?status=verified">First page</a>`);
    expect(second).not.toContain('Next page');
    // The row forms carry the page, so that they come back to it.
    expect(second).toContain(
      `<input type="hidden" name="cursor" value="${new URL(next!, ORIGIN).searchParams.get('cursor')}"/>`,
    );
  });

  it('should fall back to the first page of verified articles for an edited address', async () => {
    const { id, host } = await createSite();
    await putArticles(id, [{ url: `https://${host}/a` }]);
    const html = await (await listPage(id, { status: 'deleted', cursor: 'not*a*cursor', done: 'x' })).text();
    expect(html).toContain(`<a href="/dashboard/sites/${id}/articles/list?status=verified" aria-current="true">`);
    expect(rowOf(html, `https://${host}/a`)).toBeDefined();
    expect(html).not.toContain('class="notice ok"');
  });

  it('should say so when a tab has no article, and answer 404 for an unknown site', async () => {
    const { id } = await createSite();
    expect(await (await listPage(id, { status: 'rejected' })).text()).toContain('No page failed its check.');
    const unknown = await listPage('no-such-site');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('no-such-site');
  });
});

describe('the articles page forms', () => {
  it('should hide an article and show it again, each time back to the same tab', async () => {
    const { id, host } = await createSite();
    const url = `https://${host}/obituary`;
    await putArticles(id, [{ url, title: 'Obituary' }]);

    const hidden = await submit(`/dashboard/sites/${id}/articles/hide`, {
      url: `http://${host}/obituary`,
      status: 'verified',
    });
    expect(hidden.status).toBe(303);
    expect(hidden.headers.get('Location')).toBe(
      `/dashboard/sites/${id}/articles/list?${new URLSearchParams({ status: 'verified', done: 'hidden', url })}`,
    );
    expect((await articlesOf(id, 'hidden')).map((a) => a.url)).toEqual([url]);

    const after = await (await page(hidden.headers.get('Location')!)).text();
    expect(after).toContain(`Hidden from rankings (still counted): <code>${url}</code>`);
    const row = rowOf(after, url)!;
    expect(row).toContain('verified<small class="muted"> · hidden</small>');
    expect(row).toContain(`action="/dashboard/sites/${id}/articles/unhide"`);
    expect(row).toContain('Unhide</button>');
    expect(rowOf(await (await listPage(id, { status: 'hidden' })).text(), url)).toBeDefined();

    const shown = await submit(`/dashboard/sites/${id}/articles/unhide`, { url, status: 'hidden' });
    expect(shown.status).toBe(303);
    expect(shown.headers.get('Location')).toBe(
      `/dashboard/sites/${id}/articles/list?${new URLSearchParams({ status: 'hidden', done: 'unhidden', url })}`,
    );
    expect(await articlesOf(id, 'hidden')).toEqual([]);
    expect(await (await page(shown.headers.get('Location')!)).text()).toContain(
      `Back in rankings: <code>${url}</code>`,
    );
  });

  it("should check an article's page again and say what it is now", async () => {
    const id = await publisherSite();
    const key = `${PUBLISHER_KEY}/article/good`;
    const view = await postEvents(
      { site: id, type: 'view', url: `${PUBLISHER}/old-slug` },
      { origin: PUBLISHER, ip: '198.18.51.1' },
    );
    expect(view.status).toBe(202);
    await runPageChecks(id);
    expect((await articlesOf(id, 'verified')).map((a) => a.url)).toContain(key);
    expect(
      (await adminApi('PATCH', `${id}/articles?${new URLSearchParams({ url: key })}`, { title: 'By hand' })).status,
    ).toBe(200);

    const checked = await submit(`/dashboard/sites/${id}/articles/check`, { url: key, status: 'verified' });
    expect(checked.status).toBe(303);
    expect(checked.headers.get('Location')).toBe(
      `/dashboard/sites/${id}/articles/list?${new URLSearchParams({ status: 'verified', done: 'checked', url: key, now: 'verified' })}`,
    );
    const html = await (await page(checked.headers.get('Location')!)).text();
    expect(html).toContain(`Checked again: <code>${key}</code> is now verified.`);
    const row = rowOf(html, key)!;
    expect(row).toContain('<td>Bridge closure extended to March</td>');
    // The publisher's picture is on plain http: the CSP would not load it, so its address is shown.
    expect(row).toContain(`<small>${PUBLISHER}/pictures/bridge.jpg</small>`);
    expect(row).toContain(`<ul><li>${PUBLISHER_KEY}/old-slug</li></ul>`);
    expect(row).toMatch(/<td>\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/td>/);
  });

  it('should answer 404 with the list for an article the site does not have, and for an unknown site', async () => {
    const { id, host } = await createSite();
    for (const action of ['hide', 'unhide', 'check']) {
      const response = await submit(`/dashboard/sites/${id}/articles/${action}`, { url: `https://${host}/never` });
      expect(response.status).toBe(404);
      expect(await response.text()).toContain(`This site has no article <code>https://${host}/never</code>.`);
      const unknown = await submit(`/dashboard/sites/no-such-site/articles/${action}`, {
        url: `https://${host}/never`,
      });
      expect(unknown.status).toBe(404);
    }
  });

  it('should refuse a form from another site, one without an article or with one off the site, changing nothing', async () => {
    const { id, host } = await createSite();
    const url = `https://${host}/a`;
    await putArticles(id, [{ url }]);
    await expectError(
      await submit(`/dashboard/sites/${id}/articles/hide`, { url }, 'https://evil.example'),
      403,
      'cross_site_request',
    );
    await expectError(
      await submit(`/dashboard/sites/${id}/articles/hide`, { status: 'verified' }),
      400,
      'invalid_request',
    );
    await expectError(
      await submit(`/dashboard/sites/${id}/articles/hide`, { url: 'https://elsewhere.example/a' }),
      400,
      'url_not_allowed',
    );
    const unreadable = await SELF.fetch(`${ORIGIN}/dashboard/sites/${id}/articles/hide`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'multipart/form-data', Origin: ORIGIN, Cookie: await cookie() },
      body: 'url=x',
    });
    await expectError(unreadable, 400, 'invalid_request');
    expect(await articlesOf(id, 'hidden')).toEqual([]);
  });
});
