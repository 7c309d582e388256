/**
 * The part of a client IP that stands for one machine or network when a
 * client's readers are capped and flood-guarded: an IPv4 address whole, an
 * IPv6 address's /64 (one subscriber's network; the rest of the address is
 * the client's to choose), written in full lower-case hex so that every
 * spelling of one /64 is one scope. Anything else (an empty or malformed
 * header) is its own scope, as sent.
 *
 * @example
 * ipScope('198.51.100.7')             // '198.51.100.7'
 * ipScope('2001:DB8:0:1::abcd')       // '2001:0db8:0000:0001::/64'
 * ipScope('::ffff:198.51.100.7')      // '198.51.100.7'
 */
export function ipScope(ip: string): string {
  const trimmed = ip.trim();
  if (!trimmed.includes(':')) return trimmed;
  const groups = expandIpv6(trimmed.replace(/^\[|\]$/g, '').split('%')[0]!);
  if (groups === null) return trimmed;
  // An IPv4-mapped address (::ffff:a.b.c.d) is the IPv4 client it maps.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16).padStart(4, '0'))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, or null if it is not one. */
function expandIpv6(address: string): number[] | null {
  let text = address.toLowerCase();
  // A trailing dotted IPv4 part stands for the last two groups.
  const v4 = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const bytes = v4.slice(2).map(Number);
    if (bytes.some((b) => b > 255)) return null;
    text = `${v4[1]}${((bytes[0]! << 8) | bytes[1]!).toString(16)}:${((bytes[2]! << 8) | bytes[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === '' ? [] : part.split(':'));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => Number.parseInt(g, 16));
}
