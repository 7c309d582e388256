import { normaliseOrRefuse } from '../ingest/normalise-url';
import type { ArticleMetadata } from './metadata';
import { isOnSite, judgePage, readPageHead } from './page-facts';

/**
 * The User-Agent of every page check, so that publishers can recognise the
 * checker and let it through their bot protection. It fetches only the pages
 * beacons report, on the site's hosts, and reads no further than `<body>`.
 */
export const CHECKER_USER_AGENT =
  'Mozilla/5.0 (compatible; sharepulse-checker/1; +https://github.com/sharepulse/sharepulse#the-page-checker)';

/** Bounds of one check: all of it (redirects and body included) in `timeoutMs`. */
export interface PageCheckLimits {
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
}

export const DEFAULT_PAGE_CHECK_LIMITS: PageCheckLimits = { timeoutMs: 8_000, maxBytes: 1_048_576, maxRedirects: 5 };

/** What a check found: the article the page is, a refusal, or a failure worth another try later. */
export type PageCheckOutcome =
  | { kind: 'verified'; canonical: string; pageUrl: string; aliases: string[]; metadata: ArticleMetadata }
  | { kind: 'rejected'; reason: string }
  /** `answered`: the publisher's server answered (5xx, 429), rather than being unreachable or silent. */
  | { kind: 'retry'; reason: string; answered: boolean };

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

const rejected = (reason: string): PageCheckOutcome => ({ kind: 'rejected', reason });

async function fetchAndJudge(
  pageUrl: string,
  hosts: string[],
  limits: PageCheckLimits,
  signal: AbortSignal,
): Promise<PageCheckOutcome> {
  // What can never be an article key (not http(s), a user name or password, too long) is never fetched.
  const sent = normaliseOrRefuse(pageUrl);
  if (!sent.ok) return rejected(`The page URL is refused: ${sent.refusal}`);
  // The URL as it is fetched, port and all (http on :443 normalises to plain https).
  const sentUrl = new URL(pageUrl);
  if (!isOnSite(sentUrl, hosts)) return rejected(`The page URL is off the site (${sentUrl.hostname}).`);
  // The URL as the page reported it, then each redirect's target.
  const urls = [pageUrl];
  for (;;) {
    const current = urls.at(-1)!;
    const response = await fetch(current, {
      redirect: 'manual',
      signal,
      headers: { 'User-Agent': CHECKER_USER_AGENT, Accept: 'text/html' },
    });
    const location = response.headers.get('Location');
    if (REDIRECT_STATUSES.has(response.status) && location !== null) {
      await response.body?.cancel();
      const next = URL.parse(location, current);
      if (next === null) return rejected('The page redirects to something that is not a URL.');
      const target = normaliseOrRefuse(next.href);
      if (!target.ok) return rejected(`The page redirects to a refused URL: ${target.refusal}`);
      if (!isOnSite(next, hosts)) return rejected(`The page redirects off the site to ${next.hostname}.`);
      if (urls.length > limits.maxRedirects) {
        return rejected(`The page redirects more than ${limits.maxRedirects} times.`);
      }
      urls.push(next.href);
      continue;
    }
    if (response.status < 200 || response.status > 299) {
      await response.body?.cancel();
      const reason = `The page answered ${response.status}.`;
      return response.status >= 500 || response.status === 429
        ? { kind: 'retry', reason, answered: true }
        : rejected(reason);
    }
    const mediaType = (response.headers.get('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!HTML_TYPES.has(mediaType)) {
      await response.body?.cancel();
      return rejected(`The page is not HTML (${mediaType || 'no Content-Type'}).`);
    }
    const reading = await readPageHead(response, limits.maxBytes);
    if (reading.kind === 'too-large') {
      return rejected(`The page is larger than ${limits.maxBytes} bytes before its <body>.`);
    }
    if (reading.kind === 'unreadable') return rejected(`The page cannot be read: ${reading.reason}`);
    return judgePage({ urls, head: reading.head }, hosts);
  }
}

/**
 * Fetches a page a beacon reported and decides whether it is an article of
 * the site (API.md "Articles"): only on `hosts`, redirects followed only
 * within them, bounded in time, bytes and redirects. Time-outs, network
 * errors, 5xx and 429 are worth a retry; anything else the page answers is final.
 */
export async function checkPage(
  pageUrl: string,
  hosts: string[],
  limits: PageCheckLimits = DEFAULT_PAGE_CHECK_LIMITS,
): Promise<PageCheckOutcome> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  try {
    return await fetchAndJudge(pageUrl, hosts, limits, signal);
  } catch (error) {
    if (signal.aborted) {
      return { kind: 'retry', reason: `The page did not answer within ${limits.timeoutMs} ms.`, answered: false };
    }
    return {
      kind: 'retry',
      reason: `The page could not be fetched: ${error instanceof Error ? error.message : String(error)}`,
      answered: false,
    };
  }
}
