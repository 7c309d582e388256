import type { ArticleMetadata } from '../articles/metadata';
import type { PopularBody } from '../openapi/schemas';
import type { RankBy } from './windows';

/** One article's counts over a window, with its metadata: what ranking works on. */
export interface Candidate extends ArticleMetadata {
  url: string;
  /** The article's address as its page gives it when known, else `url`: what links go to. */
  link: string;
  views: number;
  shares: number;
  reads: number;
  /** views + share_weight * shares over the same rows. */
  score: number;
  /** The decayed score; only computed for `by=trending`. */
  trending: number | null;
}

/** The body of GET /api/v1/sites/{site}/popular: its schema is the one owner of the shape. */
export type PopularList = PopularBody;

/** A ranked candidate; `trending` only in a list ranked by it. */
export type PopularItem = PopularBody['items'][number];

export interface RankOptions {
  by: RankBy;
  limit: number;
  section: string | null;
  /** Normalised URLs to leave out. */
  exclude: readonly string[];
}

const metricOf = (candidate: Candidate, by: RankBy): number =>
  by === 'trending' ? (candidate.trending ?? 0) : candidate[by];

// Normalised URLs are ASCII (the URL serialiser percent-encodes the rest), so
// comparing UTF-16 code units orders them as SQLite's BINARY collation does.
const compareUrls = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The popular list of API.md: articles whose metric is above 0, in the
 * section if one is asked for, not excluded; by the metric descending, then
 * the URL ascending; the first `limit`, ranked from 1.
 *
 * @example
 * rankArticles(candidates, { by: 'views', limit: 10, section: null, exclude: [] })
 */
export function rankArticles(
  candidates: readonly Candidate[],
  { by, limit, section, exclude }: RankOptions,
): PopularItem[] {
  const excluded = new Set(exclude);
  return candidates
    .filter((c) => metricOf(c, by) > 0 && (section === null || c.section === section) && !excluded.has(c.url))
    .sort((a, b) => metricOf(b, by) - metricOf(a, by) || compareUrls(a.url, b.url))
    .slice(0, limit)
    .map((c, index) => ({
      rank: index + 1,
      url: c.url,
      link: c.link,
      title: c.title,
      image: c.image,
      section: c.section,
      published: c.published,
      views: c.views,
      shares: c.shares,
      reads: c.reads,
      score: c.score,
      ...(by === 'trending' ? { trending: c.trending ?? 0 } : {}),
    }));
}
