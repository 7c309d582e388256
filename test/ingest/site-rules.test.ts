import { describe, expect, it } from 'vitest';
import { shareClickOrigin } from '../../src/ingest/site-rules';
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
