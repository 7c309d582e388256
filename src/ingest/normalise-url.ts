import { FROM_PARAMETER } from '../../common/box-list';

/** Query parameters that identify a campaign or a click, never the article itself. */
const TRACKING_PARAMS = new Set([
  // The popular box's own: which list and position the reader came from.
  FROM_PARAMETER,
  'fbclid',
  'gclid',
  'dclid',
  'msclkid',
  'mc_cid',
  'mc_eid',
  'igshid',
  'ref_src',
  '_ga',
]);

const isTrackingParam = (name: string): boolean => {
  const lower = name.toLowerCase();
  return lower.startsWith('utm_') || TRACKING_PARAMS.has(lower);
};

/** Longest article key: a URL is refused when what was sent, or its normalised spelling, is longer. */
export const MAX_URL_LENGTH = 2048;

/** An article key, or why a URL cannot be one (a message for the client). */
export type NormalisedUrl = { ok: true; url: string } | { ok: false; refusal: string };

/**
 * Turns any spelling of an article URL into its key, as the counting rules define it:
 * https, lower-case host, no default port, no fragment, no tracking parameters
 * (the popular box's `sp_from` among them), sorted parameters and no trailing
 * `index.html`. Refuses anything that is not
 * an absolute http(s) URL, one with a user name or password, and one whose key
 * would be longer than MAX_URL_LENGTH (percent-encoding can lengthen it).
 *
 * @example
 * normaliseOrRefuse('HTTP://News.Example:80/a/index.html?utm_source=x&b=2&a=1#top')
 * // { ok: true, url: 'https://news.example/a/?a=1&b=2' }
 */
export function normaliseOrRefuse(input: string): NormalisedUrl {
  const url = URL.parse(input.trim());
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return { ok: false, refusal: 'The URL must be an absolute http(s) URL.' };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, refusal: 'The URL must not carry a user name or password.' };
  }
  // Setting the scheme drops a port that is the default of the new scheme.
  url.protocol = 'https:';
  url.hash = '';
  url.pathname = url.pathname.replace(/\/index\.html?$/i, '/');
  const params = new URLSearchParams();
  for (const [name, value] of url.searchParams) {
    if (!isTrackingParam(name)) params.append(name, value);
  }
  params.sort();
  url.search = params.toString();
  if (url.href.length > MAX_URL_LENGTH) {
    return { ok: false, refusal: 'The URL is longer than 2,048 characters once normalised.' };
  }
  return { ok: true, url: url.href };
}

/** The key of `input` (see normaliseOrRefuse), or null when it cannot be one. */
export function normaliseUrl(input: string): string | null {
  const normalised = normaliseOrRefuse(input);
  return normalised.ok ? normalised.url : null;
}

/** The host part of a normalised URL, lower-case and without port. */
export function hostOf(url: string): string {
  return new URL(url).hostname;
}
