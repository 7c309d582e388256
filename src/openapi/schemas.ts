import { z } from 'zod';
import { MAX_POSITION } from '../../common/box-list';
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
    reads: z.number().int().describe('Views whose reader stayed (API.md "Reads"), at most one per view'),
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
        reads: z.number().int(),
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
    counted: z.number().int().nonnegative().describe('Events counted that day: views, shares and reads'),
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

/** What a list, or one position of it, brought: clicks, and their share of the list's impressions. */
const boxClicks = {
  clicks: z.number().int().nonnegative().describe('Counted views opened from it, one per visitor, article and day'),
  quality_clicks: z.number().int().nonnegative().describe('Clicks whose read counted too; never more than clicks'),
  click_through: z.number().nonnegative().describe("clicks / the list's impressions; 0 without impressions"),
};

export const recirculationListBody = z.object({
  list: z.string().describe('The popular list: `<by>-<window>` (e.g. `views-24h`) or `trending`'),
  impressions: z.number().int().nonnegative().describe('Counted views of pages whose popular box showed the list'),
  ...boxClicks,
  positions: z
    .array(z.object({ position: z.number().int().min(1).max(MAX_POSITION), ...boxClicks }))
    .describe('The positions that had clicks, first position first'),
});
export type RecirculationListBody = z.infer<typeof recirculationListBody>;

export const recirculationBody = z
  .object({
    from: z.string().describe('First UTC day, YYYY-MM-DD'),
    to: z.string().describe('Last UTC day (today), YYYY-MM-DD'),
    lists: z
      .array(recirculationListBody)
      .describe('Lists with impressions or clicks in those days, most impressions first, then by list'),
  })
  .meta({ id: 'Recirculation' });
export type RecirculationBody = z.infer<typeof recirculationBody>;

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
