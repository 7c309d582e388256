import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { describe, json } from '../openapi/describe';
import { healthBody } from '../openapi/schemas';

export const healthRoutes = new Hono<AppEnv>().get('/healthz', describe('Operating', 'Health check', { 200: json(healthBody, 'The Worker is up') }), (c) => {
  c.header('Cache-Control', 'no-store');
  return c.json({ ok: true });
});
