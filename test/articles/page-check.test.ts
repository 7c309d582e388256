import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { CHECKER_USER_AGENT, checkPage, DEFAULT_PAGE_CHECK_LIMITS } from '../../src/articles/page-check';

// test/support/publisher-server.ts, on http://127.0.0.1:<port>.
const ORIGIN = inject('publisherOrigin');
const HOSTS = ['127.0.0.1'];
// Article keys of the server's pages: normalised, so https.
const KEY_ORIGIN = ORIGIN.replace('http:', 'https:');
const GOOD_KEY = `${KEY_ORIGIN}/article/good`;
const GOOD_METADATA = {
  title: 'Bridge closure extended to March',
  image: `${ORIGIN}/pictures/bridge.jpg`,
  section: 'Local',
  published: '2026-11-20T07:00:00.000Z',
};

describe('checkPage', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('should verify an article with its canonical and og tags', async () => {
    expect(await checkPage(`${ORIGIN}/article/good`, HOSTS)).toEqual({
      kind: 'verified',
      canonical: GOOD_KEY,
      pageUrl: `${ORIGIN}/article/good`,
      aliases: [],
      metadata: GOOD_METADATA,
    });
  });

  it('should keep another spelling of the URL the page reported as an alias', async () => {
    expect(await checkPage(`${ORIGIN}/article/good?utm_medium=social#comments`, HOSTS)).toEqual({
      kind: 'verified',
      canonical: GOOD_KEY,
      pageUrl: `${ORIGIN}/article/good`,
      aliases: [],
      metadata: GOOD_METADATA,
    });
    expect(await checkPage(`${ORIGIN}/article/good?page=2`, HOSTS)).toEqual({
      kind: 'verified',
      canonical: GOOD_KEY,
      pageUrl: `${ORIGIN}/article/good`,
      aliases: [`${GOOD_KEY}?page=2`],
      metadata: GOOD_METADATA,
    });
  });

  it('should send its own User-Agent and ask for HTML', async () => {
    const outcome = await checkPage(`${ORIGIN}/echo-headers`, HOSTS);
    expect(outcome.kind).toBe('verified');
    const sent = outcome.kind === 'verified' ? JSON.parse(outcome.metadata.title ?? '') : null;
    expect(sent).toEqual({ 'user-agent': CHECKER_USER_AGENT, accept: 'text/html' });
  });

  it('should follow redirects within the site and record the URLs that led there as aliases', async () => {
    expect(await checkPage(`${ORIGIN}/old-slug-twice`, HOSTS)).toEqual({
      kind: 'verified',
      canonical: GOOD_KEY,
      pageUrl: `${ORIGIN}/article/good`,
      aliases: [`${KEY_ORIGIN}/old-slug-twice`, `${KEY_ORIGIN}/old-slug`],
      metadata: GOOD_METADATA,
    });
  });

  it('should count a page declaring another canonical on the site for that canonical', async () => {
    expect(await checkPage(`${ORIGIN}/article/print`, HOSTS)).toEqual({
      kind: 'verified',
      canonical: GOOD_KEY,
      pageUrl: `${ORIGIN}/article/good`,
      aliases: [`${KEY_ORIGIN}/article/print`],
      metadata: { title: null, image: null, section: null, published: null },
    });
  });

  it('should take the title from <title> without the site name when there is no og:title', async () => {
    expect(await checkPage(`${ORIGIN}/article/plain`, HOSTS)).toEqual({
      kind: 'verified',
      canonical: `${KEY_ORIGIN}/article/plain`,
      pageUrl: `${ORIGIN}/article/plain`,
      aliases: [],
      metadata: { title: 'Ferry goes electric & quiet', image: null, section: null, published: null },
    });
  });

  it('should stop reading at <body>, however long the page goes on', async () => {
    expect(
      await checkPage(`${ORIGIN}/article/endless`, HOSTS, { ...DEFAULT_PAGE_CHECK_LIMITS, timeoutMs: 2_000 }),
    ).toEqual({
      kind: 'verified',
      canonical: `${KEY_ORIGIN}/article/endless`,
      pageUrl: `${ORIGIN}/article/endless`,
      aliases: [],
      metadata: { title: 'Live blog', image: null, section: null, published: null },
    });
  });

  it('should reject a page that is gone', async () => {
    expect(await checkPage(`${ORIGIN}/missing`, HOSTS)).toEqual({ kind: 'rejected', reason: 'The page answered 404.' });
  });

  it('should reject a redirect off the site without following it', async () => {
    expect(await checkPage(`${ORIGIN}/moved-away`, HOSTS)).toEqual({
      kind: 'rejected',
      reason: 'The page redirects off the site to evil.example.',
    });
    expect(await checkPage(`${ORIGIN}/moved-to-localhost`, HOSTS)).toEqual({
      kind: 'rejected',
      reason: 'The page redirects off the site to localhost.',
    });
  });

  it('should reject a canonical off the site', async () => {
    expect(await checkPage(`${ORIGIN}/article/canonical-away`, HOSTS)).toEqual({
      kind: 'rejected',
      reason: 'The canonical URL http://evil.example/article/good is off the site.',
    });
  });

  it('should never fetch a URL off the site', async () => {
    expect(await checkPage(`${ORIGIN}/article/good`, ['news.example'])).toEqual({
      kind: 'rejected',
      reason: 'The page URL is off the site (127.0.0.1).',
    });
    expect(await checkPage('ftp://127.0.0.1/article/good', HOSTS)).toEqual({
      kind: 'rejected',
      reason: 'The page URL is refused: The URL must be an absolute http(s) URL.',
    });
    expect(await checkPage(ORIGIN.replace('http://', 'http://desk:secret@'), HOSTS)).toEqual({
      kind: 'rejected',
      reason: 'The page URL is refused: The URL must not carry a user name or password.',
    });
  });

  it('should reject a redirect to something that is no http(s) URL', async () => {
    expect(await checkPage(`${ORIGIN}/moved-to-mail`, HOSTS)).toEqual({
      kind: 'rejected',
      reason: 'The page redirects to a refused URL: The URL must be an absolute http(s) URL.',
    });
    expect(await checkPage(`${ORIGIN}/moved-nowhere`, HOSTS)).toEqual({
      kind: 'rejected',
      reason: 'The page redirects to something that is not a URL.',
    });
  });

  it('should reject a redirect loop once past the redirect limit', async () => {
    expect(await checkPage(`${ORIGIN}/loop`, HOSTS)).toEqual({
      kind: 'rejected',
      reason: 'The page redirects more than 5 times.',
    });
  });

  it('should follow exactly as many redirects as the limit allows', async () => {
    const limits = { ...DEFAULT_PAGE_CHECK_LIMITS, maxRedirects: 2 };
    expect((await checkPage(`${ORIGIN}/old-slug-twice`, HOSTS, limits)).kind).toBe('verified');
    expect(await checkPage(`${ORIGIN}/old-slug-twice`, HOSTS, { ...limits, maxRedirects: 1 })).toEqual({
      kind: 'rejected',
      reason: 'The page redirects more than 1 times.',
    });
  });

  it('should read XHTML as HTML', async () => {
    expect(await checkPage(`${ORIGIN}/article/xhtml`, HOSTS)).toMatchObject({
      kind: 'verified',
      metadata: { title: 'In XHTML' },
    });
  });

  it('should reject a page that is not HTML', async () => {
    expect(await checkPage(`${ORIGIN}/data.json`, HOSTS)).toEqual({
      kind: 'rejected',
      reason: 'The page is not HTML (application/json).',
    });
    expect(await checkPage(`${ORIGIN}/untyped`, HOSTS)).toEqual({
      kind: 'rejected',
      reason: 'The page is not HTML (no Content-Type).',
    });
  });

  it('should reject a page in an encoding it cannot read', async () => {
    expect(await checkPage(`${ORIGIN}/article/utf-16`, HOSTS)).toEqual({
      kind: 'rejected',
      reason: 'The page cannot be read: Parser error: Expected ASCII-compatible encoding.',
    });
  });

  it('should reject a page whose head is larger than the byte limit', async () => {
    expect(await checkPage(`${ORIGIN}/article/huge`, HOSTS, { ...DEFAULT_PAGE_CHECK_LIMITS, maxBytes: 4_096 })).toEqual(
      {
        kind: 'rejected',
        reason: 'The page is larger than 4096 bytes before its <body>.',
      },
    );
  });

  it('should ask for a retry when the publisher is down or busy', async () => {
    expect(await checkPage(`${ORIGIN}/unavailable`, HOSTS)).toEqual({
      kind: 'retry',
      reason: 'The page answered 503.',
    });
    expect(await checkPage(`${ORIGIN}/busy`, HOSTS)).toEqual({ kind: 'retry', reason: 'The page answered 429.' });
  });

  // A real lost connection makes workerd print its own error lines, which no console spy catches.
  it('should ask for a retry when the connection fails', async () => {
    vi.spyOn(globalThis, 'fetch').mockRejectedValueOnce(new Error('Network connection lost.'));
    expect(await checkPage(`${ORIGIN}/article/good`, HOSTS)).toEqual({
      kind: 'retry',
      reason: 'The page could not be fetched: Network connection lost.',
    });
  });

  it('should ask for a retry when the page answers after the time limit', async () => {
    const limits = { ...DEFAULT_PAGE_CHECK_LIMITS, timeoutMs: 200 };
    const started = Date.now();
    expect(await checkPage(`${ORIGIN}/slow`, HOSTS, limits)).toEqual({
      kind: 'retry',
      reason: 'The page did not answer within 200 ms.',
    });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('should bound the whole check in time, reading the head included', async () => {
    const limits = { ...DEFAULT_PAGE_CHECK_LIMITS, timeoutMs: 300 };
    expect(await checkPage(`${ORIGIN}/slow-head`, HOSTS, limits)).toEqual({
      kind: 'retry',
      reason: 'The page did not answer within 300 ms.',
    });
  });
});
