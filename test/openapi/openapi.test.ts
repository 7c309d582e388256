import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { FROM_PATTERN } from '../../common/box-list';
import { createApp } from '../../src/app';
import { ERRORS } from '../../src/errors';

const spec = async () =>
  (await SELF.fetch('https://api.test/api/v1/openapi.json')).json<{
    openapi: string;
    paths: Record<string, Record<string, { responses: Record<string, unknown>; tags?: string[] }>>;
    components: {
      schemas: Record<string, { properties?: Record<string, { properties?: Record<string, { enum?: string[] }> }> }>;
    };
  }>();

/** Hono's `/a/:b{regex}?` as OpenAPI's `/a/{b}`. */
const openApiPath = (path: string) => path.replace(/:([A-Za-z_]+)(\{(?:[^{}]|\{[^{}]*\})*\})?\??/g, '{$1}');

describe('GET /api/v1/openapi.json', () => {
  it('should be an OpenAPI 3.1 document', async () => {
    const response = await SELF.fetch('https://api.test/api/v1/openapi.json');
    expect(response.status).toBe(200);
    expect((await spec()).openapi).toBe('3.1.0');
  });

  it('should describe every route of the app, with its answers and a tag', async () => {
    const { paths } = await spec();
    const routes = createApp().routes.filter((r) => r.method !== 'ALL');
    expect(routes.length).toBeGreaterThan(15);
    for (const route of routes) {
      const operation = paths[openApiPath(route.path)]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      expect(Object.keys(operation!.responses).length, `${route.method} ${route.path}`).toBeGreaterThan(0);
      expect(operation!.tags?.length, `${route.method} ${route.path}`).toBe(1);
    }
  });

  it('should list the error codes of the catalogue, and no other, in the error shape', async () => {
    const { components } = await spec();
    expect(components.schemas.Error?.properties?.error?.properties?.code?.enum).toEqual(Object.keys(ERRORS));
  });

  it('should describe requests with the schemas the handlers validate with', async () => {
    const { paths } = await spec();
    const counts = paths['/api/v1/sites/{site}/counts']!.get as unknown as {
      parameters: { name: string; in: string; schema: { pattern?: string } }[];
    };
    expect(counts.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'site',
          in: 'path',
          schema: expect.objectContaining({ pattern: '^[a-z0-9][a-z0-9-]{0,31}$' }),
        }),
        expect.objectContaining({ name: 'url', in: 'query' }),
      ]),
    );
    const events = paths['/api/v1/events']!.post as unknown as { requestBody: { content: Record<string, unknown> } };
    expect(Object.keys(events.requestBody.content)).toEqual(['application/json', 'text/plain']);
    // A read's or view's `from` shows its shape, not only a free string.
    expect(JSON.stringify(events.requestBody.content['application/json'])).toContain(
      JSON.stringify(FROM_PATTERN.source),
    );
  });
});

describe('GET /docs', () => {
  it('should list every operation with a Try it form, under the strict CSP', async () => {
    const response = await SELF.fetch('https://api.test/docs');
    expect(response.status).toBe(200);
    const html = await response.text();
    const { paths } = await spec();
    for (const path of Object.keys(paths)) expect(html).toContain(`<code>${path}</code>`);
    expect(html).toContain('data-try');
    const script = /<script src="(\/docs\/try-it\.[0-9a-f]{16}\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await SELF.fetch(`https://api.test${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('Content-Type')).toMatch(/javascript/);
    expect((await SELF.fetch('https://api.test/docs/try-it.0000000000000000.js')).status).toBe(404);
  });
});
