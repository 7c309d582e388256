// The beacons the load benchmarks send, as autocannon request specs.

const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36';

/**
 * Beacons of one view each, from `https://${host}`. `next` numbers them across
 * every run of a bench, so that each is a new visitor (IP and User-Agent) and
 * none is deduplicated; article `n % articles`. A bot's beacon is accepted and
 * not counted (the path without the shard).
 */
export function viewBeacons({ site, host, articles, next, bot = false }) {
  return [
    {
      method: 'POST',
      path: '/api/v1/events',
      setupRequest: (request) => {
        const n = next();
        return {
          ...request,
          headers: {
            'Content-Type': 'text/plain;charset=UTF-8',
            Origin: `https://${host}`,
            'CF-Connecting-IP': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
            'User-Agent': bot ? `Googlebot/2.1 (+http://www.google.com/bot.html) v${n}` : `${BROWSER_UA} v${n}`,
          },
          body: JSON.stringify({ site, type: 'view', url: `https://${host}/story-${n % articles}` }),
        };
      },
    },
  ];
}
