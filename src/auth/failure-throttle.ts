import { countAttempt, daySecret, deleteExpiredFailures, withdrawAttempt } from '../db/auth-failures';
import { toHex } from '../hashing/hex';
import { ipScope } from '../ingest/ip-scope';
import { dayOf } from '../time';

/**
 * Wrong admin tokens one client may send per window, sign-ins and bearer
 * tokens together, before its tokens are no longer checked until the window
 * ends: 20 per 15 minutes leaves a mistyping editor room and an attacker
 * about 2,000 guesses a day from one network.
 */
export const MAX_FAILURES = 20;
export const FAILURE_WINDOW_MS = 15 * 60_000;

/** Seconds from `nowMs` until the window that began at `windowStart` ends, for `Retry-After`: at least 1. */
export const retryAfterSeconds = (windowStart: number, nowMs: number): number =>
  Math.max(1, Math.ceil((windowStart + FAILURE_WINDOW_MS - nowMs) / 1000));

const encoder = new TextEncoder();

let cachedDayKey: { day: number; key: Promise<CryptoKey> } | undefined;

/** The HMAC key of UTC day `day`, from its secret in D1; kept for the day in the isolate. */
function dayKey(db: D1Database, day: number): Promise<CryptoKey> {
  if (cachedDayKey?.day !== day) {
    const key = daySecret(db, day, toHex(crypto.getRandomValues(new Uint8Array(32))))
      .then((secret) =>
        crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']),
      )
      .catch((err: unknown) => {
        cachedDayKey = undefined;
        throw err;
      });
    cachedDayKey = { day, key };
  }
  return cachedDayKey.key;
}

/**
 * Who a failure is counted against: an HMAC of the IP's scope (an IPv4
 * address, an IPv6 /64) with the day's random key. Neither the IP nor a
 * plain hash of it is stored, which over the IPv4 space would be reversible.
 */
async function clientKey(db: D1Database, ip: string, nowMs: number): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await dayKey(db, dayOf(nowMs)), encoder.encode(ipScope(ip)));
  return toHex(mac, 16);
}

/** A token attempt of a client, counted before its token is compared, or refused uncompared. */
export type Attempt =
  | { counted: true; client: string; windowStart: number }
  | { counted: false; retryAfterSeconds: number };

/**
 * Counts an attempt against the client at `ip` before its token is compared,
 * so that concurrent wrong tokens cannot all pass a check of the count made
 * before any of them is written; refused once its window holds MAX_FAILURES.
 * A right token is then withdrawn (withdrawRightAttempt): only wrong ones use
 * the budget, and a client's compared wrong tokens never exceed it.
 */
export async function countTokenAttempt(db: D1Database, ip: string, nowMs: number): Promise<Attempt> {
  const client = await clientKey(db, ip, nowMs);
  const { counted, window } = await countAttempt(db, client, nowMs, nowMs - FAILURE_WINDOW_MS, MAX_FAILURES);
  return counted
    ? { counted: true, client, windowStart: window.window_start }
    : { counted: false, retryAfterSeconds: retryAfterSeconds(window.window_start, nowMs) };
}

/** Takes back a counted attempt whose token was right. */
export const withdrawRightAttempt = (db: D1Database, attempt: Extract<Attempt, { counted: true }>): Promise<void> =>
  withdrawAttempt(db, attempt.client, attempt.windowStart);

/**
 * The hourly cron's cleanup at `nowMs`: windows that are over, and the
 * client-key secrets of earlier days, so that on an idle deployment too no
 * row outlives by more than an hour the means to tie it back to an IP.
 */
export const deleteExpiredThrottleRows = (db: D1Database, nowMs: number): Promise<void> =>
  deleteExpiredFailures(db, nowMs - FAILURE_WINDOW_MS, dayOf(nowMs));
