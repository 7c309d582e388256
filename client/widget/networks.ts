// The browser's copy of the share-intent formats of src/networks.ts (the widget
// imports nothing from the server); test/networks.test.ts holds both to the
// same answers. Pure: no DOM, so that the Workers test suite can import it.

export const NETWORKS = [
  'x', 'facebook', 'linkedin', 'whatsapp', 'telegram', 'reddit', 'bluesky',
  'mastodon', 'threads', 'pinterest', 'email', 'copy', 'native',
] as const;

export type Network = (typeof NETWORKS)[number];
export type LinkNetwork = Exclude<Network, 'copy' | 'native'>;

export const NAMES: Record<LinkNetwork, string> = {
  x: 'X', facebook: 'Facebook', linkedin: 'LinkedIn', whatsapp: 'WhatsApp', telegram: 'Telegram',
  reddit: 'Reddit', bluesky: 'Bluesky', mastodon: 'Mastodon', threads: 'Threads', pinterest: 'Pinterest',
  email: 'Email',
};

export const isNetwork = (name: string): name is Network => (NETWORKS as readonly string[]).includes(name);

const query = (base: string, params: [string, string][]): string =>
  `${base}?${params
    .filter(([, value]) => value)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&')}`;

/** "Title URL", the title cut (by code points) so that the whole fits in `max`. */
export function titleAndUrl(title: string, url: string, max = Infinity): string {
  if (!title) return url;
  const room = max - Array.from(url).length - 1;
  const chars = Array.from(title);
  if (chars.length <= room) return `${title} ${url}`;
  return room > 1 ? `${chars.slice(0, room - 1).join('')}… ${url}` : url;
}

/** The network's documented share page for `url` (see src/networks.ts for the sources). */
export function shareUrl(network: LinkNetwork, url: string, title: string): string {
  switch (network) {
    case 'x':
      return query('https://x.com/intent/tweet', [['text', title], ['url', url]]);
    case 'facebook':
      return query('https://www.facebook.com/sharer/sharer.php', [['u', url]]);
    case 'linkedin':
      return query('https://www.linkedin.com/sharing/share-offsite/', [['url', url]]);
    case 'whatsapp':
      return query('https://wa.me/', [['text', titleAndUrl(title, url)]]);
    case 'telegram':
      return query('https://t.me/share/url', [['url', url], ['text', title]]);
    case 'reddit':
      return query('https://www.reddit.com/submit', [['url', url], ['title', title]]);
    case 'bluesky':
      return query('https://bsky.app/intent/compose', [['text', titleAndUrl(title, url, 300)]]);
    case 'mastodon':
      return query('https://share.joinmastodon.org/', [['text', titleAndUrl(title, url)]]);
    case 'threads':
      return query('https://www.threads.com/intent/post', [['text', title], ['url', url]]);
    case 'pinterest':
      return query('https://www.pinterest.com/pin/create/button/', [['url', url], ['description', title]]);
    case 'email':
      return query('mailto:', [['subject', title], ['body', url]]);
  }
}
