import { createScheduledController, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  type Attempt,
  countTokenAttempt,
  deleteExpiredThrottleRows,
  FAILURE_WINDOW_MS,
  MAX_FAILURES,
  retryAfterSeconds,
  withdrawRightAttempt,
} from '../../src/auth/failure-throttle';
import worker from '../../src/index';
import { DAY_MS, dayOf } from '../../src/time';

/**
 * A day of its own for each test (one D1 per file), well inside the UTC day.
 * Days only move forward: the isolate keeps the current day's key, and the
 * cleanup deletes those of earlier days.
 */
let day = 20_000;
const nextDay = () => day++ * DAY_MS + 3_600_000;

async function attempts(ip: string, times: number, nowMs: number): Promise<Attempt[]> {
  const made: Attempt[] = [];
  for (let i = 0; i < times; i++) made.push(await countTokenAttempt(env.DB, ip, nowMs));
  return made;
}

const counted = (attempt: Attempt) => {
  if (!attempt.counted) throw new Error('the attempt was refused');
  return attempt;
};

const storedWindows = async () =>
  (await env.DB.prepare('SELECT window_start, failures FROM auth_failures ORDER BY window_start').all()).results;

const storedKeyDays = async () =>
  (await env.DB.prepare('SELECT day FROM auth_client_keys ORDER BY day').all<{ day: number }>()).results.map(
    (row) => row.day,
  );

describe('retryAfterSeconds', () => {
  it('should count the seconds left in the window, rounded up, at least 1', () => {
    const start = 1_000_000;
    expect(retryAfterSeconds(start, start)).toBe(FAILURE_WINDOW_MS / 1000);
    expect(retryAfterSeconds(start, start + FAILURE_WINDOW_MS - 1500)).toBe(2);
    expect(retryAfterSeconds(start, start + FAILURE_WINDOW_MS - 1)).toBe(1);
    expect(retryAfterSeconds(start, start + FAILURE_WINDOW_MS)).toBe(1);
  });
});

describe('failure throttle', () => {
  it('should count attempts up to the limit, then refuse until the window is over, when it starts again', async () => {
    const now = nextDay();
    const made = await attempts('192.0.2.10', MAX_FAILURES, now);
    expect(made.every((attempt) => attempt.counted)).toBe(true);
    expect(await countTokenAttempt(env.DB, '192.0.2.10', now + 60_000)).toEqual({
      counted: false,
      retryAfterSeconds: FAILURE_WINDOW_MS / 1000 - 60,
    });
    // Another client is not slowed.
    expect((await countTokenAttempt(env.DB, '192.0.2.11', now)).counted).toBe(true);
    // A refused attempt is not counted: the window still holds the limit, no more.
    expect(await storedWindows()).toContainEqual({ window_start: now, failures: MAX_FAILURES });

    const later = now + FAILURE_WINDOW_MS;
    expect(counted(await countTokenAttempt(env.DB, '192.0.2.10', later)).windowStart).toBe(later);
    expect(await storedWindows()).toContainEqual({ window_start: later, failures: 1 });
  });

  it('should count at most the limit of 100 concurrent attempts', async () => {
    const now = nextDay();
    const made = await Promise.all(Array.from({ length: 100 }, () => countTokenAttempt(env.DB, '192.0.2.12', now)));
    expect(made.filter((attempt) => attempt.counted).length).toBe(MAX_FAILURES);
    expect(made.filter((attempt) => !attempt.counted)).toEqual(
      Array(100 - MAX_FAILURES).fill({ counted: false, retryAfterSeconds: FAILURE_WINDOW_MS / 1000 }),
    );
  });

  it('should take back a right token, and leave no window for a client with no wrong one', async () => {
    const now = nextDay();
    const [first] = await attempts('192.0.2.13', 1, now);
    await withdrawRightAttempt(env.DB, counted(first!));
    expect(await storedWindows()).not.toContainEqual(expect.objectContaining({ window_start: now }));

    await attempts('192.0.2.13', 3, now + 1);
    const [right] = await attempts('192.0.2.13', 1, now + 2);
    await withdrawRightAttempt(env.DB, counted(right!));
    expect(await storedWindows()).toContainEqual({ window_start: now + 1, failures: 3 });

    // An attempt of a window that is over takes nothing from the next one.
    const [stale] = await attempts('192.0.2.13', 1, now + 3);
    const next = now + 1 + FAILURE_WINDOW_MS;
    await attempts('192.0.2.13', 1, next);
    await withdrawRightAttempt(env.DB, counted(stale!));
    expect(await storedWindows()).toContainEqual({ window_start: next, failures: 1 });
  });

  it('should count an IPv6 /64 as one client, whatever the rest of the address', async () => {
    const now = nextDay();
    for (let i = 0; i < MAX_FAILURES; i++) await countTokenAttempt(env.DB, `2001:db8:1:2::${i.toString(16)}`, now);
    expect((await countTokenAttempt(env.DB, '2001:0db8:0001:0002:ffff::1', now)).counted).toBe(false);
    expect((await countTokenAttempt(env.DB, '2001:db8:1:3::1', now)).counted).toBe(true);
  });

  it('should key clients with a random secret of the day, deleted when the next day begins', async () => {
    const now = nextDay();
    const today = counted(await countTokenAttempt(env.DB, '192.0.2.20', now));
    expect(counted(await countTokenAttempt(env.DB, '192.0.2.20', now + 60_000)).client).toBe(today.client);
    const tomorrow = counted(await countTokenAttempt(env.DB, '192.0.2.20', now + DAY_MS));
    expect(tomorrow.client).not.toBe(today.client);
    expect(await storedKeyDays()).toEqual([dayOf(now + DAY_MS)]);
    day++; // the next test's day is after the one used here
  });
});

describe('throttle cleanup', () => {
  it('should delete windows that are over and the keys of earlier days, however idle the deployment', async () => {
    const now = nextDay();
    await attempts('192.0.2.30', 3, now);
    await attempts('192.0.2.31', 1, now + 60_000);
    expect(await storedKeyDays()).toEqual([dayOf(now)]);

    // Within the day: the window that is over goes, the open one and the day's key stay.
    await deleteExpiredThrottleRows(env.DB, now + FAILURE_WINDOW_MS);
    expect(await storedWindows()).toEqual([{ window_start: now + 60_000, failures: 1 }]);
    expect(await storedKeyDays()).toEqual([dayOf(now)]);

    // No request comes the next day; the cron alone deletes the rest.
    await deleteExpiredThrottleRows(env.DB, now + DAY_MS);
    expect(await storedWindows()).toEqual([]);
    expect(await storedKeyDays()).toEqual([]);
    day++;
  });

  it('should run from the Worker scheduled handler, as the hourly cron calls it', async () => {
    const now = nextDay();
    await attempts('192.0.2.40', 2, now);
    const nextHour = now + 3_600_000;
    await worker.scheduled(createScheduledController({ scheduledTime: nextHour, cron: '7 * * * *' }), env);
    expect(await storedWindows()).toEqual([]);
    await worker.scheduled(createScheduledController({ scheduledTime: nextHour + DAY_MS, cron: '7 * * * *' }), env);
    expect(await storedKeyDays()).toEqual([]);
  });
});
