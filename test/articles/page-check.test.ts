import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import type { ArticleMetadata } from '../../src/articles/metadata';
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

/** The verdict on the server's page at `path`, its own canonical, with what it told of itself and `aliases`. */
const verifiedAt = (path: string, metadata: Partial<ArticleMetadata>, aliases: string[] = []) => ({
  kind: 'verified',
  canonical: `${KEY_ORIGIN}${path}`,
  pageUrl: `${ORIGIN}${path}`,
  aliases,
  metadata: { title: null, image: null, section: null, published: null, ...metadata },
});

/** The verdict on a page that is no article of the site, or could not be read as one. */
const rejected = (reason: string) => ({ kind: 'rejected', reason });

describe('checkPage', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('should verify an article with its canonical and og tags', async () => {
    expect(await checkPage(`${ORIGIN}/article/good`, HOSTS)).toEqual(verifiedAt('/article/good', GOOD_METADATA));
  });

  it('should keep another spelling of the URL the page reported as an alias', async () => {
    expect(await checkPage(`${ORIGIN}/article/good?utm_medium=social#comments`, HOSTS)).toEqual(
      verifiedAt('/article/good', GOOD_METADATA),
    );
    expect(await checkPage(`${ORIGIN}/article/good?page=2`, HOSTS)).toEqual(
      verifiedAt('/article/good', GOOD_METADATA, [`${GOOD_KEY}?page=2`]),
    );
  });

  it('should send its own User-Agent and ask for HTML', async () => {
    const outcome = await checkPage(`${ORIGIN}/echo-headers`, HOSTS);
    expect(outcome.kind).toBe('verified');
    const sent = outcome.kind === 'verified' ? JSON.parse(outcome.metadata.title ?? '') : null;
    expect(sent).toEqual({ 'user-agent': CHECKER_USER_AGENT, accept: 'text/html' });
  });

  it('should follow redirects within the site and record the URLs that led there as aliases', async () => {
    expect(await checkPage(`${ORIGIN}/old-slug-twice`, HOSTS)).toEqual(
      verifiedAt('/article/good', GOOD_METADATA, [`${KEY_ORIGIN}/old-slug-twice`, `${KEY_ORIGIN}/old-slug`]),
    );
  });

  it('should count a page declaring another canonical on the site for that canonical', async () => {
    expect(await checkPage(`${ORIGIN}/article/print`, HOSTS)).toEqual(
      verifiedAt('/article/good', {}, [`${KEY_ORIGIN}/article/print`]),
    );
  });

  it('should take the title from <title> without the site name when there is no og:title', async () => {
    expect(await checkPage(`${ORIGIN}/article/plain`, HOSTS)).toEqual(
      verifiedAt('/article/plain', { title: 'Ferry goes electric & quiet' }),
    );
  });

  it('should stop reading at <body>, however long the page goes on', async () => {
    expect(
      await checkPage(`${ORIGIN}/article/endless`, HOSTS, { ...DEFAULT_PAGE_CHECK_LIMITS, timeoutMs: 2_000 }),
    ).toEqual(verifiedAt('/article/endless', { title: 'Live blog' }));
  });

  it('should reject a page that is gone', async () => {
    expect(await checkPage(`${ORIGIN}/missing`, HOSTS)).toEqual(rejected('The page answered 404.'));
  });

  it('should reject a redirect off the site without following it', async () => {
    expect(await checkPage(`${ORIGIN}/moved-away`, HOSTS)).toEqual(
      rejected('The page redirects off the site to evil.example.'),
    );
    expect(await checkPage(`${ORIGIN}/moved-to-localhost`, HOSTS)).toEqual(
      rejected('The page redirects off the site to localhost.'),
    );
  });

  it('should reject a canonical off the site', async () => {
    expect(await checkPage(`${ORIGIN}/article/canonical-away`, HOSTS)).toEqual(
      rejected('The canonical URL http://evil.example/article/good is off the site.'),
    );
  });

  it('should fetch a site\u2019s page only on its scheme\u2019s own port, but on loopback', async () => {
    const fetches = vi.spyOn(globalThis, 'fetch');
    expect(await checkPage('https://news.example:8080/admin', ['news.example'])).toEqual(
      rejected('The page URL is off the site (news.example).'),
    );
    expect(fetches).not.toHaveBeenCalled();
    expect((await checkPage(`${ORIGIN}/article/good`, HOSTS)).kind).toBe('verified');
  });

  it('should never fetch a URL off the site', async () => {
    expect(await checkPage(`${ORIGIN}/article/good`, ['news.example'])).toEqual(
      rejected('The page URL is off the site (127.0.0.1).'),
    );
    expect(await checkPage('ftp://127.0.0.1/article/good', HOSTS)).toEqual(
      rejected('The page URL is refused: The URL must be an absolute http(s) URL.'),
    );
    expect(await checkPage(ORIGIN.replace('http://', 'http://desk:secret@'), HOSTS)).toEqual(
      rejected('The page URL is refused: The URL must not carry a user name or password.'),
    );
  });

  it('should reject a redirect to something that is no http(s) URL', async () => {
    expect(await checkPage(`${ORIGIN}/moved-to-mail`, HOSTS)).toEqual(
      rejected('The page redirects to a refused URL: The URL must be an absolute http(s) URL.'),
    );
    expect(await checkPage(`${ORIGIN}/moved-nowhere`, HOSTS)).toEqual(
      rejected('The page redirects to something that is not a URL.'),
    );
  });

  it('should reject a redirect loop once past the redirect limit', async () => {
    expect(await checkPage(`${ORIGIN}/loop`, HOSTS)).toEqual(rejected('The page redirects more than 5 times.'));
  });

  it('should follow exactly as many redirects as the limit allows', async () => {
    const limits = { ...DEFAULT_PAGE_CHECK_LIMITS, maxRedirects: 2 };
    expect((await checkPage(`${ORIGIN}/old-slug-twice`, HOSTS, limits)).kind).toBe('verified');
    expect(await checkPage(`${ORIGIN}/old-slug-twice`, HOSTS, { ...limits, maxRedirects: 1 })).toEqual(
      rejected('The page redirects more than 1 times.'),
    );
  });

  it('should read XHTML as HTML', async () => {
    expect(await checkPage(`${ORIGIN}/article/xhtml`, HOSTS)).toMatchObject({
      kind: 'verified',
      metadata: { title: 'In XHTML' },
    });
  });

  it('should reject a page that is not HTML', async () => {
    expect(await checkPage(`${ORIGIN}/data.json`, HOSTS)).toEqual(rejected('The page is not HTML (application/json).'));
    expect(await checkPage(`${ORIGIN}/untyped`, HOSTS)).toEqual(rejected('The page is not HTML (no Content-Type).'));
  });

  it('should reject a page in an encoding it cannot read', async () => {
    expect(await checkPage(`${ORIGIN}/article/utf-16`, HOSTS)).toEqual(
      rejected('The page cannot be read: Parser error: Expected ASCII-compatible encoding.'),
    );
  });

  it('should reject a page whose head is larger than the byte limit', async () => {
    expect(await checkPage(`${ORIGIN}/article/huge`, HOSTS, { ...DEFAULT_PAGE_CHECK_LIMITS, maxBytes: 4_096 })).toEqual(
      rejected('The page is larger than 4096 bytes before its <body>.'),
    );
  });

  it('should ask for a retry when the publisher is down or busy', async () => {
    expect(await checkPage(`${ORIGIN}/unavailable`, HOSTS)).toEqual({
      kind: 'retry',
      reason: 'The page answered 503.',
      answered: true,
    });
    expect(await checkPage(`${ORIGIN}/busy`, HOSTS)).toEqual({
      kind: 'retry',
      reason: 'The page answered 429.',
      answered: true,
    });
  });

  // A real lost connection makes workerd print its own error lines, which no console spy catches.
  it('should ask for a retry when the connection fails', async () => {
    vi.spyOn(globalThis, 'fetch').mockRejectedValueOnce(new Error('Network connection lost.'));
    expect(await checkPage(`${ORIGIN}/article/good`, HOSTS)).toEqual({
      kind: 'retry',
      reason: 'The page could not be fetched: Network connection lost.',
      answered: false,
    });
  });

  it('should ask for a retry when the page answers after the time limit', async () => {
    const limits = { ...DEFAULT_PAGE_CHECK_LIMITS, timeoutMs: 200 };
    expect(await checkPage(`${ORIGIN}/slow`, HOSTS, limits)).toEqual({
      kind: 'retry',
      reason: 'The page did not answer within 200 ms.',
      answered: false,
    });
  });

  it('should bound the whole check in time, reading the head included', async () => {
    const limits = { ...DEFAULT_PAGE_CHECK_LIMITS, timeoutMs: 300 };
    expect(await checkPage(`${ORIGIN}/slow-head`, HOSTS, limits)).toEqual({
      kind: 'retry',
      reason: 'The page did not answer within 300 ms.',
      answered: false,
    });
  });
});
