/** Every network a share can be counted for (API.md "Networks"). */
export const NETWORKS = [
  'x', 'facebook', 'linkedin', 'whatsapp', 'telegram', 'reddit', 'bluesky',
  'mastodon', 'threads', 'pinterest', 'email', 'copy', 'native',
] as const;

export type Network = (typeof NETWORKS)[number];

/** Networks that share through a page of their own; `copy` and `native` happen in the browser. */
export type LinkNetwork = Exclude<Network, 'copy' | 'native'>;

export const NETWORK_LABELS: Record<Network, string> = {
  x: 'X', facebook: 'Facebook', linkedin: 'LinkedIn', whatsapp: 'WhatsApp', telegram: 'Telegram',
  reddit: 'Reddit', bluesky: 'Bluesky', mastodon: 'Mastodon', threads: 'Threads',
  pinterest: 'Pinterest', email: 'Email', copy: 'Copy link', native: 'Share…',
};

export const isLinkNetwork = (network: Network): network is LinkNetwork =>
  network !== 'copy' && network !== 'native';

const withQuery = (base: string, params: Record<string, string>): string =>
  `${base}?${new URLSearchParams(params).toString()}`;

const textAndUrl = (title: string, url: string): string => (title ? `${title} ${url}` : url);

/**
 * The network's documented share-intent URL for an article. The target is
 * always the network's own fixed address: only the query carries user input.
 *
 * @example
 * shareUrl('x', 'https://news.example/a', 'Hello') // 'https://x.com/intent/tweet?url=…&text=Hello'
 */
export function shareUrl(network: LinkNetwork, url: string, title = ''): string {
  switch (network) {
    case 'x':
      return withQuery('https://x.com/intent/tweet', title ? { url, text: title } : { url });
    case 'facebook':
      return withQuery('https://www.facebook.com/sharer/sharer.php', { u: url });
    case 'linkedin':
      return withQuery('https://www.linkedin.com/sharing/share-offsite/', { url });
    case 'whatsapp':
      return withQuery('https://api.whatsapp.com/send', { text: textAndUrl(title, url) });
    case 'telegram':
      return withQuery('https://t.me/share/url', title ? { url, text: title } : { url });
    case 'reddit':
      return withQuery('https://www.reddit.com/submit', title ? { url, title } : { url });
    case 'bluesky':
      return withQuery('https://bsky.app/intent/compose', { text: textAndUrl(title, url) });
    case 'mastodon':
      // Mastodon has no central instance; the share page asks the reader for theirs.
      return withQuery('https://mastodonshare.com/', title ? { text: title, url } : { url });
    case 'threads':
      return withQuery('https://www.threads.net/intent/post', { text: textAndUrl(title, url) });
    case 'pinterest':
      return withQuery('https://www.pinterest.com/pin/create/button/', title ? { url, description: title } : { url });
    case 'email':
      // mailto wants %20, not the + of form encoding.
      return `mailto:?subject=${encodeURIComponent(title)}&body=${encodeURIComponent(url)}`;
  }
}
