import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createSite, expectError, flushAllShards, postEvents, uniqueSiteId } from '../support/helpers';

const counts = (site: string, url: string, headers: Record<string, string> = {}) =>
  SELF.fetch(`https://api.test/api/v1/sites/${site}/counts?url=${encodeURIComponent(url)}`, { headers });

describe('GET /api/v1/sites/{site}/counts', () => {
  it('should answer all-time views, shares and shares by network', async () => {
    const { id, host } = await createSite();
    const origin = `https://${host}`;
    await postEvents(
      [
        { site: id, type: 'view', url: `${origin}/a` },
        { site: id, type: 'share', url: `${origin}/a`, network: 'x' },
        { site: id, type: 'share', url: `${origin}/a`, network: 'whatsapp' },
      ],
      { origin },
    );
    await postEvents({ site: id, type: 'share', url: `${origin}/a`, network: 'x' }, { origin, ip: '198.51.100.77' });
    await flushAllShards();
    const response = await counts(id, `http://${host}/a?utm_campaign=z#x`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      url: `${origin}/a`,
      views: 1,
      shares: { total: 3, by_network: { whatsapp: 1, x: 2 } },
    });
  });

  it('should answer zeros for a URL never counted, not 404', async () => {
    const { id, host } = await createSite();
    const response = await counts(id, `https://${host}/never`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      url: `https://${host}/never`,
      views: 0,
      shares: { total: 0, by_network: {} },
    });
  });

  it('should be cacheable and open to any origin', async () => {
    const { id, host } = await createSite();
    const response = await counts(id, `https://${host}/a`, { Origin: 'https://anywhere.example' });
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=60');
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
  });

  it('should answer 404 for an unknown site', async () => {
    await expectError(await counts(uniqueSiteId(), 'https://x.example/a'), 404, 'unknown_site');
  });

  it.each([
    ['no url', (site: string) => `/api/v1/sites/${site}/counts`, 'invalid_request'],
    ['a relative url', (site: string) => `/api/v1/sites/${site}/counts?url=/a`, 'invalid_url'],
    [
      'a url of another host',
      (site: string) => `/api/v1/sites/${site}/counts?url=https://other.example/a`,
      'url_not_allowed',
    ],
    ['a malformed site id', () => `/api/v1/sites/Bad_Site/counts?url=https://x.example/a`, 'invalid_request'],
  ])('should answer 400 for %s', async (_, path, code) => {
    const { id } = await createSite();
    await expectError(await SELF.fetch(`https://api.test${path(id)}`), 400, code);
  });
});
