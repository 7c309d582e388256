import { FROM_PARAMETER } from './box-list';

/**
 * A popular box's link to the article at `link`: `sp_from=<from>` set in its
 * query, its other parameters and its fragment kept (the query spelt as
 * URLSearchParams writes it, e.g. a space as `+`: the same parameters).
 *
 * @example boxLink('https://news.example/a?id=7#top', 'views-24h.3') // 'https://news.example/a?id=7&sp_from=views-24h.3#top'
 */
export function boxLink(link: string, from: string): string {
  const url = new URL(link);
  url.searchParams.set(FROM_PARAMETER, from);
  return url.href;
}
