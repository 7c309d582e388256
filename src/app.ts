import { Hono } from 'hono';
import { ApiError, notFound, onError } from './errors';
import type { AppEnv } from './env';
import { adminRoutes } from './routes/admin';
import { countsRoutes } from './routes/counts';
import { dashboardRoutes } from './dashboard/index';
import { demoRoutes } from './routes/demo';
import { docsRoutes } from './routes/docs';
import { embedRoutes } from './routes/embed';
import { eventsRoutes } from './routes/events';
import { exportRoutes } from './routes/export';
import { healthRoutes } from './routes/health';
import { popularRoutes } from './routes/popular';
import { shareRoutes } from './routes/share';
import { shariffRoutes } from './routes/shariff';
import { widgetRoutes } from './routes/widget';
import { securityHeaders } from './http/security';

/**
 * Answers 405 for a known API path asked with a method it does not take:
 * registered after every route, so it only sees what no route answered.
 */
function refuseOtherMethods(app: Hono<AppEnv>): void {
  const paths = new Set(app.routes.filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/')).map((r) => r.path));
  for (const path of paths) {
    const allowed = [...new Set(app.routes.filter((r) => r.path === path && r.method !== 'ALL').map((r) => r.method))];
    app.all(path, (c) => {
      c.header('Allow', allowed.join(', '));
      throw new ApiError(405, 'method_not_allowed', `${c.req.method} is not allowed here; use ${allowed.join(' or ')}.`);
    });
  }
}

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
    .use(securityHeaders())
    .route('/', healthRoutes)
    .route('/', eventsRoutes)
    .route('/', countsRoutes)
    .route('/', popularRoutes)
    .route('/', adminRoutes)
    .route('/', exportRoutes)
    .route('/', demoRoutes)
    .route('/', shareRoutes)
    .route('/', shariffRoutes)
    .route('/', embedRoutes)
    .route('/', widgetRoutes)
    .route('/', dashboardRoutes);
  app.route('/', docsRoutes(app));
  refuseOtherMethods(app);
  app.notFound(notFound);
  app.onError(onError);
  return app;
}
