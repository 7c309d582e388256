import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { resolver } from 'hono-openapi';
import type { AppEnv } from '../env';
import { ApiError } from '../errors';
import { anyContentTypeJson } from '../http/validation';
import { eventsBody } from '../ingest/event-schema';
import { describe, errors } from '../openapi/describe';
import { RateLimited } from '../recording/flood-guard';
import { recordEvents } from '../recording/record-events';

export const MAX_BODY_BYTES = 16 * 1024;

/** POST /api/v1/events, mounted there: the beacon endpoint. */
export const eventsRoutes = new Hono<AppEnv>().post(
  '/',
  describe(
    'Recording',
    'Record views, shares and reads',
    {
      202: {
        description:
          'Accepted, counted or not (a bot, an opted-out visitor, a repeat, a network the site turned off, the per-IP cap…); no body',
      },
      ...errors(400, 403, 404, 405, 413, 429),
    },
    {
      description:
        'One event or an array of up to 20, accepted or refused whole. Any content type (navigator.sendBeacon sends text/plain). ' +
        'The Origin (or Referer) must be a host of the site. 429 (with Retry-After) only when one address sends a site ' +
        'far more events a minute than readers sharing an address do; readers behind one IP are never refused for sharing it.',
      requestBody: {
        required: true,
        content: {
          'application/json': { schema: resolver(eventsBody) },
          'text/plain': { schema: resolver(eventsBody) },
        },
      },
    },
  ),
  bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new ApiError('payload_too_large', `The body must be at most ${MAX_BODY_BYTES} bytes.`);
    },
  }),
  anyContentTypeJson(eventsBody),
  async (c) => {
    try {
      await recordEvents(c.env, c.req.valid('json'), {
        receivedMs: Date.now(),
        origin: c.req.header('Origin'),
        referer: c.req.header('Referer'),
        ip: c.req.header('CF-Connecting-IP') ?? '',
        userAgent: c.req.header('User-Agent'),
        secGpc: c.req.header('Sec-GPC'),
        waitUntil: (promise) => c.executionCtx.waitUntil(promise),
      });
    } catch (err) {
      // The error funnel answers it; a header set here goes with that answer.
      if (err instanceof RateLimited) c.header('Retry-After', String(err.retryAfterSeconds));
      throw err;
    }
    return c.body(null, 202);
  },
);
