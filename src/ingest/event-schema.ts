import { z } from 'zod';
import { FROM_PATTERN, isBoxList, parseFrom } from '../../common/box-list';
import { NETWORKS } from '../../common/networks';
import { articleMetadataFields, httpUrl } from '../articles/article-schema';
import { siteId } from '../sites/site-schema';
import { MAX_URL_LENGTH } from './normalise-url';

// The routes that take a URL bound what they read by it.
export { MAX_URL_LENGTH };
export const MAX_EVENTS_PER_REQUEST = 20;
/** Popular boxes one page reports at most. */
export const MAX_BOXES_PER_VIEW = 5;

const event = z
  .object({
    site: siteId,
    type: z.enum(['view', 'share', 'read']),
    url: httpUrl.refine((url) => url.length <= MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`),
    network: z.enum(NETWORKS).optional(),
    from: z
      .string()
      // The pattern shows in the OpenAPI document; the refinement bounds the position.
      .regex(FROM_PATTERN, 'must be a popular list and a position 1–50, e.g. views-24h.3')
      .refine((value) => parseFrom(value) !== null, 'must be a popular list and a position 1–50, e.g. views-24h.3')
      .optional()
      .describe('The popular box link the page was opened from (`sp_from`): a view or a read only'),
    boxes: z
      .array(z.string().refine(isBoxList, 'must be a popular list, e.g. views-24h or trending'))
      .min(1)
      .max(MAX_BOXES_PER_VIEW)
      .refine((lists) => new Set(lists).size === lists.length, 'must not name a list twice')
      .optional()
      .describe('The popular lists the page shows (1–5, distinct): a view only'),
    // Accepted on a read as on a view, and never used for it.
    title: articleMetadataFields.title.optional(),
    image: articleMetadataFields.image.optional(),
    section: articleMetadataFields.section.optional(),
    published: articleMetadataFields.published.optional(),
  })
  .refine((e) => (e.type === 'share') === (e.network !== undefined), {
    message: 'a share needs a network, and a view or a read takes none',
    path: ['network'],
  })
  .refine((e) => e.type !== 'share' || e.from === undefined, {
    message: 'a share takes no from',
    path: ['from'],
  })
  .refine((e) => e.type === 'view' || e.boxes === undefined, {
    message: 'only a view takes boxes',
    path: ['boxes'],
  });

export type IncomingEvent = z.infer<typeof event>;

/** The body of POST /api/v1/events: one event, or an array of 1–20 accepted or refused whole. */
export const eventsBody = z.preprocess(
  (body) => (Array.isArray(body) ? body : [body]),
  z.array(event).min(1).max(MAX_EVENTS_PER_REQUEST),
);
