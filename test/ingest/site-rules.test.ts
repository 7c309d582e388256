import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/errors';
import { articleKey, reportedAddress, shareClickOrigin } from '../../src/ingest/site-rules';
import { DEFAULT_SETTINGS, type Site } from '../../src/sites/site-schema';

const SITE: Site = {
  id: 'news',
  name: 'News',
  hosts: ['news.example', 'www.news.example'],
  settings: DEFAULT_SETTINGS,
  created_at: '2026-11-01T00:00:00.000Z',
};
const SELF = 'https://sharepulse.example';
const ARTICLE = 'https://news.example/story';

/** The Referer of a click in our share embed made with these parameters. */
const embedPage = (params: Record<string, string>) => `${SELF}/embed/share?${new URLSearchParams(params)}`;

describe('shareClickOrigin', () => {
  it("should take a page of the site's hosts for its own origin, whatever article it shares", () => {
    expect(shareClickOrigin(SITE, ARTICLE, 'http://www.news.example/front', SELF)).toBe('http://www.news.example');
  });

  it('should take our embed of the article shared for the origin of that article', () => {
    expect(shareClickOrigin(SITE, ARTICLE, embedPage({ site: 'news', url: ARTICLE }), SELF)).toBe(
      'https://news.example',
    );
    // Made for another spelling of the same article.
    const spelling = embedPage({ site: 'news', url: 'http://NEWS.example/story?utm_source=feed#top' });
    expect(shareClickOrigin(SITE, ARTICLE, spelling, SELF)).toBe('https://news.example');
  });

  it('should not take our embed of another article of the site', () => {
    const other = embedPage({ site: 'news', url: 'https://news.example/other' });
    expect(shareClickOrigin(SITE, ARTICLE, other, SELF)).toBeNull();
  });

  it("should not take an embed of another site, another origin's page, nor no Referer", () => {
    expect(shareClickOrigin(SITE, ARTICLE, embedPage({ site: 'other', url: ARTICLE }), SELF)).toBeNull();
    expect(shareClickOrigin(SITE, ARTICLE, `https://evil.example/embed/share?site=news&url=${ARTICLE}`, SELF)).toBe(
      null,
    );
    expect(shareClickOrigin(SITE, ARTICLE, `${SELF}/demo?site=news&url=${ARTICLE}`, SELF)).toBeNull();
    expect(shareClickOrigin(SITE, ARTICLE, undefined, SELF)).toBeNull();
    expect(shareClickOrigin(SITE, ARTICLE, 'null', SELF)).toBeNull();
  });
});

describe('reportedAddress', () => {
  it('should keep the reported scheme and nothing else the client wrote', () => {
    expect(reportedAddress('https://news.example/a', 'http://news.example/a/?fbclid=x#top')).toBe(
      'http://news.example/a',
    );
    expect(reportedAddress('https://news.example/a', 'https://news.example/a?utm_source=x')).toBe(
      'https://news.example/a',
    );
    expect(reportedAddress('https://localhost:8787/demo/', 'http://LOCALHOST:8787/demo/index.html')).toBe(
      'http://localhost:8787/demo/',
    );
  });
});

describe('articleKey', () => {
  /** What articleKey throws for `url`, as the error shape's code and message. */
  const refusalOf = (url: string) => {
    try {
      articleKey(SITE, url);
    } catch (err) {
      if (err instanceof ApiError) return { code: err.code, message: err.message };
      throw err;
    }
    throw new Error(`${url} was taken`);
  };

  it("should answer the key of a URL on one of the site's hosts", () => {
    expect(articleKey(SITE, 'http://WWW.news.example/a?utm_source=x')).toBe('https://www.news.example/a');
  });

  it.each([
    ['a relative URL', '/a', 'The URL must be an absolute http(s) URL.'],
    [
      'a URL with a user name and password',
      'https://a:b@news.example/a',
      'The URL must not carry a user name or password.',
    ],
    [
      'a URL longer than 2,048 characters once normalised',
      `https://news.example/${'é'.repeat(400)}`,
      'The URL is longer than 2,048 characters once normalised.',
    ],
  ])('should refuse %s as invalid_url, saying why', (_, url, message) => {
    expect(refusalOf(url)).toEqual({ code: 'invalid_url', message });
  });

  it('should refuse a URL on another host as url_not_allowed', () => {
    expect(refusalOf('https://elsewhere.example/a')).toEqual({
      code: 'url_not_allowed',
      message: 'URL host elsewhere.example is not a host of site news.',
    });
  });
});
