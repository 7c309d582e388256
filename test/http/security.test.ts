import { SELF } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { embedFrameAncestors } from '../../src/http/security';
import { ADMIN, createSite, postEvents } from '../support/helpers';

const get = (path: string, headers: Record<string, string> = {}) =>
  SELF.fetch(`http://localhost:8787${path}`, { headers });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('security headers', () => {
  it('should send X-Content-Type-Options: nosniff on every kind of answer', async () => {
    const { id, host } = await createSite();
    const answers = [
      await get('/healthz'),
      await get('/demo'),
      await get('/widget.js'),
      await get(`/api/v1/sites/${id}/counts?url=https://${host}/a`),
      await get('/api/v1/nothing'),
      await get(`/embed/share?site=${id}&url=https://${host}/a`),
      await postEvents({ site: id, type: 'view', url: `https://${host}/a` }, { origin: `https://${host}` }),
    ];
    for (const response of answers) expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
  });

  it('should give HTML pages a strict CSP whose style nonce is the page\u2019s', async () => {
    const response = await get('/demo');
    const csp = response.headers.get('Content-Security-Policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const nonce = /style-src 'self' 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    const html = await response.text();
    expect(html).toContain(`<style nonce="${nonce}">`);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    // A new nonce every time.
    expect((await get('/demo')).headers.get('Content-Security-Policy')).not.toBe(csp);
  });

  it('should give every other answer the same strict CSP, without a nonce', async () => {
    const { id, host } = await createSite();
    const beacon = await postEvents(
      { site: id, type: 'view', url: `https://${host}/a` },
      { origin: `https://${host}` },
    );
    for (const response of [beacon, await get('/healthz'), await get('/dashboard/login')]) {
      const csp = response.headers.get('Content-Security-Policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("style-src 'self';");
      expect(csp).not.toContain('nonce-');
    }
    const docs = (await get('/docs')).headers.get('Content-Security-Policy') ?? '';
    expect(docs).toMatch(/style-src 'self' 'nonce-[^']+'/);
  });

  it("should let only the site's pages frame the embeds, and nothing else", async () => {
    const { id, host } = await createSite();
    for (const path of [`/embed/share?site=${id}&url=https://${host}/a`, `/embed/popular?site=${id}`]) {
      const embed = await get(path);
      expect(embed.headers.get('Content-Security-Policy'), path).toContain(
        `frame-ancestors https://${host}:* http://${host}:*`,
      );
      expect(embed.headers.get('X-Frame-Options'), path).toBeNull();
    }
    expect((await get('/demo')).headers.get('Content-Security-Policy')).toContain("frame-ancestors 'none'");
  });
});

describe('embedFrameAncestors', () => {
  it("should allow each of the site's hosts on any port and either scheme, and nothing else", () => {
    expect(embedFrameAncestors(['news.example', 'localhost'])).toBe(
      'https://news.example:* http://news.example:* https://localhost:* http://localhost:*',
    );
    expect(embedFrameAncestors(['news.example'])).not.toMatch(/(^| )\*( |$)|'self'|https?:( |$)/);
  });
});

describe('CORS', () => {
  it('should be open on the public read endpoints', async () => {
    const { id, host } = await createSite();
    const origin = { Origin: 'https://reader.example' };
    for (const path of [
      `/api/v1/sites/${id}/counts?url=https://${host}/a`,
      `/api/v1/sites/${id}/popular`,
      `/api/v1/shariff?url=https://${host}/a`,
    ]) {
      expect((await get(path, origin)).headers.get('Access-Control-Allow-Origin'), path).toBe('*');
    }
  });

  it('should let any origin read the errors of the public read endpoints too', async () => {
    const origin = { Origin: 'https://reader.example' };
    for (const [path, status] of [
      ['/api/v1/sites/no-such-site/popular', 404],
      ['/api/v1/sites/no-such-site/counts?url=https://x.example/a', 404],
      ['/api/v1/sites/BAD/popular', 400],
      ['/api/v1/shariff', 400],
    ] as const) {
      const response = await get(path, origin);
      expect(response.status, path).toBe(status);
      expect(response.headers.get('Access-Control-Allow-Origin'), path).toBe('*');
    }
  });

  it('should be closed on the admin API, also for a preflight', async () => {
    const list = await get('/api/v1/admin/sites', { ...ADMIN, Origin: 'https://evil.example' });
    expect(list.headers.get('Access-Control-Allow-Origin')).toBeNull();
    const preflight = await SELF.fetch('http://localhost:8787/api/v1/admin/sites', {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://evil.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization',
      },
    });
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });
});

describe('admin secrecy', () => {
  it('should never log the admin token, right or wrong', async () => {
    const logged: unknown[][] = [];
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args));
    }
    const wrong = 'wrong-token-that-must-not-appear';
    await get('/api/v1/admin/sites', { Authorization: `Bearer ${wrong}` });
    await get('/api/v1/admin/sites', ADMIN);
    await SELF.fetch('http://localhost:8787/api/v1/admin/sites', {
      method: 'POST',
      headers: { ...ADMIN, 'Content-Type': 'application/json' },
      body: '{bad',
    });
    const text = JSON.stringify(logged);
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(ADMIN.Authorization.slice('Bearer '.length));
  });
});
