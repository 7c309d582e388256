/** Every network a share can be counted for (API.md "Networks"). */
export const NETWORKS = [
  'x',
  'facebook',
  'linkedin',
  'whatsapp',
  'telegram',
  'reddit',
  'bluesky',
  'mastodon',
  'threads',
  'pinterest',
  'email',
  'copy',
  'native',
] as const;

export type Network = (typeof NETWORKS)[number];

export const isNetwork = (name: string): name is Network => (NETWORKS as readonly string[]).includes(name);

/** Networks that share through a page of their own; `copy` and `native` happen in the browser. */
export type LinkNetwork = Exclude<Network, 'copy' | 'native'>;

export const NETWORK_LABELS: Record<Network, string> = {
  x: 'X',
  facebook: 'Facebook',
  linkedin: 'LinkedIn',
  whatsapp: 'WhatsApp',
  telegram: 'Telegram',
  reddit: 'Reddit',
  bluesky: 'Bluesky',
  mastodon: 'Mastodon',
  threads: 'Threads',
  pinterest: 'Pinterest',
  email: 'Email',
  copy: 'Copy link',
  native: 'Share…',
};

export const isLinkNetwork = (network: Network): network is LinkNetwork => network !== 'copy' && network !== 'native';

/** Bluesky's post limit (300 graphemes); a share text longer than that cannot be posted as is. */
export const BLUESKY_MAX_TEXT = 300;

// Percent-encoding throughout (a space is %20, never the + of form encoding):
// what every network's documentation shows, and what mailto requires.
const withQuery = (base: string, params: Record<string, string>): string =>
  `${base}?${Object.entries(params)
    .filter(([, value]) => value !== '')
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&')}`;

/**
 * "Title URL" for networks that take one text, with the title cut (code
 * points, each at most one grapheme) so that the whole fits in `max`.
 */
export function titleAndUrl(title: string, url: string, max = Infinity): string {
  if (!title) return url;
  const room = max - Array.from(url).length - 1;
  const chars = Array.from(title);
  if (chars.length <= room) return `${title} ${url}`;
  return room > 1 ? `${chars.slice(0, room - 1).join('')}… ${url}` : url;
}

/**
 * The network's documented share-intent URL for an article. The target is
 * always the network's own fixed address: only the query carries user input.
 * Formats, as each network documents them:
 * - x: `x.com/intent/tweet?text&url` (X "Web intent")
 * - facebook: `facebook.com/sharer/sharer.php?u` (the address of Facebook's
 *   Share button; the documented `dialog/share` needs an app id)
 * - linkedin: `linkedin.com/sharing/share-offsite/?url`
 * - whatsapp: `wa.me/?text` (WhatsApp "click to chat", no phone number)
 * - telegram: `t.me/share/url?url&text` (Telegram "Sharing Button")
 * - reddit: `reddit.com/submit?url&title`
 * - bluesky: `bsky.app/intent/compose?text`, at most 300 graphemes (Bluesky "Action Intent Links")
 * - mastodon: `share.joinmastodon.org/?text` (Mastodon's own share page, which
 *   asks the reader for their server and hands over to its `/share?text`)
 * - threads: `threads.com/intent/post?text&url` (Threads "Web Intents")
 * - pinterest: `pinterest.com/pin/create/button/?url&description` (Pinterest Save button)
 * - email: `mailto:?subject&body` (RFC 6068)
 *
 * @example
 * shareUrl('x', 'https://news.example/a', 'Hello') // 'https://x.com/intent/tweet?text=Hello&url=https%3A%2F%2Fnews.example%2Fa'
 */
export function shareUrl(network: LinkNetwork, url: string, title = ''): string {
  switch (network) {
    case 'x':
      return withQuery('https://x.com/intent/tweet', { text: title, url });
    case 'facebook':
      return withQuery('https://www.facebook.com/sharer/sharer.php', { u: url });
    case 'linkedin':
      return withQuery('https://www.linkedin.com/sharing/share-offsite/', { url });
    case 'whatsapp':
      return withQuery('https://wa.me/', { text: titleAndUrl(title, url) });
    case 'telegram':
      return withQuery('https://t.me/share/url', { url, text: title });
    case 'reddit':
      return withQuery('https://www.reddit.com/submit', { url, title });
    case 'bluesky':
      return withQuery('https://bsky.app/intent/compose', { text: titleAndUrl(title, url, BLUESKY_MAX_TEXT) });
    case 'mastodon':
      return withQuery('https://share.joinmastodon.org/', { text: titleAndUrl(title, url) });
    case 'threads':
      return withQuery('https://www.threads.com/intent/post', { text: title, url });
    case 'pinterest':
      return withQuery('https://www.pinterest.com/pin/create/button/', { url, description: title });
    case 'email':
      return withQuery('mailto:', { subject: title, body: url });
  }
}
