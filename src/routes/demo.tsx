import { Hono } from 'hono';
import { DEMO_ARTICLES } from '../demo/articles';
import type { AppEnv } from '../env';
import { DemoPage } from '../render/demo-page';

export const demoRoutes = new Hono<AppEnv>().get('/demo/:slug{[a-z0-9-]*}?', (c) => {
  const slug = c.req.param('slug') ?? '';
  const article = DEMO_ARTICLES.find((a) => a.slug === slug);
  if (!article) return c.notFound();
  return c.html(`<!doctype html>${<DemoPage article={article} origin={new URL(c.req.url).origin} />}`);
});
