import { withoutSiteName } from '../../common/page-title';
import { MAX_URL_LENGTH, normaliseOrRefuse, normaliseUrl } from '../ingest/normalise-url';
import { cutToLength } from '../ingest/text';
import type { ArticleMetadata } from './metadata';

/** What a page's head declares, entities decoded and otherwise as written; null where it says nothing. */
export interface PageHead {
  /** `<link rel="canonical">`'s href. */
  canonical: string | null;
  ogUrl: string | null;
  ogTitle: string | null;
  /** The text of `<title>`. */
  title: string | null;
  /** `og:image`, `og:image:url` or `og:image:secure_url`, whichever comes first. */
  image: string | null;
  section: string | null;
  published: string | null;
}

/** A page's head; or that it did not end within the byte limit, or is in an encoding HTMLRewriter cannot read. */
export type HeadReading =
  | { kind: 'head'; head: PageHead }
  | { kind: 'too-large' }
  | { kind: 'unreadable'; reason: string };

/** The decision about a fetched page: the article it is, or why it is none. */
export type PageVerdict =
  | { kind: 'verified'; canonical: string; pageUrl: string; aliases: string[]; metadata: ArticleMetadata }
  | { kind: 'rejected'; reason: string };

const MAX_TITLE_LENGTH = 300;
const MAX_SECTION_LENGTH = 64;

const META_PROPERTIES: Record<string, Exclude<keyof PageHead, 'canonical' | 'title'>> = {
  'og:url': 'ogUrl',
  'og:title': 'ogTitle',
  'og:image': 'image',
  'og:image:url': 'image',
  'og:image:secure_url': 'image',
  'article:section': 'section',
  'article:published_time': 'published',
};

/**
 * The named character references publishers' templates put in titles and
 * meta tags; any other named reference stays as written (numeric ones are all
 * decoded). HTMLRewriter hands attribute values and `<title>` text undecoded.
 */
const NAMED_REFERENCES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  lsquo: '‘',
  rsquo: '’',
  sbquo: '‚',
  ldquo: '“',
  rdquo: '”',
  bdquo: '„',
  laquo: '«',
  raquo: '»',
  lsaquo: '‹',
  rsaquo: '›',
  bull: '•',
  middot: '·',
  copy: '©',
  reg: '®',
  trade: '™',
  euro: '€',
  pound: '£',
  deg: '°',
  times: '×',
};

const REFERENCE = /&(?:#(\d+)|#[xX]([0-9a-fA-F]+)|([A-Za-z][A-Za-z0-9]*));/g;

const fromCodePoint = (code: number): string =>
  code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? '\ufffd' : String.fromCodePoint(code);

/** Decodes numeric character references and the common named ones (see NAMED_REFERENCES). */
export function decodeCharacterReferences(text: string): string {
  return text.replace(REFERENCE, (whole, decimal?: string, hex?: string, name?: string) => {
    if (decimal !== undefined) return fromCodePoint(Number.parseInt(decimal, 10));
    if (hex !== undefined) return fromCodePoint(Number.parseInt(hex, 16));
    return NAMED_REFERENCES[name ?? ''] ?? whole;
  });
}

const isCanonicalRel = (rel: string): boolean => rel.toLowerCase().split(/\s+/).includes('canonical');

const emptyHead = (): PageHead => ({
  canonical: null,
  ogUrl: null,
  ogTitle: null,
  title: null,
  image: null,
  section: null,
  published: null,
});

/**
 * The first `maxBytes` bytes of a page, as a stream that ends rather than
 * errors: workerd reports an error of a JS stream that HTMLRewriter reads as
 * an uncaught exception, even once handled. So a failure of the source (a
 * time-out, a lost connection) ends the stream and waits in `failure` for the
 * reader; past the limit, the stream ends and `cut` is set.
 */
class FirstBytes {
  cut = false;
  failure: { error: unknown } | null = null;
  readonly stream: ReadableStream<Uint8Array>;
  readonly #source: ReadableStreamDefaultReader<Uint8Array>;

  constructor(source: ReadableStream<Uint8Array>, maxBytes: number) {
    this.#source = source.getReader();
    let seen = 0;
    this.stream = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await this.#source.read();
        } catch (error) {
          this.failure = { error };
          chunk = { done: true, value: undefined };
        }
        if (chunk.done) return controller.close();
        const room = maxBytes - seen;
        seen += chunk.value.byteLength;
        if (chunk.value.byteLength <= room) return controller.enqueue(chunk.value);
        if (room > 0) controller.enqueue(chunk.value.subarray(0, room));
        this.cut = true;
        controller.close();
      },
    });
  }

  /** Cancels the rest of the page, read or not: HTMLRewriter does not pass its reader's cancel on at once. */
  stop(): Promise<void> {
    return this.#source.cancel();
  }
}

/**
 * Reads a page's head with HTMLRewriter, never more than `maxBytes` of it:
 * reading stops at `<body>` (metadata is in the head) and the rest of the
 * page is cancelled unread. The first of each tag counts. HTMLRewriter runs
 * the handlers of a whole chunk at once, so they ignore what follows `<body>`.
 */
export async function readPageHead(response: Response, maxBytes: number): Promise<HeadReading> {
  const head = emptyHead();
  let titleText: string | null = null;
  let inFirstTitle = false;
  let bodyReached = false;
  // A page may leave out its <body> tag: past the byte limit, a closed head is still whole.
  let headClosed = false;
  const rewriter = new HTMLRewriter()
    .on('link[rel][href]', {
      element(link) {
        if (!bodyReached && head.canonical === null && isCanonicalRel(link.getAttribute('rel') ?? '')) {
          head.canonical = decodeCharacterReferences(link.getAttribute('href') ?? '');
        }
      },
    })
    .on('meta[property][content]', {
      element(meta) {
        const field = META_PROPERTIES[(meta.getAttribute('property') ?? '').trim().toLowerCase()];
        if (!bodyReached && field !== undefined && head[field] === null) {
          head[field] = decodeCharacterReferences(meta.getAttribute('content') ?? '');
        }
      },
    })
    .on('title', {
      element(title) {
        if (bodyReached || titleText !== null) return;
        titleText = '';
        inFirstTitle = true;
        title.onEndTag(() => {
          inFirstTitle = false;
        });
      },
      text(chunk) {
        if (inFirstTitle) titleText += chunk.text;
      },
    })
    .on('head', {
      element(element) {
        element.onEndTag(() => {
          headClosed = true;
        });
      },
    })
    .on('body', {
      element() {
        bodyReached = true;
      },
    });
  const source = response.body ?? new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
  const page = new FirstBytes(source, maxBytes);
  // The page's Content-Type goes along: HTMLRewriter takes the charset from it.
  const contentType = response.headers.get('Content-Type') ?? 'text/html';
  let rewritten: Response;
  try {
    rewritten = rewriter.transform(new Response(page.stream, { headers: { 'Content-Type': contentType } }));
  } catch (error) {
    // Only an encoding it cannot parse (UTF-16, an unknown charset) stops HTMLRewriter before it reads.
    await page.stop();
    return { kind: 'unreadable', reason: error instanceof Error ? error.message : String(error) };
  }
  const reader = rewritten.body!.getReader();
  while (!bodyReached && !(await reader.read()).done) {
    // The handlers above collect as the page goes through.
  }
  await reader.cancel();
  await page.stop();
  if (page.failure !== null) throw page.failure.error;
  if (titleText !== null) head.title = decodeCharacterReferences(titleText);
  return !bodyReached && !headClosed && page.cut ? { kind: 'too-large' } : { kind: 'head', head };
}

/** Whether `url` is on one of the site's hosts (host names, any case, no port). */
/** Loopback hosts: where a development server or a test serves pages, on a port of its own. */
const isLoopback = (hostname: string): boolean => hostname === 'localhost' || /^127(\.\d{1,3}){3}$/.test(hostname);

/**
 * Whether `url` is a page of the site: one of its hosts, on the scheme's own
 * port, so that a beacon cannot point the checker at another service of the
 * publisher's machine (`https://news.example:8080/admin`). Other ports only
 * on loopback, for `npm run dev` and the tests.
 */
export const isOnSite = (url: URL, hosts: string[]): boolean =>
  hosts.some((host) => host.toLowerCase() === url.hostname) && (url.port === '' || isLoopback(url.hostname));

const isHttp = (url: URL): boolean => url.protocol === 'http:' || url.protocol === 'https:';

/** Whitespace collapsed, trimmed, cut to `max`; null when nothing is left. */
function cleanText(value: string | null, max: number): string | null {
  if (value === null) return null;
  const text = cutToLength(value.replace(/\s+/g, ' ').trim(), max);
  return text === '' ? null : text;
}

/** The first of `<link rel=canonical>`, og:url and the final URL that is an absolute http(s) URL once resolved. */
function declaredCanonical(head: PageHead, finalUrl: string): URL | null {
  for (const candidate of [head.canonical, head.ogUrl, finalUrl]) {
    const declared = candidate?.trim() ? URL.parse(candidate.trim(), finalUrl) : null;
    if (declared !== null && isHttp(declared)) return declared;
  }
  return null;
}

function imageOf(head: PageHead, finalUrl: string): string | null {
  const image = head.image?.trim();
  if (!image) return null;
  const url = URL.parse(image, finalUrl);
  return url !== null && isHttp(url) ? cutToLength(url.href, MAX_URL_LENGTH) : null;
}

function publishedOf(head: PageHead): string | null {
  const time = Date.parse(head.published?.trim() ?? '');
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/** An article's metadata from its head; relative URLs resolve against `finalUrl`, the page's address. */
export function metadataOf(head: PageHead, finalUrl: string): ArticleMetadata {
  const pageTitle = head.title === null ? null : withoutSiteName(head.title.replace(/\s+/g, ' '));
  return {
    title: cleanText(head.ogTitle, MAX_TITLE_LENGTH) ?? cleanText(pageTitle, MAX_TITLE_LENGTH),
    image: imageOf(head, finalUrl),
    section: cleanText(head.section, MAX_SECTION_LENGTH),
    published: publishedOf(head),
  };
}

/**
 * What a fetched page is (API.md "Articles"): its canonical article, when
 * that is on the site's hosts, with the other spellings that led to it.
 * `urls` are the URLs fetched, in order: the one the page reported first,
 * the one that answered last.
 */
export function judgePage({ urls, head }: { urls: string[]; head: PageHead }, hosts: string[]): PageVerdict {
  const finalUrl = urls.at(-1)!;
  const declared = declaredCanonical(head, finalUrl);
  if (declared === null) return { kind: 'rejected', reason: 'The page has no http(s) URL.' };
  // Refusals first (a user name or password, the length), so that no reason repeats a password.
  const normalised = normaliseOrRefuse(declared.href);
  if (!normalised.ok) {
    return { kind: 'rejected', reason: `The canonical URL on ${declared.hostname} is refused: ${normalised.refusal}` };
  }
  if (!isOnSite(declared, hosts)) {
    return { kind: 'rejected', reason: `The canonical URL ${declared.href} is off the site.` };
  }
  const canonical = normalised.url;
  const aliases = new Set(
    urls.map(normaliseUrl).filter((alias): alias is string => alias !== null && alias !== canonical),
  );
  return {
    kind: 'verified',
    canonical,
    pageUrl: declared.href,
    aliases: [...aliases],
    metadata: metadataOf(head, finalUrl),
  };
}
