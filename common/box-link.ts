import { withFrom } from './box-list';

/**
 * A popular box's link to the article at `link`: `sp_from=<from>` appended to
 * its query (replacing one it had), its other parameters as written and its
 * fragment kept.
 *
 * @example boxLink('https://news.example/a?id=7#top', 'views-24h.3') // 'https://news.example/a?id=7&sp_from=views-24h.3#top'
 */
export const boxLink = (link: string, from: string): string =>
  // The query is from the first `?` to the fragment; the fragment from the first `#` (which may hold a `?`).
  link.replace(/(\?[^#]*)?(#.*)?$/s, (_, query = '', fragment = '') => withFrom(query, from) + fragment);
