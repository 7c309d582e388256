import { env, SELF } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, inject, it } from 'vitest';
import { isLinkNetwork, NETWORKS, shareUrl } from '../../common/networks';
import type { StoredArticle } from '../../src/db/article-page';
import { normaliseUrl } from '../../src/ingest/normalise-url';
import { createSite, flushAllShards } from '../support/helpers';
import { bodyFor, headersFor, nastyString, queryFor, urlFor } from './arbitraries';

// `npm run fuzz` sets 1,000 or more; `npm test` runs a smaller sample.
const runs = inject('fuzzRuns');

/** The hosts of every network's share page: the only places a share redirect may lead. */
const NETWORK_HOSTS = NETWORKS.filter(isLinkNetwork)
  .map((n) => new URL(shareUrl(n, 'https://x.example/')).hostname)
  .filter(Boolean);

const expectNoServerError = async (response: Response) => {
  expect(response.status, await response.clone().text()).toBeLessThan(500);
  if (response.status >= 400) {
    expect(await response.json()).toEqual({
      error: { code: expect.stringMatching(/^[a-z_]+$/), message: expect.any(String) },
    });
  }
};

/** Everything the site has in D1 must be something a valid request could have stored. */
async function expectOnlyValidRows(site: string, hosts: string[]) {
  await flushAllShards();
  const { results } = await env.DB.prepare(
    'SELECT url, title, image, section, published, views, shares, reads FROM articles WHERE site_id = ?',
  )
    .bind(site)
    .all<Omit<StoredArticle, 'firstBucket' | 'link'> & { reads: number }>();
  for (const row of results) {
    expect(normaliseUrl(row.url)).toBe(row.url);
    expect(hosts).toContain(new URL(row.url).hostname);
    expect(Array.from(row.title ?? '').length).toBeLessThanOrEqual(300);
    expect(Array.from(row.section ?? '').length).toBeLessThanOrEqual(64);
    expect((row.image ?? '').length).toBeLessThanOrEqual(2048);
    if (row.image !== null) expect(row.image).toMatch(/^https?:\/\//);
    if (row.published !== null) expect(new Date(row.published).toISOString()).toBe(row.published);
    expect(row.views).toBeGreaterThanOrEqual(0);
    expect(row.shares).toBeGreaterThanOrEqual(0);
    // A read counts only after its visitor's view: no article has more reads than views.
    expect(row.reads).toBeGreaterThanOrEqual(0);
    expect(row.reads).toBeLessThanOrEqual(row.views);
  }
  const orphans = await env.DB.prepare(
    'SELECT count(*) AS n FROM articles WHERE site_id NOT IN (SELECT id FROM sites)',
  ).first<{ n: number }>();
  expect(orphans!.n).toBe(0);
}

describe(`fuzz (${runs} requests per endpoint)`, () => {
  it('POST /api/v1/events never answers 5xx and stores nothing invalid', async () => {
    const { id, host, hosts } = await createSite();
    await fc.assert(
      fc.asyncProperty(bodyFor(id, host), headersFor(host), async (body, headers) => {
        await expectNoServerError(
          await SELF.fetch('https://api.test/api/v1/events', { method: 'POST', headers, body }),
        );
      }),
      { numRuns: runs },
    );
    await expectOnlyValidRows(id, hosts);
  }, 600_000);

  it('GET /api/v1/sites/{site}/counts never answers 5xx', async () => {
    const { id, host } = await createSite();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constant(id), nastyString), queryFor(['url'], urlFor(host)), async (site, query) => {
        await expectNoServerError(
          await SELF.fetch(`https://api.test/api/v1/sites/${encodeURIComponent(site)}/counts?${query}`),
        );
      }),
      { numRuns: runs },
    );
  }, 600_000);
});

describe(`fuzz of the other public endpoints (${runs} requests each)`, () => {
  const endpoints: [string, (site: string, host: string) => fc.Arbitrary<string>][] = [
    [
      'GET /api/v1/sites/{site}/popular',
      (site) =>
        fc
          .tuple(
            fc.oneof(fc.constant(site), nastyString),
            queryFor(
              ['window', 'by', 'limit', 'section', 'exclude'],
              fc.oneof(
                fc.constantFrom(
                  '1h',
                  '24h',
                  '7d',
                  '30d',
                  'all',
                  'views',
                  'shares',
                  'reads',
                  'score',
                  'trending',
                  '0',
                  '10',
                  '51',
                  '-1',
                  '1e3',
                ),
                nastyString,
              ),
            ),
          )
          .map(([s, q]) => `/api/v1/sites/${encodeURIComponent(s)}/popular?${q}`),
    ],
    [
      'GET /api/v1/share/{network}',
      (site, host) =>
        fc
          .tuple(
            fc.oneof(fc.constantFrom('x', 'facebook', 'email', 'copy', 'native', 'mastodon'), nastyString),
            queryFor(['site', 'url', 'title'], fc.oneof(fc.constant(site), urlFor(host), nastyString)),
          )
          .map(([n, q]) => `/api/v1/share/${encodeURIComponent(n)}?${q}`),
    ],
    [
      'GET /api/v1/shariff',
      (_, host) => queryFor(['url', 'services'], urlFor(host)).map((q) => `/api/v1/shariff?${q}`),
    ],
    [
      'GET /embed/share',
      (site, host) =>
        queryFor(
          ['site', 'url', 'title', 'lang', 'theme', 'networks', 'counts'],
          fc.oneof(fc.constant(site), urlFor(host), nastyString),
        ).map((q) => `/embed/share?${q}`),
    ],
    [
      'GET /embed/popular',
      (site) =>
        queryFor(['site', 'window', 'by', 'limit', 'lang', 'theme'], fc.oneof(fc.constant(site), nastyString)).map(
          (q) => `/embed/popular?${q}`,
        ),
    ],
  ];

  it.each(endpoints)(
    '%s never answers 5xx, and redirects only to a network',
    async (_, pathFor) => {
      const { id, host } = await createSite();
      await fc.assert(
        fc.asyncProperty(pathFor(id, host), headersFor(host), async (path, headers) => {
          const response = await SELF.fetch(`https://api.test${path}`, { headers, redirect: 'manual' });
          expect(response.status, `${path}: ${await response.clone().text()}`).toBeLessThan(500);
          if (response.status >= 300 && response.status < 400) {
            const target = new URL(response.headers.get('Location')!, 'https://api.test');
            expect(target.protocol === 'mailto:' || NETWORK_HOSTS.includes(target.hostname), target.href).toBe(true);
          } else if (response.status >= 400 && response.headers.get('Content-Type')?.startsWith('application/json')) {
            expect(await response.json()).toEqual({
              error: { code: expect.stringMatching(/^[a-z_]+$/), message: expect.any(String) },
            });
          }
        }),
        { numRuns: runs },
      );
    },
    600_000,
  );
});
