import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cachedArticleCounts } from '../../src/cache/counts';
import { loadSite } from '../../src/cache/sites';
import { sha256Hex } from '../../src/hashing/hex';
import { createSite } from '../support/helpers';

/** The real D1 with a KV namespace that fails every call, as KV does in an outage. */
const withKvDown = () => ({
  DB: env.DB,
  CACHE: new Proxy(env.CACHE, {
    get: (target, property) =>
      ['get', 'put', 'delete', 'list', 'getWithMetadata'].includes(String(property))
        ? () => Promise.reject(new Error('KV unavailable'))
        : Reflect.get(target, property),
  }),
});

/** Silences console.warn for the rest of the test (afterEach restores it), keeping each call's message. */
function captureWarnings() {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  return () => warn.mock.calls.map(([message]) => message);
}

describe('caches while KV is down', () => {
  afterEach(() => vi.restoreAllMocks());

  it('should load a site from D1', async () => {
    const { id } = await createSite();
    const warnings = captureWarnings();
    // A time far ahead, so this isolate's own copy is not used.
    expect(await loadSite(withKvDown(), id, Date.now() + 3_600_000)).toMatchObject({ id });
    expect(warnings()).toEqual([`KV read of site:${id} failed`, `KV write of site:${id} failed`]);
  });

  it('should answer counts from D1', async () => {
    const { id, host } = await createSite();
    const warnings = captureWarnings();
    expect(await cachedArticleCounts(withKvDown(), id, `https://${host}/a`)).toEqual({
      url: `https://${host}/a`,
      views: 0,
      reads: 0,
      shares: { total: 0, by_network: {} },
    });
    const key = `counts:${id}:v2:${await sha256Hex(`https://${host}/a`)}`;
    expect(warnings()).toEqual([`KV read of ${key} failed`, `KV write of ${key} failed`]);
  });
});
