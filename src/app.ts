import { Hono } from 'hono';
import { dashboardApp } from './dashboard/index';
import { DASHBOARD_PATH } from './dashboard/paths';
import type { AppEnv } from './env';
import { ApiError, notFound, onError } from './errors';
import { securityHeaders } from './http/security';
import { adminRoutes } from './routes/admin';
import { adminArticleRoutes } from './routes/admin-articles';
import { adminRecirculationRoutes } from './routes/admin-recirculation';
import { demoRoutes } from './routes/demo';
import { docsRoutes, openApiDocument, openApiRoutes } from './routes/docs';
import { embedRoutes } from './routes/embed';
import { eventsRoutes } from './routes/events';
import { faviconRoutes } from './routes/favicon';
import { healthRoutes } from './routes/health';
import { shareRoutes } from './routes/share';
import { shariffRoutes } from './routes/shariff';
import { sitesReadRoutes } from './routes/sites-read';
import { widgetRoutes } from './routes/widget';

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
      throw new ApiError('method_not_allowed', `${c.req.method} is not allowed here; use ${allowed.join(' or ')}.`);
    });
  }
}

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
    .use(securityHeaders())
    .route('/healthz', healthRoutes)
    .route('/api/v1/events', eventsRoutes)
    .route('/api/v1/sites', sitesReadRoutes)
    .route('/api/v1/admin', adminRoutes)
    // Under the admin routes' token check, which covers every /api/v1/admin path.
    .route('/api/v1/admin/sites/:site/articles', adminArticleRoutes)
    .route('/api/v1/admin/sites/:site/recirculation', adminRecirculationRoutes)
    .route('/demo', demoRoutes)
    .route('/api/v1/share', shareRoutes)
    .route('/api/v1/shariff', shariffRoutes)
    .route('/embed', embedRoutes)
    .route('/favicon.ico', faviconRoutes)
    .route('/', widgetRoutes)
    .route(DASHBOARD_PATH, dashboardApp);
  const document = openApiDocument(app);
  app.route('/api/v1/openapi.json', openApiRoutes(document)).route('/docs', docsRoutes(document));
  refuseOtherMethods(app);
  app.notFound(notFound);
  app.onError(onError);
  return app;
}
