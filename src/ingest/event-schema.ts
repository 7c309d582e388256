import { z } from 'zod';
import { NETWORKS } from '../../common/networks';
import { siteId } from '../sites/site-schema';
import { cutToLength, isHttpUrl } from './text';

/** Longest article URL accepted; longer ones are refused, as they cannot be a key. */
export const MAX_URL_LENGTH = 2048;
export const MAX_EVENTS_PER_REQUEST = 20;

const cut = (max: number) => z.string().transform((value) => cutToLength(value.trim(), max));

const httpUrl = z.string().refine(isHttpUrl, 'must be an absolute http(s) URL');

const event = z
  .object({
    site: siteId,
    type: z.enum(['view', 'share']),
    url: httpUrl.refine((url) => url.length <= MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`),
    network: z.enum(NETWORKS).optional(),
    title: cut(300).optional(),
    image: httpUrl.transform((url) => cutToLength(url, 2048)).optional(),
    section: cut(64).optional(),
    published: z
      .union([z.iso.datetime({ offset: true }), z.iso.date()])
      .transform((value) => new Date(value).toISOString())
      .optional(),
  })
  .refine((e) => (e.type === 'share') === (e.network !== undefined), {
    message: 'a share needs a network, and a view takes none',
    path: ['network'],
  });

export type IncomingEvent = z.infer<typeof event>;

/** The body of POST /api/v1/events: one event, or an array of 1–20 accepted or refused whole. */
export const eventsBody = z.preprocess(
  (body) => (Array.isArray(body) ? body : [body]),
  z.array(event).min(1).max(MAX_EVENTS_PER_REQUEST),
);
