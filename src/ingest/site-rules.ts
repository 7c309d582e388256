import { ApiError } from '../errors';
import type { Site } from '../sites/site-schema';
import { hostOf, normaliseOrRefuse, normaliseUrl } from './normalise-url';

const hostOfHeader = (value: string | undefined): string | null => {
  if (!value || value === 'null') return null;
  try {
    return new URL(value).hostname;
  } catch {
    return null;
  }
};

/** The request's origin must be one of the site's hosts; without any origin, refused. */
export function checkOrigin(
  site: Site,
  { origin, referer }: { origin: string | undefined; referer: string | undefined },
): void {
  const host = origin !== undefined ? hostOfHeader(origin) : hostOfHeader(referer);
  if (host === null) {
    throw new ApiError('origin_required', 'The request must come from a page of the site (Origin or Referer).');
  }
  if (!site.hosts.includes(host)) {
    throw new ApiError('origin_not_allowed', `Origin host ${host} is not a host of site ${site.id}.`);
  }
}

/** The article key of `url`, refused unless it can be one (see normaliseOrRefuse) on one of the site's hosts. */
export function articleKey(site: Site, url: string): string {
  const normalised = normaliseOrRefuse(url);
  if (!normalised.ok) throw new ApiError('invalid_url', normalised.refusal);
  const host = hostOf(normalised.url);
  if (!site.hosts.includes(host))
    throw new ApiError('url_not_allowed', `URL host ${host} is not a host of site ${site.id}.`);
  return normalised.url;
}

/**
 * Where a page check fetches an article a client reported as `reported`:
 * its key, over the scheme the client used (a site may only speak http).
 * Nothing else the client wrote (tracking parameters, `index.html`, a
 * fragment) reaches the publisher.
 *
 * @example
 * reportedAddress('https://news.example/a', 'http://news.example/a?fbclid=x') // 'http://news.example/a'
 */
export function reportedAddress(key: string, reported: string): string {
  const address = new URL(key);
  if (URL.parse(reported)?.protocol === 'http:') address.protocol = 'http:';
  return address.href;
}

/**
 * The origin a share-link click for `article` (its key) speaks for: the
 * Referer when it is a page of the site; for a click in our own /embed/share
 * iframe (whose Referer is that page, the only place it can tell), the origin
 * of the article the embed was made for, when that is `article`, so that a
 * share link dressed up as our embed counts no other article. Null for
 * anything else.
 */
export function shareClickOrigin(
  site: Site,
  article: string,
  referer: string | undefined,
  selfOrigin: string,
): string | null {
  const page = referer ? URL.parse(referer) : null;
  if (!page) return null;
  if (site.hosts.includes(page.hostname)) return page.origin;
  if (page.origin !== selfOrigin || page.pathname !== '/embed/share') return null;
  if (page.searchParams.get('site') !== site.id) return null;
  const embedded = normaliseUrl(page.searchParams.get('url') ?? '');
  if (embedded === null || embedded !== normaliseUrl(article) || !site.hosts.includes(hostOf(embedded))) return null;
  return new URL(embedded).origin;
}
