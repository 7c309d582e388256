import { z } from 'zod';
import { MAX_EXCLUDES, MAX_LIMIT, type PopularRequest } from '../ranking/popular-request';
import { RANK_BY, WINDOWS } from '../ranking/windows';

const DEFAULT_LIMIT = 10;
const MAX_SECTION_LENGTH = 64; // sections are cut to 64 characters when recorded
const MAX_URL_LENGTH = 4096;

/** The query string of GET /api/v1/sites/{site}/popular, with API.md's defaults. */
export const popularQuery = z.object({
  window: z.enum(WINDOWS).default('24h'),
  by: z.enum(RANK_BY).default('views'),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
  section: z.string().trim().min(1).max(MAX_SECTION_LENGTH).optional(),
  // Repeatable: one value arrives as a string, several as an array.
  exclude: z
    .union([z.string(), z.array(z.string())])
    .transform((value) => (Array.isArray(value) ? value : [value]))
    .pipe(z.array(z.string().min(1).max(MAX_URL_LENGTH)).max(MAX_EXCLUDES))
    .default([]),
});

export type PopularQuery = z.infer<typeof popularQuery>;

/** The request a query asks for, given how its `exclude` URLs normalise (which needs the site). */
export function toPopularRequest(query: PopularQuery, normalise: (url: string) => string): PopularRequest {
  return {
    window: query.window,
    by: query.by,
    limit: query.limit,
    section: query.section ?? null,
    exclude: [...new Set(query.exclude.map(normalise))].sort(),
  };
}
