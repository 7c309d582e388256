import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { describe, json } from '../openapi/describe';
import { type HealthBody, healthBody } from '../openapi/schemas';

/** GET /healthz, mounted at /healthz. */
export const healthRoutes = new Hono<AppEnv>().get(
  '/',
  describe('Operating', 'Health check', { 200: json(healthBody, 'The Worker is up') }),
  (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ ok: true } satisfies HealthBody);
  },
);
