import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  checkFailures,
  FAILURE_WINDOW_MS,
  MAX_FAILURES,
  noteFailure,
  retryAfterSeconds,
} from '../../src/auth/failure-throttle';
import { DAY_MS } from '../../src/time';

/** A time of its own for each test (one D1 per file), well inside a UTC day. */
let day = 20_000;
const nextDay = () => day++ * DAY_MS + 3_600_000;

async function failTimes(ip: string, times: number, nowMs: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const { client } = await checkFailures(env.DB, ip, nowMs);
    await noteFailure(env.DB, client, nowMs);
  }
}

describe('retryAfterSeconds', () => {
  it('should let a client try until its window holds the limit, then until the window ends', () => {
    const start = 1_000_000;
    expect(retryAfterSeconds(null, start)).toBe(0);
    expect(retryAfterSeconds({ window_start: start, failures: MAX_FAILURES - 1 }, start)).toBe(0);
    const full = { window_start: start, failures: MAX_FAILURES };
    expect(retryAfterSeconds(full, start)).toBe(FAILURE_WINDOW_MS / 1000);
    expect(retryAfterSeconds(full, start + FAILURE_WINDOW_MS - 1500)).toBe(2);
    expect(retryAfterSeconds(full, start + FAILURE_WINDOW_MS - 1)).toBe(1);
  });
});

describe('failure throttle', () => {
  it('should lock a client out at the limit, and let it in again when its window is over', async () => {
    const now = nextDay();
    await failTimes('192.0.2.10', MAX_FAILURES - 1, now);
    expect((await checkFailures(env.DB, '192.0.2.10', now)).retryAfterSeconds).toBe(0);
    await failTimes('192.0.2.10', 1, now);
    expect((await checkFailures(env.DB, '192.0.2.10', now + 60_000)).retryAfterSeconds).toBe(
      FAILURE_WINDOW_MS / 1000 - 60,
    );
    // Another client is not slowed.
    expect((await checkFailures(env.DB, '192.0.2.11', now)).retryAfterSeconds).toBe(0);
    expect((await checkFailures(env.DB, '192.0.2.10', now + FAILURE_WINDOW_MS)).retryAfterSeconds).toBe(0);
  });

  it('should count an IPv6 /64 as one client, whatever the rest of the address', async () => {
    const now = nextDay();
    for (let i = 0; i < MAX_FAILURES; i++) {
      const { client } = await checkFailures(env.DB, `2001:db8:1:2::${i.toString(16)}`, now);
      await noteFailure(env.DB, client, now);
    }
    expect((await checkFailures(env.DB, '2001:0db8:0001:0002:ffff::1', now)).retryAfterSeconds).toBeGreaterThan(0);
    expect((await checkFailures(env.DB, '2001:db8:1:3::1', now)).retryAfterSeconds).toBe(0);
  });

  it('should key clients with a random secret of the day, deleted when the next day begins', async () => {
    const now = nextDay();
    const today = await checkFailures(env.DB, '192.0.2.20', now);
    expect(await checkFailures(env.DB, '192.0.2.20', now + 60_000)).toEqual(today);
    const tomorrow = await checkFailures(env.DB, '192.0.2.20', now + DAY_MS);
    expect(tomorrow.client).not.toBe(today.client);
    const { results } = await env.DB.prepare('SELECT day FROM auth_client_keys').all<{ day: number }>();
    expect(results.map((row) => row.day)).toEqual([Math.floor((now + DAY_MS) / DAY_MS)]);
  });

  it('should delete windows that are over when it counts a failure', async () => {
    const now = nextDay();
    await failTimes('192.0.2.30', 3, now);
    const later = now + FAILURE_WINDOW_MS;
    await failTimes('192.0.2.31', 1, later);
    const { results } = await env.DB.prepare('SELECT window_start, failures FROM auth_failures').all();
    expect(results).toEqual([{ window_start: later, failures: 1 }]);
  });
});
