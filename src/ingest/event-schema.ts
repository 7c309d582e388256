import { z } from 'zod';
import { NETWORKS } from '../../common/networks';
import { articleMetadataFields, httpUrl } from '../articles/article-schema';
import { siteId } from '../sites/site-schema';
import { MAX_URL_LENGTH } from './normalise-url';

// The routes that take a URL bound what they read by it.
export { MAX_URL_LENGTH };
export const MAX_EVENTS_PER_REQUEST = 20;

const event = z
  .object({
    site: siteId,
    type: z.enum(['view', 'share']),
    url: httpUrl.refine((url) => url.length <= MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`),
    network: z.enum(NETWORKS).optional(),
    title: articleMetadataFields.title.optional(),
    image: articleMetadataFields.image.optional(),
    section: articleMetadataFields.section.optional(),
    published: articleMetadataFields.published.optional(),
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
