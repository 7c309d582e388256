import { sha256Hex, toHex } from '../hashing/hex';

// JSON of an array keeps the parts apart whatever characters they hold.
const digest = (parts: readonly string[], byteCount?: number): Promise<string> =>
  sha256Hex(JSON.stringify(parts), byteCount);

/**
 * The cookieless visitor id of API.md: a hash of the day's secret salt, the
 * site, the client IP and the User-Agent. The inputs cannot be recovered from it,
 * and it changes with the salt every UTC day.
 */
export function visitorHash(saltHex: string, site: string, ip: string, userAgent: string): Promise<string> {
  return digest([saltHex, site, ip, userAgent]);
}

/**
 * The key under which a visitor's event is counted once per day: one per
 * article for views and reads, one per article and network for shares, and
 * one per article and `sp_from` value (as `network`) for a click in a
 * popular box. 128 bits of the hash (the first half of its hex), plenty to
 * keep keys apart at half the storage.
 */
export function dedupKey(
  visitor: string,
  url: string,
  type: 'view' | 'share' | 'read' | 'click',
  network: string,
): Promise<string> {
  return digest([visitor, url, type, network], 16);
}

/** 32 random bytes as hex: a new daily salt. */
export function newSalt(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(32)));
}
