import { z } from 'zod';
import { NETWORKS } from '../../common/networks';
import { siteSettings } from '../sites/site-schema';

// Schemas of what the API answers, for the OpenAPI document only: requests are
// described by the very schemas the handlers validate with.

export const errorBody = z
  .object({
    error: z.object({
      code: z.string().describe('snake_case error code, e.g. invalid_request'),
      message: z.string().describe('What went wrong, for people'),
    }),
  })
  .meta({ id: 'Error' });

export const siteBody = z
  .object({
    id: z.string(),
    name: z.string(),
    hosts: z.array(z.string()),
    settings: siteSettings,
    created_at: z.string().describe('ISO-8601'),
  })
  .meta({ id: 'Site' });

export const siteListBody = z.object({ sites: z.array(siteBody) });

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

export const popularBody = z
  .object({
    site: z.string(),
    window: z.enum(['1h', '24h', '7d', '30d', 'all']),
    by: z.enum(['views', 'shares', 'score', 'trending']),
    generated_at: z.string().describe('ISO-8601'),
    items: z.array(
      z.object({
        rank: z.number().int().min(1),
        url: z.string(),
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

export const shariffBody = z
  .record(z.string(), z.number().int())
  .describe("Share counts under Shariff's service names: twitter, facebook, linkedin, whatsapp, telegram, reddit, bluesky, mastodon, pinterest, mail, clipboard");

export const healthBody = z.object({ ok: z.literal(true) });
