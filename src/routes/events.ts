import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../errors';
import type { AppEnv } from '../env';
import { eventsBody } from '../ingest/event-schema';
import { recordEvents } from '../recording';
import { anyContentTypeJson } from '../validation';

export const MAX_BODY_BYTES = 16 * 1024;

export const eventsRoutes = new Hono<AppEnv>().post(
  '/api/v1/events',
  bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new ApiError(413, 'payload_too_large', `The body must be at most ${MAX_BODY_BYTES} bytes.`);
    },
  }),
  anyContentTypeJson(eventsBody),
  async (c) => {
    await recordEvents(c.env, c.req.valid('json'), {
      receivedMs: Date.now(),
      origin: c.req.header('Origin'),
      referer: c.req.header('Referer'),
      ip: c.req.header('CF-Connecting-IP') ?? '',
      userAgent: c.req.header('User-Agent'),
      secGpc: c.req.header('Sec-GPC'),
    });
    return c.body(null, 202);
  },
);
