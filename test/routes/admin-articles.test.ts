import { SELF } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import type { ArticleRecord } from '../../src/articles/article-schema';
import type { ArticleListBody, ArticlesBody } from '../../src/openapi/schemas';
import { itRefusesMissingAndWrongTokens } from '../support/admin-auth';
import { ADMIN, createSite, expectError, postEvents, runPageChecks } from '../support/helpers';

// test/support/publisher-server.ts, on http://127.0.0.1:<port>: the pages of this file's one page-mode site.
const PUBLISHER = inject('publisherOrigin');
const PUBLISHER_KEY = PUBLISHER.replace('http:', 'https:');
const ADMIN_IP = '198.18.40.1';

const admin = (
  method: string,
  path: string,
  { body, headers = {} }: { body?: unknown; headers?: Record<string, string> } = {},
) =>
  SELF.fetch(`https://api.test/api/v1/admin/sites/${path}`, {
    method,
    headers: { ...ADMIN, 'CF-Connecting-IP': ADMIN_IP, 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const put = (site: string, articles: unknown[]) => admin('PUT', `${site}/articles`, { body: { articles } });
const patch = (site: string, url: string, body: unknown) =>
  admin('PATCH', `${site}/articles?${new URLSearchParams({ url })}`, { body });
const check = (site: string, url: string) => admin('POST', `${site}/articles/check?${new URLSearchParams({ url })}`);

async function list(site: string, query: Record<string, string> = {}): Promise<ArticleListBody> {
  const response = await admin('GET', `${site}/articles?${new URLSearchParams(query)}`);
  expect(response.status).toBe(200);
  return response.json<ArticleListBody>();
}

const urlsOf = (page: { articles: ArticleRecord[] }) => page.articles.map((a) => a.url);

/** A stored article as PUT answers it, with no check yet. */
const registered = (url: string, fields: Partial<ArticleRecord> = {}): ArticleRecord => ({
  url,
  title: null,
  image: null,
  section: null,
  published: null,
  status: 'verified',
  hidden: false,
  aliases: [],
  checked_at: null,
  ...fields,
});

/** The page-mode site on the publisher's host, made once: a host belongs to one site only. */
let pageSite: Promise<string> | undefined;
const publisherSite = () =>
  (pageSite ??= createSite(undefined, { hosts: ['127.0.0.1'], settings: { article_source: 'page' } }).then(
    (site) => site.id,
  ));

let reader = 0;
/** A reader's view of a publisher page: the registry takes its URL as pending and checks it. */
const viewPage = async (site: string, path: string) => {
  const response = await postEvents(
    { site, type: 'view', url: `${PUBLISHER}${path}` },
    { origin: PUBLISHER, ip: `198.18.41.${++reader}` },
  );
  expect(response.status).toBe(202);
};

/** Runs the registry's checks of the pages due, then expects the article under `status`. */
const settled = async (site: string, key: string, status: string) => {
  await runPageChecks(site);
  expect(urlsOf(await list(site, { status }))).toContain(key);
};

describe('admin articles authentication', () => {
  const operations: [string, string][] = [
    ['GET', 'demo/articles'],
    ['PUT', 'demo/articles'],
    ['PATCH', 'demo/articles?url=https://localhost/a'],
    ['POST', 'demo/articles/check?url=https://localhost/a'],
  ];

  itRefusesMissingAndWrongTokens(operations, (method, path, headers) => admin(method, path, { headers }));

  it('should answer 405 to another method, naming the ones it takes', async () => {
    const { id } = await createSite();
    const response = await admin('DELETE', `${id}/articles`);
    expect(response.headers.get('Allow')).toBe('GET, PUT, PATCH');
    await expectError(response, 405, 'method_not_allowed');
  });
});

describe('PUT /api/v1/admin/sites/{site}/articles', () => {
  it('should register articles as verified with their metadata, normalised and cut to the caps', async () => {
    const site = await createSite(undefined, { settings: { article_source: 'admin' } });
    const long = `https://${site.host}/pictures/${'p'.repeat(2100)}.jpg`;
    const response = await put(site.id, [
      {
        url: `HTTP://${site.host.toUpperCase()}/a?utm_source=cms#top`,
        title: `  ${'T'.repeat(400)}  `,
        section: 'S'.repeat(100),
        image: long,
        published: '2026-11-20T08:00:00+01:00',
      },
      { url: `https://${site.host}/b`, published: '2026-11-21', hidden: true },
      { url: `https://${site.host}/c`, title: null },
    ]);
    expect(response.status).toBe(200);
    const body = await response.json<ArticlesBody>();
    expect(body.articles).toEqual([
      registered(`https://${site.host}/a`, {
        title: 'T'.repeat(300),
        section: 'S'.repeat(64),
        image: long.slice(0, 2048),
        published: '2026-11-20T07:00:00.000Z',
      }),
      registered(`https://${site.host}/b`, { published: '2026-11-21T00:00:00.000Z', hidden: true }),
      registered(`https://${site.host}/c`),
    ]);
    expect(await list(site.id)).toEqual({ articles: body.articles, cursor: null });
  });

  it('should change what an article says when it is pushed again, leaving out what is not sent', async () => {
    const { id, host } = await createSite(undefined, { settings: { article_source: 'admin' } });
    const url = `https://${host}/story`;
    await put(id, [{ url, title: 'First', section: 'Local' }]);
    const again = await put(id, [{ url, title: 'Second', hidden: true }]);
    expect((await again.json<ArticlesBody>()).articles).toEqual([
      registered(url, { title: 'Second', section: 'Local', hidden: true }),
    ]);
  });

  it('should refuse bad bodies with 400 and store nothing of them', async () => {
    const { id, host } = await createSite();
    const good = { url: `https://${host}/fine` };
    const tooMany = Array.from({ length: 101 }, (_, i) => ({ url: `https://${host}/${i}` }));
    const refusals: [unknown, string][] = [
      [{ articles: tooMany }, 'invalid_request'],
      [{ articles: [] }, 'invalid_request'],
      [{}, 'invalid_request'],
      [{ articles: [good, { url: `https://${host}/x`, published: 'yesterday' }] }, 'invalid_request'],
      [{ articles: [good, { url: `https://${host}/x`, image: 'javascript:alert(1)' }] }, 'invalid_request'],
      [{ articles: [good, { url: `https://${host}/x`, colour: 'red' }] }, 'invalid_request'],
      [{ articles: [good, { url: `https://${host}/x`, hidden: 'yes' }] }, 'invalid_request'],
      [{ articles: [good, { url: 'https://elsewhere.example/x' }] }, 'url_not_allowed'],
      [{ articles: [good, { url: 'not a url' }] }, 'invalid_url'],
      [{ articles: [good, { url: `http://${host}/fine?utm_medium=x` }] }, 'invalid_request'],
    ];
    for (const [body, code] of refusals) {
      await expectError(await admin('PUT', `${id}/articles`, { body }), 400, code);
    }
    const response = await put(id, [good, { url: 'https://elsewhere.example/x' }]);
    expect((await response.json<{ error: { message: string } }>()).error.message).toMatch(/^articles\.1\.url: /);
    expect(await list(id)).toEqual({ articles: [], cursor: null });
  });

  it('should answer 404 for an unknown site', async () => {
    await expectError(await put('no-such-site', [{ url: 'https://x.example/a' }]), 404, 'unknown_site');
  });
});

describe('GET /api/v1/admin/sites/{site}/articles', () => {
  it('should page through more than 100 articles in URL order, 100 at a time', async () => {
    const { id, host } = await createSite();
    const keys = Array.from({ length: 150 }, (_, i) => `https://${host}/story-${String(i).padStart(3, '0')}`);
    expect(
      (
        await put(
          id,
          keys.slice(0, 100).map((url) => ({ url })),
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await put(
          id,
          keys.slice(100).map((url) => ({ url })),
        )
      ).status,
    ).toBe(200);

    const first = await list(id);
    expect(urlsOf(first)).toEqual(keys.slice(0, 100));
    expect(first.cursor).toEqual(expect.any(String));
    const second = await list(id, { cursor: first.cursor! });
    expect(urlsOf(second)).toEqual(keys.slice(100));
    expect(second.cursor).toBeNull();
  });

  it('should list hidden articles on their own, and each status on its own', async () => {
    const { id, host } = await createSite();
    await put(id, [{ url: `https://${host}/shown` }, { url: `https://${host}/hidden`, hidden: true }]);
    expect(urlsOf(await list(id, { status: 'hidden' }))).toEqual([`https://${host}/hidden`]);
    expect(urlsOf(await list(id, { status: 'verified' }))).toEqual([`https://${host}/hidden`, `https://${host}/shown`]);
    expect(urlsOf(await list(id, { status: 'pending' }))).toEqual([]);
    expect(urlsOf(await list(id, { status: 'rejected' }))).toEqual([]);
  });

  it('should list pages waiting for their check as pending and pages that failed it as rejected', async () => {
    const id = await publisherSite();
    await viewPage(id, '/unavailable');
    await viewPage(id, '/missing');
    // A 503 is tried again later (pending), a 404 fails the check.
    await settled(id, `${PUBLISHER_KEY}/missing`, 'rejected');
    expect(urlsOf(await list(id, { status: 'pending' }))).toContain(`${PUBLISHER_KEY}/unavailable`);
    expect(urlsOf(await list(id, { status: 'verified' }))).not.toContain(`${PUBLISHER_KEY}/missing`);
  });

  it('should refuse an unknown status or a cursor it never gave with 400, and an unknown site with 404', async () => {
    const { id } = await createSite();
    await expectError(await admin('GET', `${id}/articles?status=deleted`), 400, 'invalid_request');
    await expectError(await admin('GET', `${id}/articles?cursor=not*a*cursor`), 400, 'invalid_request');
    await expectError(await admin('GET', `${id}/articles?cursor=${btoa('no url')}`), 400, 'invalid_request');
    await expectError(await admin('GET', 'no-such-site/articles'), 404, 'unknown_site');
    await expectError(await admin('GET', 'Not_A_Site/articles'), 400, 'invalid_request');
  });
});

describe('PATCH /api/v1/admin/sites/{site}/articles', () => {
  it('should hide and show an article, and change or clear its metadata', async () => {
    const { id, host } = await createSite();
    const url = `https://${host}/story`;
    await put(id, [{ url, title: 'Title', section: 'Local', published: '2026-11-20' }]);

    const hidden = await patch(id, `http://${host}/story?utm_campaign=x`, { hidden: true });
    expect(hidden.status).toBe(200);
    expect(await hidden.json()).toEqual(
      registered(url, { title: 'Title', section: 'Local', published: '2026-11-20T00:00:00.000Z', hidden: true }),
    );
    expect(urlsOf(await list(id, { status: 'hidden' }))).toEqual([url]);

    const changed = await patch(id, url, { hidden: false, title: 'T'.repeat(301), section: null });
    expect(await changed.json()).toEqual(
      registered(url, { title: 'T'.repeat(300), published: '2026-11-20T00:00:00.000Z' }),
    );
    expect(urlsOf(await list(id, { status: 'hidden' }))).toEqual([]);
  });

  it('should refuse an empty or bad change and a URL off the site with 400, changing nothing', async () => {
    const { id, host } = await createSite();
    const url = `https://${host}/story`;
    await put(id, [{ url, title: 'Title' }]);
    await expectError(await patch(id, url, {}), 400, 'invalid_request');
    await expectError(await patch(id, url, { hidden: 'yes' }), 400, 'invalid_request');
    await expectError(await patch(id, url, { title: 'New', url: `https://${host}/other` }), 400, 'invalid_request');
    await expectError(await patch(id, url, { published: 'soon', title: 'New' }), 400, 'invalid_request');
    await expectError(await patch(id, 'https://elsewhere.example/story', { title: 'New' }), 400, 'url_not_allowed');
    await expectError(await admin('PATCH', `${id}/articles`, { body: { title: 'New' } }), 400, 'invalid_request');
    expect((await list(id)).articles).toEqual([registered(url, { title: 'Title' })]);
  });

  it('should answer 404 for an article the site does not have, or an unknown site', async () => {
    const { id, host } = await createSite();
    await expectError(await patch(id, `https://${host}/never`, { hidden: true }), 404, 'unknown_article');
    await expectError(await patch('no-such-site', `https://${host}/never`, { hidden: true }), 404, 'unknown_site');
    expect((await list(id)).articles).toEqual([]);
  });
});

describe('POST /api/v1/admin/sites/{site}/articles/check', () => {
  it("should fetch the article's page now and take what it says", async () => {
    const id = await publisherSite();
    const key = `${PUBLISHER_KEY}/article/good`;
    await viewPage(id, '/old-slug');
    await settled(id, key, 'verified');
    await patch(id, key, { title: 'Edited by hand', section: null });

    const started = Date.now();
    const response = await check(id, `${PUBLISHER}/old-slug`);
    expect(response.status).toBe(200);
    const article = await response.json<ArticleRecord>();
    expect(article).toEqual({
      url: key,
      title: 'Bridge closure extended to March',
      image: `${PUBLISHER}/pictures/bridge.jpg`,
      section: 'Local',
      published: '2026-11-20T07:00:00.000Z',
      status: 'verified',
      hidden: false,
      aliases: [`${PUBLISHER_KEY}/old-slug`],
      checked_at: expect.any(String),
    });
    expect(Date.parse(article.checked_at!)).toBeGreaterThanOrEqual(started);
  });

  it('should answer 404 for an article the site does not have, or an unknown site, and 400 for a URL off it', async () => {
    const { id, host } = await createSite();
    await expectError(await check(id, `https://${host}/never`), 404, 'unknown_article');
    await expectError(await check('no-such-site', `https://${host}/never`), 404, 'unknown_site');
    await expectError(await check(id, 'https://elsewhere.example/a'), 400, 'url_not_allowed');
    await expectError(await admin('POST', `${id}/articles/check`), 400, 'invalid_request');
  });
});
