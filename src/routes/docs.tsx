import { Hono } from 'hono';
import { generateSpecs } from 'hono-openapi';
import type { OpenAPIV3_1 } from 'openapi-types';
import type { AppEnv } from '../env';
import { DOCS_JS, DOCS_JS_HASH } from '../generated/docs-ui';
import { withStyleNonce } from '../http/security';
import { describe, html } from '../openapi/describe';
import { DocsPage } from '../render/docs-page';

const SCRIPT_PATH = `/docs/try-it.${DOCS_JS_HASH}.js`;

const DOCUMENTATION = {
  openapi: '3.1.0',
  info: {
    title: 'sharepulse API',
    version: '1',
    description:
      'Share buttons, view and share counts and "most popular" rankings for news sites. The rules every endpoint follows (article keys, counting, rankings, errors) are in docs/API.md of the repository.',
  },
  servers: [{ url: '/' }],
  components: {
    securitySchemes: {
      adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN, a Worker secret' },
      dashboardSession: {
        type: 'apiKey',
        in: 'cookie',
        name: 'sharepulse_admin',
        description: 'Set by signing in at /dashboard/login',
      },
    },
  },
} as const;

type OpenApiDocument = () => Promise<OpenAPIV3_1.Document>;

/**
 * The OpenAPI 3.1 document of `app`, generated from the routes' own validators
 * and descriptions on first use, so it includes routes mounted after this is
 * called. Generated once per isolate: the routes never change at run time.
 */
export function openApiDocument(app: Hono<AppEnv>): OpenApiDocument {
  let spec: Promise<OpenAPIV3_1.Document> | undefined;
  return () =>
    (spec ??= generateSpecs(app, {
      documentation: DOCUMENTATION as unknown as OpenAPIV3_1.Document,
      // Each route lists its 400 with our error shape itself.
      defaultValidationErrorResponse: false,
      // /widget.js and the hashed asset paths are routes like any other.
      excludeStaticFile: false,
    }) as Promise<OpenAPIV3_1.Document>);
}

/** GET /api/v1/openapi.json, mounted there: the document itself. */
export const openApiRoutes = (document: OpenApiDocument) =>
  new Hono<AppEnv>().get(
    '/',
    describe('Operating', 'This OpenAPI 3.1 document', {
      200: { description: 'The document', content: { 'application/json': { schema: { type: 'object' } } } },
    }),
    async (c) => {
      c.header('Cache-Control', 'public, max-age=300');
      c.header('Access-Control-Allow-Origin', '*');
      return c.json(await document());
    },
  );

/** GET /docs, mounted there: a reference page made from the document, and its script. */
export const docsRoutes = (document: OpenApiDocument) =>
  new Hono<AppEnv>()
    .get(
      '/',
      withStyleNonce(),
      describe('Operating', 'This API reference, with "Try it"', { 200: html('The reference page') }),
      async (c) =>
        c.html(
          `<!doctype html>${<DocsPage spec={await document()} nonce={c.get('secureHeadersNonce') ?? ''} scriptPath={SCRIPT_PATH} />}`,
        ),
    )
    .get(
      '/:file{try-it\\.[0-9a-f]{16}\\.js}',
      describe('Operating', 'The reference page\u2019s script', {
        200: { description: 'JavaScript' },
        404: { description: 'Another version' },
      }),
      (c) => {
        if (c.req.param('file') !== SCRIPT_PATH.slice('/docs/'.length)) return c.notFound();
        c.header('Cache-Control', 'public, max-age=31536000, immutable');
        return c.body(DOCS_JS, 200, { 'Content-Type': 'text/javascript; charset=utf-8' });
      },
    );
