import { describe, expect, it } from 'vitest';
import {
  BLUESKY_MAX_TEXT,
  isLinkNetwork,
  isNetwork,
  type LinkNetwork,
  NETWORKS,
  shareUrl,
  titleAndUrl,
} from '../../common/networks';

const URL_ = 'https://news.example/politics/vote?id=7&page=2';
const TITLE = 'Council says “yes” & 50% agree #vote';

/** A share URL's fixed part (scheme, host, path) and its decoded parameters. */
function parts(href: string) {
  const url = new URL(href);
  const base = url.protocol === 'mailto:' ? 'mailto:' : `${url.origin}${url.pathname}`;
  return { base, params: Object.fromEntries(url.searchParams), query: url.search };
}

// Each network's share intent as its own documentation gives it.
const DOCUMENTED: Record<
  LinkNetwork,
  { base: string; params: (url: string, title: string) => Record<string, string> }
> = {
  // X "Web intent": https://x.com/intent/tweet with text, url.
  x: { base: 'https://x.com/intent/tweet', params: (url, title) => ({ text: title, url }) },
  // The address Facebook's Share button links to: sharer.php?u=.
  facebook: { base: 'https://www.facebook.com/sharer/sharer.php', params: (url) => ({ u: url }) },
  // LinkedIn's share link: /sharing/share-offsite/?url=.
  linkedin: { base: 'https://www.linkedin.com/sharing/share-offsite/', params: (url) => ({ url }) },
  // WhatsApp click to chat without a number: https://wa.me/?text=urlencodedtext.
  whatsapp: { base: 'https://wa.me/', params: (url, title) => ({ text: `${title} ${url}` }) },
  // Telegram "Sharing Button", custom buttons: https://t.me/share/url?url={url}&text={text}.
  telegram: { base: 'https://t.me/share/url', params: (url, title) => ({ url, text: title }) },
  // Reddit's submit page: /submit?url=&title=.
  reddit: { base: 'https://www.reddit.com/submit', params: (url, title) => ({ url, title }) },
  // Bluesky "Action Intent Links": https://bsky.app/intent/compose?text=.
  bluesky: { base: 'https://bsky.app/intent/compose', params: (url, title) => ({ text: `${title} ${url}` }) },
  // Mastodon's own share page (share.joinmastodon.org), which takes an instance's /share?text=.
  mastodon: { base: 'https://share.joinmastodon.org/', params: (url, title) => ({ text: `${title} ${url}` }) },
  // Threads "Web Intents": https://www.threads.com/intent/post with text, url.
  threads: { base: 'https://www.threads.com/intent/post', params: (url, title) => ({ text: title, url }) },
  // Pinterest Save button: /pin/create/button/ with url, description.
  pinterest: {
    base: 'https://www.pinterest.com/pin/create/button/',
    params: (url, title) => ({ url, description: title }),
  },
  // RFC 6068: mailto:?subject=…&body=…
  email: { base: 'mailto:', params: (url, title) => ({ subject: title, body: url }) },
};

const LINK_NETWORKS = NETWORKS.filter(isLinkNetwork);

describe('shareUrl', () => {
  it('should cover every network that has a share page, and only those', () => {
    expect(LINK_NETWORKS).toEqual(Object.keys(DOCUMENTED));
    expect(NETWORKS.filter((n) => !isLinkNetwork(n))).toEqual(['copy', 'native']);
  });

  for (const network of LINK_NETWORKS) {
    it(`should build ${network}'s documented share intent`, () => {
      const href = shareUrl(network, URL_, TITLE);
      const { base, params, query } = parts(href);
      expect(base).toBe(DOCUMENTED[network].base);
      expect(params).toEqual(DOCUMENTED[network].params(URL_, TITLE));
      // Percent-encoded, never the + of form encoding (mailto and several intents read + literally).
      expect(query).not.toContain('+');
      expect(href).toContain(encodeURIComponent(URL_));
    });

    it(`should leave an empty title out of ${network}'s intent`, () => {
      const { base, params } = parts(shareUrl(network, URL_));
      expect(base).toBe(DOCUMENTED[network].base);
      const expected = Object.fromEntries(
        Object.entries(DOCUMENTED[network].params(URL_, ''))
          .filter(([, value]) => value !== '')
          .map(([k, v]) => [k, v.trim()]),
      );
      expect(params).toEqual(expected);
    });
  }

  it('should keep an article URL with a fragment or an @ a parameter of the network page', () => {
    for (const network of LINK_NETWORKS) {
      const url = 'https://news.example/a?x=1#@evil.example/';
      const { base, params } = parts(shareUrl(network, url, 'T'));
      expect(base).toBe(DOCUMENTED[network].base);
      expect(Object.values(params).some((value) => value.includes(url))).toBe(true);
    }
  });

  it("should cut a long title so that Bluesky's text fits its 300 characters, keeping the whole URL", () => {
    const title = 'word '.repeat(200);
    const { params } = parts(shareUrl('bluesky', URL_, title));
    expect(Array.from(params.text!).length).toBeLessThanOrEqual(BLUESKY_MAX_TEXT);
    expect(params.text!.endsWith(`… ${URL_}`)).toBe(true);
  });

  it('should cut by code points, never splitting an emoji', () => {
    const text = titleAndUrl('😀'.repeat(20), 'https://n.example/a', 30);
    expect(Array.from(text).length).toBe(30);
    expect(text).toBe(`${'😀'.repeat(9)}… https://n.example/a`);
    expect(titleAndUrl('Short', 'https://n.example/a', 30)).toBe('Short https://n.example/a');
  });
});

describe('isNetwork', () => {
  it('should accept every network by its exact name, and nothing else', () => {
    for (const network of NETWORKS) expect(isNetwork(network)).toBe(true);
    for (const name of ['', 'X', ' x', 'twitter', 'toString', '__proto__']) expect(isNetwork(name)).toBe(false);
  });
});
