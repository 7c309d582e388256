import { describe, expect, it } from 'vitest';
import {
  decodeCharacterReferences,
  judgePage,
  metadataOf,
  type PageHead,
  readPageHead,
} from '../../src/articles/page-facts';

const HOSTS = ['news.example', 'www.news.example'];
const NO_METADATA = { title: null, image: null, section: null, published: null };
const NO_HEAD: PageHead = { canonical: null, ogUrl: null, ogTitle: null, ...NO_METADATA };

const htmlResponse = (body: BodyInit, contentType = 'text/html; charset=utf-8') =>
  new Response(body, { headers: { 'Content-Type': contentType } });

/** A page body that gives `chunks` one by one, then goes on forever when `endless`; it tells whether its reader cancelled it. */
function chunkedBody(chunks: string[], { endless = false } = {}) {
  const encoder = new TextEncoder();
  const state = { cancelled: false };
  let next = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[next++] ?? (endless ? '<p>More of the story.</p>' : undefined);
      if (chunk === undefined) controller.close();
      else controller.enqueue(encoder.encode(chunk));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

describe('readPageHead', () => {
  it('should collect the canonical, og tags and title, decoded', async () => {
    const page = `<!doctype html><html><head>
      <title>Tom &amp; Jerry &#8211; &#x2018;Live&rsquo; &unknown; | The Paper</title>
      <link rel="stylesheet" href="/site.css">
      <link rel="Alternate CANONICAL" href="/a?b=1&amp;c=2">
      <link rel="canonical" href="/second">
      <meta property="og:url" content="https://news.example/og">
      <meta property="og:title" content="Tom &quot;and&quot; Jerry">
      <meta property="og:image:secure_url" content="https://news.example/i.jpg">
      <meta property="og:image" content="/other.jpg">
      <meta property="article:section" content="Arts">
      <meta property="article:published_time" content="2026-11-20T08:00:00Z">
      <meta name="description" content="Not collected">
      </head><body><title>Not the title</title><svg><title>Nor this</title></svg></body></html>`;
    expect(await readPageHead(htmlResponse(page), 1_048_576)).toEqual({
      kind: 'head',
      head: {
        canonical: '/a?b=1&c=2',
        ogUrl: 'https://news.example/og',
        ogTitle: 'Tom "and" Jerry',
        title: 'Tom & Jerry – ‘Live’ &unknown; | The Paper',
        image: 'https://news.example/i.jpg',
        section: 'Arts',
        published: '2026-11-20T08:00:00Z',
      },
    });
  });

  it('should stop at <body> and cancel the rest of the page', async () => {
    const { stream, state } = chunkedBody(['<html><head><title>Live</title></head>', '<body><p>Story.</p>'], {
      endless: true,
    });
    expect(await readPageHead(htmlResponse(stream), 1_048_576)).toEqual({
      kind: 'head',
      head: { ...NO_HEAD, title: 'Live' },
    });
    expect(state.cancelled).toBe(true);
  });

  it('should take the first <title> of the head', async () => {
    const page = '<html><head><title>First</title><title>Second</title></head><body></body></html>';
    expect(await readPageHead(htmlResponse(page), 1_000)).toEqual({
      kind: 'head',
      head: { ...NO_HEAD, title: 'First' },
    });
  });

  // HTMLRewriter runs the handlers of a whole chunk, <body> and what follows it.
  it.each([
    ['<head><title>Live</title></head>', '<body><title>In the body</title><p>Story.</p>', { title: 'Live' }],
    ['<head></head>', '<body><title>In the body</title>', {}],
    ['<head></head>', '<body><link rel="canonical" href="/in-the-body">', {}],
    ['<head></head>', '<body><meta property="og:title" content="In the body">', {}],
  ])('should take nothing from the body: %s %s', async (headPart, bodyPart, expected) => {
    const { stream } = chunkedBody([headPart, bodyPart]);
    expect(await readPageHead(htmlResponse(stream), 1_048_576)).toEqual({
      kind: 'head',
      head: { ...NO_HEAD, ...expected },
    });
  });

  it('should refuse a head that does not end within the byte limit, and cancel the page', async () => {
    const { stream, state } = chunkedBody(['<html><head><title>Big</title>', '<meta name="x">'], { endless: true });
    expect(await readPageHead(htmlResponse(stream), 100)).toEqual({ kind: 'too-large' });
    expect(state.cancelled).toBe(true);
  });

  it('should keep a closed head past the byte limit when the page leaves out its <body> tag', async () => {
    const { stream } = chunkedBody(['<html><head><title>No body tag</title></head>', '<p>Story.</p>'], {
      endless: true,
    });
    expect(await readPageHead(htmlResponse(stream), 200)).toEqual({
      kind: 'head',
      head: { ...NO_HEAD, title: 'No body tag' },
    });
  });

  it('should throw what failed while the page was read', async () => {
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('<html><head><title>Cut'));
        controller.error(new Error('Network connection lost.'));
      },
    });
    await expect(readPageHead(htmlResponse(failing), 1_000)).rejects.toThrow('Network connection lost.');
  });

  it('should tell a page in an encoding HTMLRewriter cannot read, and cancel it', async () => {
    const { stream, state } = chunkedBody(['<title>x</title>']);
    expect(await readPageHead(htmlResponse(stream, 'text/html; charset=x-unknown'), 100)).toEqual({
      kind: 'unreadable',
      reason: 'Parser error: Unknown character encoding has been provided.',
    });
    expect(state.cancelled).toBe(true);
  });

  it('should keep a head that ended before the byte limit, whatever follows', async () => {
    const page = `<html><head><title>Short</title></head><body>${'x'.repeat(500)}</body></html>`;
    expect(await readPageHead(htmlResponse(page), 60)).toEqual({ kind: 'head', head: { ...NO_HEAD, title: 'Short' } });
  });

  it('should read a page that ends exactly at the byte limit or has no <body>', async () => {
    const page = '<title>Only a head</title>';
    expect(await readPageHead(htmlResponse(page), page.length)).toEqual({
      kind: 'head',
      head: { ...NO_HEAD, title: 'Only a head' },
    });
  });

  it('should read an empty page as a head that says nothing', async () => {
    expect(await readPageHead(new Response(null, { headers: { 'Content-Type': 'text/html' } }), 100)).toEqual({
      kind: 'head',
      head: NO_HEAD,
    });
  });

  it('should read a page in its declared charset', async () => {
    const latin1 = new Uint8Array([
      ...new TextEncoder().encode('<title>Caf'),
      0xe9,
      ...new TextEncoder().encode('</title>'),
    ]);
    expect(await readPageHead(htmlResponse(latin1, 'text/html; charset=iso-8859-1'), 100)).toEqual({
      kind: 'head',
      head: { ...NO_HEAD, title: 'Café' },
    });
  });
});

describe('decodeCharacterReferences', () => {
  it('should decode numeric references and the common named ones, leaving others as written', () => {
    expect(decodeCharacterReferences('&lt;b&gt; &#65;&#x42;&#X43; &mdash;&hellip;&nbsp;&euro;')).toBe(
      '<b> ABC —…\u00a0€',
    );
    expect(decodeCharacterReferences('&#0; &#xD800; &#x110000; &AMP; & &amp')).toBe(
      '\ufffd \ufffd \ufffd &AMP; & &amp',
    );
  });
});

describe('judgePage', () => {
  const page = (head: Partial<PageHead>, urls = ['https://news.example/story']) => ({
    urls,
    head: { ...NO_HEAD, ...head },
  });
  /** The verdict on a page without metadata. */
  const verified = (canonical: string, pageUrl: string, aliases: string[]) => ({
    kind: 'verified',
    canonical,
    pageUrl,
    aliases,
    metadata: NO_METADATA,
  });

  it('should prefer <link rel=canonical>, then og:url, then the final URL', () => {
    const bothDeclared = judgePage(
      page({ canonical: 'https://news.example/a', ogUrl: 'https://news.example/b' }),
      HOSTS,
    );
    expect(bothDeclared).toEqual(
      verified('https://news.example/a', 'https://news.example/a', ['https://news.example/story']),
    );
    expect(judgePage(page({ ogUrl: 'https://news.example/b' }), HOSTS)).toMatchObject({
      canonical: 'https://news.example/b',
    });
    expect(judgePage(page({ canonical: '  ', ogUrl: 'mailto:desk@news.example' }), HOSTS)).toEqual(
      verified('https://news.example/story', 'https://news.example/story', []),
    );
  });

  it('should resolve a relative canonical against the final URL and keep it as declared for links', () => {
    const verdict = judgePage(
      page({ canonical: '../a/index.html?utm_source=x' }, ['http://NEWS.example/old', 'http://news.example/b/c']),
      HOSTS,
    );
    expect(verdict).toEqual(
      verified('https://news.example/a/', 'http://news.example/a/index.html?utm_source=x', [
        'https://news.example/old',
        'https://news.example/b/c',
      ]),
    );
  });

  it('should list each other spelling once, and not the canonical itself', () => {
    const verdict = judgePage(
      page({ canonical: 'https://news.example/a' }, [
        'http://news.example/a#top',
        'https://news.example/a-old',
        'https://news.example/a-old?utm_campaign=x',
        'https://news.example/a',
      ]),
      HOSTS,
    );
    expect(verdict).toMatchObject({ kind: 'verified', aliases: ['https://news.example/a-old'] });
  });

  it('should reject a canonical off the site, with credentials or too long', () => {
    expect(judgePage(page({ canonical: 'https://evil.example/a' }), HOSTS)).toEqual({
      kind: 'rejected',
      reason: 'The canonical URL https://evil.example/a is off the site.',
    });
    expect(judgePage(page({ canonical: 'https://desk:secret@news.example/a' }), HOSTS)).toEqual({
      kind: 'rejected',
      reason: 'The canonical URL on news.example is refused: The URL must not carry a user name or password.',
    });
    const longPath = `/${'a'.repeat(2_048 - 'https://news.example/'.length)}`;
    expect(judgePage(page({ canonical: longPath }), HOSTS)).toMatchObject({ kind: 'verified' });
    const tooLong = {
      kind: 'rejected',
      reason: 'The canonical URL on news.example is refused: The URL is longer than 2,048 characters once normalised.',
    };
    expect(judgePage(page({ canonical: `${longPath}b` }), HOSTS)).toEqual(tooLong);
    // The limit holds once normalised: http:// becomes the longer https://.
    expect(judgePage(page({ canonical: `http://news.example${longPath}b` }), HOSTS)).toEqual(tooLong);
  });

  it('should compare hosts in any case, on the scheme\u2019s own port only (other ports on loopback)', () => {
    expect(
      judgePage(page({}, ['https://WWW.News.Example:443/story']), ['News.Example', 'WWW.NEWS.EXAMPLE']),
    ).toMatchObject({
      kind: 'verified',
      canonical: 'https://www.news.example/story',
    });
    expect(
      judgePage(page({ canonical: 'https://news.example:8443/story' }, ['https://news.example/story']), HOSTS),
    ).toEqual({
      kind: 'rejected',
      reason: 'The canonical URL https://news.example:8443/story is off the site.',
    });
    expect(judgePage(page({}, ['http://localhost:8787/demo/derby']), ['localhost'])).toMatchObject({
      kind: 'verified',
      canonical: 'https://localhost:8787/demo/derby',
    });
  });

  it('should reject a page that has no http(s) URL at all', () => {
    expect(judgePage(page({}, ['ftp://news.example/story']), HOSTS)).toEqual({
      kind: 'rejected',
      reason: 'The page has no http(s) URL.',
    });
  });
});

describe('metadataOf', () => {
  const FINAL = 'https://news.example/2026/story';

  it('should take og:title, else <title> without its site name, whitespace collapsed, cut to 300', () => {
    expect(metadataOf({ ...NO_HEAD, ogTitle: ' Bridge\n  closure ', title: 'Other | Paper' }, FINAL).title).toBe(
      'Bridge closure',
    );
    expect(metadataOf({ ...NO_HEAD, ogTitle: '  ', title: '\n Bridge\tclosure\n | The Paper ' }, FINAL).title).toBe(
      'Bridge closure',
    );
    expect(metadataOf({ ...NO_HEAD, ogTitle: 'Sale | 50% off' }, FINAL).title).toBe('Sale | 50% off');
    expect(metadataOf({ ...NO_HEAD, title: '' }, FINAL).title).toBeNull();
    expect(metadataOf({ ...NO_HEAD, ogTitle: `${'é'.repeat(299)}😀😀` }, FINAL).title).toBe(`${'é'.repeat(299)}😀`);
  });

  it('should resolve the image against the page, http(s) only, cut to 2,048', () => {
    expect(metadataOf({ ...NO_HEAD, image: 'pics/a.jpg' }, FINAL).image).toBe('https://news.example/2026/pics/a.jpg');
    expect(metadataOf({ ...NO_HEAD, image: '//cdn.example/a.jpg' }, FINAL).image).toBe('https://cdn.example/a.jpg');
    expect(metadataOf({ ...NO_HEAD, image: 'data:image/png;base64,AAAA' }, FINAL).image).toBeNull();
    expect(metadataOf({ ...NO_HEAD, image: 'http://[bad' }, FINAL).image).toBeNull();
    expect(metadataOf({ ...NO_HEAD, image: ' ' }, FINAL).image).toBeNull();
    expect(metadataOf({ ...NO_HEAD, image: `/${'p'.repeat(3_000)}` }, FINAL).image).toHaveLength(2_048);
  });

  it('should cut the section to 64 and keep a published time only when it is a date', () => {
    expect(metadataOf({ ...NO_HEAD, section: ` ${'s'.repeat(70)} ` }, FINAL).section).toBe('s'.repeat(64));
    expect(metadataOf({ ...NO_HEAD, section: '' }, FINAL).section).toBeNull();
    expect(metadataOf({ ...NO_HEAD, published: ' 2026-11-20T08:00:00+01:00 ' }, FINAL).published).toBe(
      '2026-11-20T07:00:00.000Z',
    );
    expect(metadataOf({ ...NO_HEAD, published: 'yesterday' }, FINAL).published).toBeNull();
    expect(metadataOf({ ...NO_HEAD, published: '' }, FINAL).published).toBeNull();
  });
});
