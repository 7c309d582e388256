import { ApiError } from '../errors';
import { dayOf } from '../time';

const encoder = new TextEncoder();

let cachedDayKey: { secret: string; day: number; key: Promise<CryptoKey> } | undefined;

/**
 * The flood guard's HMAC key for UTC day `day`, derived (HKDF-SHA-256) from
 * the Worker's secret: every isolate of every location derives the same key
 * without asking anyone, as the limiter's counters must agree across the
 * isolates of a location, and no one without the secret can derive it.
 * Kept for the day in the isolate.
 */
function dayKey(secret: string, day: number): Promise<CryptoKey> {
  if (cachedDayKey?.secret !== secret || cachedDayKey.day !== day) {
    const key = crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey']).then((material) =>
      crypto.subtle.deriveKey(
        {
          name: 'HKDF',
          hash: 'SHA-256',
          salt: encoder.encode('sharepulse flood guard'),
          info: encoder.encode(`day ${day}`),
        },
        material,
        { name: 'HMAC', hash: 'SHA-256', length: 256 },
        false,
        ['sign'],
      ),
    );
    cachedDayKey = { secret, day, key };
  }
  return cachedDayKey.key;
}

/**
 * The key under which the limiter counts a client's requests to a site on
 * UTC day `day`: an HMAC of site and IP with that day's key. Without the
 * secret it can neither be computed from a site and an IP nor reversed over
 * the IPv4 space, and a client's keys of two days cannot be linked.
 */
export async function limiterKey(secret: string, day: number, site: string, ip: string): Promise<string> {
  // JSON of an array keeps the parts apart whatever characters they hold.
  const mac = await crypto.subtle.sign('HMAC', await dayKey(secret, day), encoder.encode(JSON.stringify([site, ip])));
  return btoa(String.fromCharCode(...new Uint8Array(mac).slice(0, 16)));
}

/**
 * The per-visitor flood guard: requests per client IP and site, counted by the
 * Rate Limiting binding under `limiterKey`, so the limiter never holds an IP.
 * The key is derived from `ADMIN_TOKEN`, the Worker's one secret.
 */
export async function checkVisitorLimit(env: Env, siteIds: string[], ip: string): Promise<void> {
  if (!env.ADMIN_TOKEN) throw new Error('ADMIN_TOKEN is not set: the flood guard keys its counters with it.');
  const day = dayOf(Date.now());
  for (const site of siteIds) {
    const key = await limiterKey(env.ADMIN_TOKEN, day, site, ip);
    const { success } = await env.VISITOR_LIMITER.limit({ key });
    if (!success)
      throw new ApiError('rate_limited', 'Too many events from this client for this site; try again in a minute.');
  }
}
