import { Hono } from 'hono';
import type { AppEnv } from '../env';

export const healthRoutes = new Hono<AppEnv>().get('/healthz', (c) => {
  c.header('Cache-Control', 'no-store');
  return c.json({ ok: true });
});
