import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { WIDGET_HASH, WIDGET_JS } from '../../src/generated/widget';
import { WIDGET_PATH } from '../../src/routes/widget';
import { ALL_NETWORKS } from '../support/networks';

const GZIP_BUDGET_BYTES = 6 * 1024;

async function gzippedSize(text: string): Promise<number> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

describe('the widget script', () => {
  it('should serve /widget.js with a short cache and an ETag', async () => {
    const response = await SELF.fetch('https://api.test/widget.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=300');
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(response.headers.get('ETag')).toBe(`"${WIDGET_HASH}"`);
    expect(await response.text()).toBe(WIDGET_JS);

    const again = await SELF.fetch('https://api.test/widget.js', { headers: { 'If-None-Match': `"${WIDGET_HASH}"` } });
    expect(again.status).toBe(304);
  });

  it('should serve the content-hashed path for a year, and send an older hash to /widget.js', async () => {
    expect(WIDGET_PATH).toMatch(/^\/widget\.[0-9a-f]{16}\.js$/);
    const response = await SELF.fetch(`https://api.test${WIDGET_PATH}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
    expect(await response.text()).toBe(WIDGET_JS);

    const stale = await SELF.fetch('https://api.test/widget.0123456789abcdef.js', { redirect: 'manual' });
    expect(stale.status).toBe(302);
    expect(stale.headers.get('Location')).toBe('/widget.js');
    expect((await SELF.fetch('https://api.test/widget.nothex.js')).status).toBe(404);
  });

  it('should weigh at most 6 KiB gzipped with every network in', async () => {
    for (const network of ALL_NETWORKS) {
      expect(WIDGET_JS).toContain(`"${network}"`);
    }
    expect(await gzippedSize(WIDGET_JS)).toBeLessThanOrEqual(GZIP_BUDGET_BYTES);
  });

  it('should name no address but the SVG namespace (so it loads nothing from a third party)', () => {
    // Share buttons open the share endpoint, which redirects to the network: not even a network's address is here.
    const addresses = new Set([...WIDGET_JS.matchAll(/https?:\/\/[^"'`\s)]+/g)].map((m) => m[0]));
    expect([...addresses]).toEqual(['http://www.w3.org/2000/svg']); // the SVG namespace, never fetched
  });
});
