import { daySecret, type FailureWindow, readFailures, recordFailure } from '../db/auth-failures';
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

/** Seconds before `window`'s client may have a token checked again; 0 when it may now. */
export function retryAfterSeconds(window: FailureWindow | null, nowMs: number): number {
  if (!window || window.failures < MAX_FAILURES) return 0;
  return Math.max(1, Math.ceil((window.window_start + FAILURE_WINDOW_MS - nowMs) / 1000));
}

const encoder = new TextEncoder();
const toHex = (bytes: ArrayBuffer | Uint8Array): string =>
  Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, '0')).join('');

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
  return toHex(new Uint8Array(mac).slice(0, 16));
}

/** A client looked up before its token is checked. */
export interface FailureCheck {
  client: string;
  /** 0 when its token may be checked; otherwise the seconds to wait, for `Retry-After`. */
  retryAfterSeconds: number;
}

export async function checkFailures(db: D1Database, ip: string, nowMs: number): Promise<FailureCheck> {
  const client = await clientKey(db, ip, nowMs);
  const window = await readFailures(db, client, nowMs - FAILURE_WINDOW_MS);
  return { client, retryAfterSeconds: retryAfterSeconds(window, nowMs) };
}

/** Counts a wrong token against `client`; windows that are over are deleted on the way. */
export const noteFailure = (db: D1Database, client: string, nowMs: number): Promise<void> =>
  recordFailure(db, client, nowMs, nowMs - FAILURE_WINDOW_MS);
