/** Query parameters that identify a campaign or a click, never the article itself. */
const TRACKING_PARAMS = new Set([
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

/**
 * Turns any spelling of an article URL into its key, as the counting rules define it:
 * https, lower-case host, no default port, no fragment, no tracking parameters,
 * sorted parameters and no trailing `index.html`. Answers `null` for anything that
 * is not an absolute http(s) URL.
 *
 * @example
 * normaliseUrl('HTTP://News.Example:80/a/index.html?utm_source=x&b=2&a=1#top')
 * // 'https://news.example/a/?a=1&b=2'
 */
export function normaliseUrl(input: string): string | null {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
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
  return url.href;
}

/** The host part of a normalised URL, lower-case and without port. */
export function hostOf(url: string): string {
  return new URL(url).hostname;
}
