// The beacons the load benchmarks send, as autocannon request specs.

const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36';

/** Addresses in 198.18.0.0/15, the benchmarking range of RFC 2544 (RFC 5735). */
const IPV4_VISITORS = 2 ** 17;

/**
 * Visitor `n`'s own address, as a reader's `CF-Connecting-IP` (Miniflare passes
 * the header through when a request has one): even visitors from
 * 198.18.0.0/15 while it lasts, the rest each from its own /64 of 2001:db8::/32
 * (the documentation prefix, RFC 3849), as the per-IP cap counts an IPv6 /64
 * as one address. No two visitors below 2^32 share an address or a /64.
 *
 * @example
 * visitorIp(0)  // '198.18.0.0'
 * visitorIp(3)  // '2001:db8:0:3::1'
 */
export function visitorIp(n) {
  if (n % 2 === 0 && n / 2 < IPV4_VISITORS) {
    const v4 = n / 2;
    return `198.${18 + (v4 >> 16)}.${(v4 >> 8) & 255}.${v4 & 255}`;
  }
  return `2001:db8:${((n >>> 16) & 0xffff).toString(16)}:${(n & 0xffff).toString(16)}::1`;
}

/**
 * Autocannon's request spec for beacons to the events endpoint from
 * `https://${host}`, each request's sender and event from `beacon()`:
 * { ip, userAgent, event }.
 */
function beaconRequests(host, beacon) {
  return [
    {
      method: 'POST',
      path: '/api/v1/events',
      setupRequest: (request) => {
        const { ip, userAgent, event } = beacon();
        return {
          ...request,
          headers: {
            'Content-Type': 'text/plain;charset=UTF-8',
            Origin: `https://${host}`,
            'CF-Connecting-IP': ip,
            'User-Agent': userAgent,
          },
          body: JSON.stringify(event),
        };
      },
    },
  ];
}

/**
 * Beacons of one view each, from `https://${host}`. `next` numbers them across
 * every run of a bench, so that each is a new visitor (its own User-Agent, and
 * by default its own IP: `ip(n)`) and none is deduplicated; article
 * `n % articles`. A bot's beacon is accepted and not counted (the path
 * without the shard).
 */
export function viewBeacons({ site, host, articles, next, bot = false, ip = visitorIp }) {
  return beaconRequests(host, () => {
    const n = next();
    return {
      ip: ip(n),
      userAgent: bot ? `Googlebot/2.1 (+http://www.google.com/bot.html) v${n}` : `${BROWSER_UA} v${n}`,
      event: { site, type: 'view', url: `https://${host}/story-${n % articles}` },
    };
  });
}

/**
 * View beacons of `views` ({ reader, article } each), one per request, in
 * order: reader `r` is the same visitor whenever it comes (its User-Agent and
 * `visitorIp(r)`), so a reader viewing an article again the same UTC day is
 * a repeat. Each carries a title and section, as the widget sends them.
 */
export function readerBeacons({ site, host, views }) {
  let next = 0;
  return beaconRequests(host, () => {
    const { reader, article } = views[next++ % views.length];
    return {
      ip: visitorIp(reader),
      userAgent: `${BROWSER_UA} v${reader}`,
      event: {
        site,
        type: 'view',
        url: `https://${host}/story-${article}`,
        title: `Story ${article}: a synthetic headline of a usual length for a news site`,
        section: 'news',
      },
    };
  });
}
