import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../src/errors';
import { checkVisitorLimit, limiterKey } from '../../src/recording/flood-guard';
import { dayOf } from '../../src/time';
import { uniqueSiteId } from '../support/helpers';

const SECRET = 'a-worker-secret-of-at-least-32-characters';
const DAY = dayOf(Date.UTC(2026, 10, 20, 12));
const IP = '198.51.100.23';

/** The key the limiter was given before: SHA-256 of site and IP, which anyone can compute. */
async function unsaltedKey(site: string, ip: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${site}\n${ip}`));
  return btoa(String.fromCharCode(...new Uint8Array(digest).slice(0, 16)));
}

/** The real limiter binding, with the keys it is asked for written down. */
function recordingLimiter() {
  const keys: string[] = [];
  const limiter: RateLimit = {
    limit: (options) => {
      keys.push(options.key);
      return env.VISITOR_LIMITER.limit(options);
    },
  };
  return { keys, env: { ...env, VISITOR_LIMITER: limiter } };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('limiterKey', () => {
  it('should be the same for the same secret, day, site and IP, as every isolate must agree', async () => {
    expect(await limiterKey(SECRET, DAY, 'news', IP)).toBe(await limiterKey(SECRET, DAY, 'news', IP));
    expect(await limiterKey(SECRET, DAY, 'news', IP)).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });

  it('should change with the day, so that a client cannot be followed from one day to the next', async () => {
    const keys = new Set(await Promise.all([DAY, DAY + 1, DAY + 2].map((day) => limiterKey(SECRET, day, 'news', IP))));
    expect(keys.size).toBe(3);
  });

  it('should not be computable from the site and the IP alone', async () => {
    const key = await limiterKey(SECRET, DAY, 'news', IP);
    expect(key).not.toBe(await unsaltedKey('news', IP));
    expect(key).not.toBe(await limiterKey('another-secret-of-at-least-32-characters', DAY, 'news', IP));
    expect(key).not.toBe(await limiterKey('', DAY, 'news', IP));
  });

  it('should keep sites and IPs apart', async () => {
    const keys = new Set([
      await limiterKey(SECRET, DAY, 'news', IP),
      await limiterKey(SECRET, DAY, 'other', IP),
      await limiterKey(SECRET, DAY, 'news', '198.51.100.24'),
      // Parts that a plain separator would run together.
      await limiterKey(SECRET, DAY, 'news\n198', '.51.100.23'),
    ]);
    expect(keys.size).toBe(4);
  });
});

describe('checkVisitorLimit', () => {
  it("should ask the limiter under the day's key from the Worker's secret, never the unsalted hash", async () => {
    const site = uniqueSiteId();
    const recording = recordingLimiter();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2026, 10, 20, 23, 59, 59));
    await checkVisitorLimit(recording.env, [site], IP);
    vi.setSystemTime(Date.UTC(2026, 10, 21, 0, 0, 1));
    await checkVisitorLimit(recording.env, [site], IP);
    expect(recording.keys).toEqual([
      await limiterKey(env.ADMIN_TOKEN, DAY, site, IP),
      await limiterKey(env.ADMIN_TOKEN, DAY + 1, site, IP),
    ]);
    expect(recording.keys).not.toContain(await unsaltedKey(site, IP));
  });

  it('should refuse a client over the limit for a site with 429 rate_limited', async () => {
    const site = uniqueSiteId();
    // The binding's limit in wrangler.toml: 120 a minute.
    for (let i = 0; i < 120; i++) await checkVisitorLimit(env, [site], IP);
    const refusal = await checkVisitorLimit(env, [site], IP).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(ApiError);
    expect((refusal as ApiError).code).toBe('rate_limited');
    // Another client of the same site is counted apart.
    await checkVisitorLimit(env, [site], '198.51.100.99');
  });

  it('should refuse to key the limiter without a secret to key it with', async () => {
    await expect(checkVisitorLimit({ ...env, ADMIN_TOKEN: '' }, [uniqueSiteId()], IP)).rejects.toThrow(/ADMIN_TOKEN/);
  });
});
