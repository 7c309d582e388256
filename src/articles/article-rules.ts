import type { ArticlePolicy } from './article-schema';
import type { ArticleMetadata } from './metadata';

const hasAny = ({ title, image, section, published }: ArticleMetadata): boolean =>
  title !== null || image !== null || section !== null || published !== null;

/**
 * The metadata a beacon may set in `beacon` mode: its picture only when it is
 * on the site's hosts or `image_hosts` (a reader's browser loads it), else
 * none; null when the beacon carries nothing to keep.
 */
export function beaconMetadata(
  policy: Pick<ArticlePolicy, 'hosts' | 'imageHosts'>,
  metadata: ArticleMetadata,
): ArticleMetadata | null {
  const imageHost = metadata.image === null ? null : (URL.parse(metadata.image)?.hostname ?? null);
  const image =
    imageHost !== null && (policy.hosts.includes(imageHost) || policy.imageHosts.includes(imageHost))
      ? metadata.image
      : null;
  const kept = { ...metadata, image };
  return hasAny(kept) ? kept : null;
}

/** How long after its last check a verified page is checked again: at least daily (API.md). */
export const REFRESH_MS = 24 * 3_600_000;
/** Checks of a page that could not be read (time-out, 5xx) before it counts as rejected. */
export const MAX_CHECK_ATTEMPTS = 5;

/**
 * When to try again a check that could not be read, after `attempts` tries:
 * one minute, then doubling (1, 2, 4, 8 minutes); null once the attempts are
 * spent and the page is taken as failed.
 */
export function retryAt(nowMs: number, attempts: number): number | null {
  if (attempts >= MAX_CHECK_ATTEMPTS) return null;
  return nowMs + 60_000 * 2 ** (attempts - 1);
}

/**
 * Where an article's page is fetched, in order: the address its page gave
 * (the canonical as declared, or the URL a beacon reported with its own
 * scheme), then its key, then its key over http (a site that only speaks
 * http). Never a spelling a client chose beyond the scheme: a key is
 * normalised, so an attacker's `index.html` or junk parameter never reaches
 * the publisher, nor makes a real article fail.
 */
export function addressesOf({ url, page_url }: { url: string; page_url: string | null }): string[] {
  const overHttp = new URL(url);
  overHttp.protocol = 'http:';
  return [...new Set([page_url ?? url, url, overHttp.href])];
}
