import { z } from 'zod';
import { NETWORKS } from '../../common/networks';
import { articleBody } from '../articles/article-schema';
import { ERROR_CODES } from '../errors';
import { NOT_COUNTED_REASONS } from '../ledger/reasons';
import { RANK_BY, WINDOWS } from '../ranking/windows';
import { siteBody } from '../sites/site-schema';

// Schemas of what the API answers: the OpenAPI document is made of them, and
// the types of the answers are inferred from them. Requests are described by
// the very schemas the handlers validate with.

export const errorBody = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES).describe('snake_case error code, e.g. invalid_request'),
      message: z.string().describe('What went wrong, for people'),
    }),
  })
  .meta({ id: 'Error' });

export const siteListBody = z.object({ sites: z.array(siteBody) });
export type SiteListBody = z.infer<typeof siteListBody>;

export const countsBody = z
  .object({
    url: z.string().describe('The normalised article URL'),
    views: z.number().int(),
    shares: z.object({
      total: z.number().int(),
      by_network: z.partialRecord(z.enum(NETWORKS), z.number().int()),
    }),
  })
  .meta({ id: 'Counts' });
export type CountsBody = z.infer<typeof countsBody>;

export const popularBody = z
  .object({
    site: z.string(),
    window: z.enum(WINDOWS),
    by: z.enum(RANK_BY),
    generated_at: z.string().describe('ISO-8601'),
    items: z.array(
      z.object({
        rank: z.number().int().min(1),
        url: z.string().describe('The normalised article URL, its key'),
        link: z
          .string()
          .describe(
            'Where to send readers: the article as its page gives it (scheme and port included) when sharepulse knows it, else url',
          ),
        title: z.string().nullable(),
        image: z.string().nullable(),
        section: z.string().nullable(),
        published: z.string().nullable(),
        views: z.number().int(),
        shares: z.number().int(),
        score: z.number(),
        trending: z.number().optional().describe('The decayed score; only with by=trending'),
      }),
    ),
  })
  .meta({ id: 'PopularList' });
export type PopularBody = z.infer<typeof popularBody>;

export const shariffBody = z
  .record(z.string(), z.number().int())
  .describe(
    "Share counts under Shariff's service names: twitter, facebook, linkedin, whatsapp, telegram, reddit, bluesky, mastodon, pinterest, mail, clipboard",
  );
export type ShariffBody = z.infer<typeof shariffBody>;

export const ledgerDayBody = z
  .object({
    date: z.string().describe('UTC day, YYYY-MM-DD'),
    received: z.number().int().nonnegative().describe('Events accepted that day: counted + every reason not counted'),
    counted: z.number().int().nonnegative(),
    not_counted: z
      .record(z.enum(NOT_COUNTED_REASONS), z.number().int().nonnegative())
      .describe('Events not counted, per reason of the counting rules; every reason present, 0 where none'),
  })
  .meta({ id: 'LedgerDay' });
export type LedgerDayBody = z.infer<typeof ledgerDayBody>;

export const ledgerBody = z
  .object({ days: z.array(ledgerDayBody).describe('One entry per UTC day, newest first, days without events too') })
  .meta({ id: 'Ledger' });
export type LedgerBody = z.infer<typeof ledgerBody>;

export const articleListBody = z
  .object({
    articles: z.array(articleBody).describe('Up to 100 articles, in URL order'),
    cursor: z.string().nullable().describe('Send it as `cursor` for the next page; null on the last page'),
  })
  .meta({ id: 'ArticleList' });
export type ArticleListBody = z.infer<typeof articleListBody>;

export const articlesBody = z
  .object({ articles: z.array(articleBody).describe('As stored, in the order sent') })
  .meta({ id: 'Articles' });
export type ArticlesBody = z.infer<typeof articlesBody>;

export const healthBody = z.object({ ok: z.literal(true) });
export type HealthBody = z.infer<typeof healthBody>;
