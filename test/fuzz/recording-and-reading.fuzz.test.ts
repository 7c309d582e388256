import { env, SELF } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, inject, it } from 'vitest';
import { normaliseUrl } from '../../src/ingest/normalise-url';
import { createSite, flushAllShards } from '../helpers';
import { bodyFor, headersFor, nastyString, queryFor, urlFor } from './arbitraries';

// `npm run fuzz` sets 1,000 or more; `npm test` runs a smaller sample.
const runs = inject('fuzzRuns');

const expectNoServerError = async (response: Response) => {
  expect(response.status, await response.clone().text()).toBeLessThan(500);
  if (response.status >= 400) {
    expect(await response.json()).toEqual({ error: { code: expect.stringMatching(/^[a-z_]+$/), message: expect.any(String) } });
  }
};

/** Everything the site has in D1 must be something a valid request could have stored. */
async function expectOnlyValidRows(site: string, hosts: string[]) {
  await flushAllShards();
  const { results } = await env.DB.prepare('SELECT url, title, image, section, published, views, shares FROM articles WHERE site_id = ?').bind(site).all<{
    url: string; title: string | null; image: string | null; section: string | null; published: string | null; views: number; shares: number;
  }>();
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
  }
  const orphans = await env.DB.prepare('SELECT count(*) AS n FROM articles WHERE site_id NOT IN (SELECT id FROM sites)').first<{ n: number }>();
  expect(orphans!.n).toBe(0);
}

describe(`fuzz (${runs} requests per endpoint)`, () => {
  it('POST /api/v1/events never answers 5xx and stores nothing invalid', async () => {
    const { id, host, hosts } = await createSite();
    await fc.assert(
      fc.asyncProperty(bodyFor(id, host), headersFor(host), async (body, headers) => {
        await expectNoServerError(await SELF.fetch('https://api.test/api/v1/events', { method: 'POST', headers, body }));
      }),
      { numRuns: runs },
    );
    await expectOnlyValidRows(id, hosts);
  }, 600_000);

  it('GET /api/v1/sites/{site}/counts never answers 5xx', async () => {
    const { id, host } = await createSite();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constant(id), nastyString), queryFor(['url'], urlFor(host)), async (site, query) => {
        await expectNoServerError(await SELF.fetch(`https://api.test/api/v1/sites/${encodeURIComponent(site)}/counts?${query}`));
      }),
      { numRuns: runs },
    );
  }, 600_000);
});
