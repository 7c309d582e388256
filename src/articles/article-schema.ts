import { z } from 'zod';
import { MAX_URL_LENGTH } from '../ingest/normalise-url';
import { cutToLength, isHttpUrl } from '../ingest/text';

/**
 * Where a site's article metadata comes from (API.md "Articles"): the page
 * itself, fetched and checked (`page`); the first beacon that carries any
 * (`beacon`); or only a CMS through the admin API (`admin`).
 */
export const ARTICLE_SOURCES = ['page', 'beacon', 'admin'] as const;
export type ArticleSource = (typeof ARTICLE_SOURCES)[number];

/** Where an article stands: checked and counted, waiting for its check, or refused by it. */
export const ARTICLE_STATUSES = ['verified', 'pending', 'rejected'] as const;
export type ArticleStatus = (typeof ARTICLE_STATUSES)[number];

/** What the registry needs of a site to decide about its articles: carried with each event, no lookup. */
export interface ArticlePolicy {
  source: ArticleSource;
  maxNewPerHour: number;
  hosts: string[];
  imageHosts: string[];
}

/** An article as the registry keeps it and the admin API answers it. */
export const articleBody = z
  .object({
    url: z.string().describe('The canonical article key (normalised URL).'),
    title: z.string().nullable(),
    image: z.string().nullable(),
    section: z.string().nullable(),
    published: z.string().nullable().describe('ISO-8601'),
    status: z.enum(ARTICLE_STATUSES),
    hidden: z.boolean().describe('Counted, never ranked.'),
    aliases: z.array(z.string()).describe('Other spellings that count for this article.'),
    checked_at: z.string().nullable().describe('ISO-8601 time of the last page check; null when never checked.'),
  })
  .meta({ id: 'Article' });
export type ArticleRecord = z.infer<typeof articleBody>;

/** Which incarnation of its id a site is, as the registry's calls name it (db/counts.ts SiteIncarnation). */
export const incarnationOf = (site: { id: string; created_at: string }): { site: string; siteCreatedAt: string } => ({
  site: site.id,
  siteCreatedAt: site.created_at,
});

/** Where an article stands, or whether it is hidden: the tabs of a site's article list. */
export const ARTICLE_LIST_STATUSES = [...ARTICLE_STATUSES, 'hidden'] as const;
export type ArticleListStatus = (typeof ARTICLE_LIST_STATUSES)[number];

/** Articles one PUT …/articles takes at most, and one page of GET …/articles holds. */
export const MAX_ARTICLES_PER_REQUEST = 100;

const cut = (max: number) => z.string().transform((value) => cutToLength(value.trim(), max));

export const httpUrl = z.string().refine(isHttpUrl, 'must be an absolute http(s) URL');

/**
 * An article's metadata as a beacon or a CMS sends it (API.md "Counting
 * rules"): text longer than its cap is cut, not refused; `published` is an
 * ISO-8601 time or date, kept as UTC.
 */
export const articleMetadataFields = {
  title: cut(300),
  image: httpUrl.transform((url) => cutToLength(url, 2048)),
  section: cut(64),
  published: z
    .union([z.iso.datetime({ offset: true }), z.iso.date()])
    .transform((value) => new Date(value).toISOString()),
};

/** Each metadata field as a CMS may send it: a value, or null for none. */
const nullableMetadata = {
  title: articleMetadataFields.title.nullable().describe('Cut to 300 characters.'),
  image: articleMetadataFields.image.nullable().describe('An absolute http(s) URL, cut to 2,048 characters.'),
  section: articleMetadataFields.section.nullable().describe('Cut to 64 characters.'),
  published: articleMetadataFields.published.nullable().describe('ISO-8601 time or date, answered in UTC.'),
};

/** An article URL as a client sends it: any spelling, normalised to its key by the route. */
export const articleUrl = z
  .string()
  .min(1)
  .max(MAX_URL_LENGTH)
  .describe("The article's URL in any spelling, on one of the site's hosts; normalised to its key.");

/** One article of PUT …/articles: its URL, and what the CMS says of it. */
const articleInputBody = z.strictObject({
  url: articleUrl,
  title: nullableMetadata.title.optional(),
  image: nullableMetadata.image.optional(),
  section: nullableMetadata.section.optional(),
  published: nullableMetadata.published.optional(),
  hidden: z.boolean().optional().describe('Counted, never ranked.'),
});

/**
 * An article as a CMS pushes it (PUT …/articles): its URL, and what it says
 * of it. The registry gets it with `url` made the article key.
 */
export type ArticleInput = z.infer<typeof articleInputBody>;

/** The body of PUT …/articles: 1 to 100 articles, refused whole. */
export const articlesPutBody = z.strictObject({
  articles: z.array(articleInputBody).min(1).max(MAX_ARTICLES_PER_REQUEST),
});

/** The body of PATCH …/articles?url=: any of an article's metadata (null clears it), or whether it is hidden. */
export const articlePatchBody = z
  .strictObject({ ...nullableMetadata, hidden: z.boolean() })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'give at least one of hidden, title, image, section, published');

/** A change to one article (PATCH …/articles?url=): any of its metadata, or whether it is hidden. */
export type ArticlePatch = z.infer<typeof articlePatchBody>;

/** GET …/articles' query: which tab, and the page after `cursor` (a previous answer's). */
export const articleListQuery = z.object({
  status: z.enum(ARTICLE_LIST_STATUSES).default('verified'),
  cursor: z.string().min(1).max(4096).optional().describe('The `cursor` of the previous page; none for the first.'),
});

/** The article a PATCH or check is about. */
export const articleUrlQuery = z.object({ url: articleUrl });
