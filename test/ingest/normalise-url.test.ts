import { describe, expect, it } from 'vitest';
import { MAX_URL_LENGTH, normaliseOrRefuse, normaliseUrl } from '../../src/ingest/normalise-url';

describe('normaliseUrl', () => {
  it.each([
    ['should lower-case scheme and host', 'HTTPS://News.EXAMPLE/Politics/Story', 'https://news.example/Politics/Story'],
    ['should drop the default https port', 'https://news.example:443/a', 'https://news.example/a'],
    ['should drop the default http port', 'http://news.example:80/a', 'https://news.example/a'],
    ['should keep a non-default port', 'https://news.example:8443/a', 'https://news.example:8443/a'],
    ['should drop the fragment', 'https://news.example/a#comments', 'https://news.example/a'],
    ['should write http as https', 'http://news.example/a', 'https://news.example/a'],
    ['should keep a trailing slash significant', 'https://news.example/a/', 'https://news.example/a/'],
    ['should drop a trailing index.html', 'https://news.example/a/index.html', 'https://news.example/a/'],
    ['should drop a trailing index.htm', 'https://news.example/index.htm', 'https://news.example/'],
    ['should keep index.html inside a path', 'https://news.example/index.html/x', 'https://news.example/index.html/x'],
    [
      'should sort the remaining parameters',
      'https://news.example/a?b=2&a=1&c=3',
      'https://news.example/a?a=1&b=2&c=3',
    ],
    [
      'should drop every tracking parameter',
      'https://news.example/a?utm_source=x&utm_medium=y&utm_campaign=z&utm_content=c&utm_term=t&fbclid=1&gclid=2&dclid=3&msclkid=4&mc_cid=5&mc_eid=6&igshid=7&ref_src=8&_ga=9&id=42',
      'https://news.example/a?id=42',
    ],
    [
      'should drop the popular box\u2019s sp_from, which says where the reader came from, not what they read',
      'https://news.example/a?sp_from=views-24h.3&id=42',
      'https://news.example/a?id=42',
    ],
    [
      'should drop a question mark left with no parameters',
      'https://news.example/a?utm_source=x',
      'https://news.example/a',
    ],
    [
      'should treat an unknown utm_ parameter as tracking',
      'https://news.example/a?utm_id=1&p=2',
      'https://news.example/a?p=2',
    ],
    [
      'should keep parameters that only look like tracking',
      'https://news.example/a?ga=1&ref=x',
      'https://news.example/a?ga=1&ref=x',
    ],
    ['should keep path case', 'https://news.example/World/UK', 'https://news.example/World/UK'],
    [
      'should apply every rule at once',
      'HTTP://News.Example:80/a/index.html?utm_source=x&b=2&a=1#top',
      'https://news.example/a/?a=1&b=2',
    ],
  ])('%s', (_, input, expected) => {
    expect(normaliseUrl(input)).toBe(expected);
  });

  it('should give every spelling of one article the same key', () => {
    const spellings = [
      'https://news.example/story?id=7',
      'http://news.example/story?id=7',
      'https://NEWS.example:443/story?id=7#top',
      'https://news.example/story?utm_source=newsletter&id=7&fbclid=abc',
      'https://news.example/story?id=7&sp_from=trending.1',
    ];
    expect(new Set(spellings.map(normaliseUrl))).toEqual(new Set(['https://news.example/story?id=7']));
  });

  it.each(['', 'not a url', '/relative/path', 'ftp://news.example/a', 'javascript:alert(1)', 'mailto:a@news.example'])(
    'should refuse %j',
    (input) => {
      expect(normaliseUrl(input)).toBeNull();
    },
  );
});

describe('normaliseOrRefuse', () => {
  it('should answer the key of a URL it takes', () => {
    expect(normaliseOrRefuse('HTTP://News.Example/a?utm_source=x#top')).toEqual({
      ok: true,
      url: 'https://news.example/a',
    });
  });

  it.each(['https://a:b@news.example/', 'https://editor@news.example/a', 'http://:secret@news.example/a'])(
    'should refuse %j, a URL with a user name or password',
    (input) => {
      expect(normaliseOrRefuse(input)).toEqual({
        ok: false,
        refusal: 'The URL must not carry a user name or password.',
      });
      expect(normaliseUrl(input)).toBeNull();
    },
  );

  it('should refuse what is not an absolute http(s) URL', () => {
    expect(normaliseOrRefuse('/a')).toEqual({ ok: false, refusal: 'The URL must be an absolute http(s) URL.' });
  });

  it('should take a key of 2,048 characters and refuse one that percent-encoding makes longer', () => {
    const base = 'https://news.example/';
    const longest = `${base}${'a'.repeat(MAX_URL_LENGTH - base.length)}`;
    expect(normaliseOrRefuse(longest)).toEqual({ ok: true, url: longest });
    // 2,000 characters as sent; each é is six once percent-encoded.
    const grown = `${base}${'é'.repeat(2000 - base.length)}`;
    expect(grown).toHaveLength(2000);
    expect(normaliseOrRefuse(grown)).toEqual({
      ok: false,
      refusal: 'The URL is longer than 2,048 characters once normalised.',
    });
  });

  it('should measure the key, not what was sent: tracking parameters dropped can bring it under the limit', () => {
    const key = `https://news.example/${'a'.repeat(2000)}`;
    expect(normaliseOrRefuse(`${key}?utm_source=${'x'.repeat(100)}`)).toEqual({ ok: true, url: key });
  });
});
