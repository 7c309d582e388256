import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020';
import type { OpenAPIV3_1 } from 'openapi-types';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { READER_UA } from '../../scripts/lib/local-worker.mjs';

// Validated here, in Node, as the validators compile JSON Schemas to code,
// which workerd (rightly) does not allow. Needs `wrangler dev`, not a browser.

const API = inject('apiOrigin');
const ADMIN_TOKEN = inject('adminToken');

/** The JSON Schema keywords this file looks into; the rest pass through as they are. */
interface JsonSchema {
  $ref?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  [keyword: string]: unknown;
}

const spec = (await (await fetch(`${API}/api/v1/openapi.json`)).json()) as OpenAPIV3_1.Document;

describe('the OpenAPI document', () => {
  it('should validate against the OpenAPI 3.1 schema', async () => {
    const validator = new Validator();
    const result = await validator.validate(spec);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });
});

const ajv = new Ajv2020({ allErrors: true });

const component = (ref: string): JsonSchema => {
  const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
  const schema = name ? spec.components?.schemas?.[name] : undefined;
  if (!schema) throw new Error(`no component ${ref}`);
  return schema as JsonSchema;
};

/**
 * A documented schema with its references inlined and, stricter than JSON
 * Schema's default, every object that lists its properties closed to others:
 * an answer must not carry a field the document does not name.
 */
function closed(schema: JsonSchema): JsonSchema {
  if (schema.$ref) return closed(component(schema.$ref));
  const copy: JsonSchema = { ...schema };
  if (schema.properties) {
    copy.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([name, property]) => [name, closed(property)]),
    );
    if (schema.additionalProperties === undefined) copy.additionalProperties = false;
  }
  if (typeof schema.additionalProperties === 'object') copy.additionalProperties = closed(schema.additionalProperties);
  if (schema.items) copy.items = closed(schema.items);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const alternatives = schema[key];
    if (alternatives) copy[key] = alternatives.map(closed);
  }
  return copy;
}

const operationOf = (operation: string): OpenAPIV3_1.OperationObject | undefined => {
  const [method, path] = operation.split(' ') as [string, string];
  return (spec.paths?.[path] as Record<string, OpenAPIV3_1.OperationObject> | undefined)?.[method.toLowerCase()];
};

/** Expects `response` to be one the document gives `operation`: its status listed, its media type and JSON body as documented. */
async function expectDocumented(operation: string, response: Response): Promise<void> {
  const documented = operationOf(operation);
  expect(documented, `${operation} is not in the document`).toBeDefined();
  const answer = documented!.responses?.[String(response.status)] as OpenAPIV3_1.ResponseObject | undefined;
  expect(answer, `${operation} answered ${response.status}, which it does not document`).toBeDefined();
  const body = await response.text();
  if (!answer!.content) return;
  const mediaType = (response.headers.get('Content-Type') ?? '').split(';')[0]!.trim();
  expect(Object.keys(answer!.content), `${operation} ${response.status} answered ${mediaType}`).toContain(mediaType);
  if (mediaType !== 'application/json') return;
  const validate = ajv.compile(closed(answer!.content[mediaType]!.schema as JsonSchema));
  const valid = validate(JSON.parse(body));
  expect(valid, `${operation} ${response.status}: ${ajv.errorsText(validate.errors)}, in ${body.slice(0, 500)}`).toBe(
    true,
  );
}

// Fixtures: the seeded `demo` site (hosts localhost and 127.0.0.1, with
// counts) for reading, and sites of this file's own for changing.
const run = Date.now().toString(36);
const SITE = `oa-${run}`;
const SITE_HOST = `${SITE}.example`;
const DOOMED_BY_ADMIN = `oa-${run}-admin-delete`;
const DOOMED_BY_DASHBOARD = `oa-${run}-form-delete`;
const DEMO_ARTICLE = 'https://localhost:8787/demo';
const UNKNOWN = `oa-${run}-none`;

const ADMIN = { Authorization: `Bearer ${ADMIN_TOKEN}` };
const WRONG_TOKEN = { Authorization: 'Bearer not-the-token' };

let session = '';

const call = (path: string, init: RequestInit = {}) => fetch(`${API}${path}`, { redirect: 'manual', ...init });
const get = (path: string, headers: Record<string, string> = {}) => call(path, { headers });
const signedIn = (path: string) => get(path, { Cookie: session });
const json = (method: string, path: string, body: unknown, headers: Record<string, string> = ADMIN) =>
  call(path, { method, headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const beacon = (body: string, headers: Record<string, string> = { Origin: `https://${SITE_HOST}` }) =>
  call('/api/v1/events', {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain;charset=UTF-8', 'User-Agent': READER_UA, ...headers },
    body,
  });
/** A dashboard form post, from the dashboard's own origin unless `origin` says otherwise. */
const form = (path: string, fields: Record<string, string | string[]>, { origin = API, cookie = session } = {}) => {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const one of [value].flat()) body.append(name, one);
  return call(path, {
    method: 'POST',
    headers: { Origin: origin, Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
  });
};
/** A new dashboard session's cookie. */
async function ownSession(): Promise<string> {
  const signIn = await form('/dashboard/login', { token: ADMIN_TOKEN }, { cookie: '' });
  return signIn.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}
const siteFields = (id: string, hosts: string) => ({ id, name: `Site ${id}`, hosts, networks: ['x', 'email'] });
const tooLarge = { filler: 'x'.repeat(70 * 1024) };
const etagOf = async (path: string) => (await get(path)).headers.get('ETag') ?? '';

/**
 * The ETag a list answers with once it holds still: a read may be answered
 * from a stale copy while it refreshes in the background, and the next read
 * then has the fresh list's ETag.
 */
async function settledEtagOf(path: string): Promise<string> {
  let etag = await etagOf(path);
  for (let attempt = 0; attempt < 20; attempt++) {
    const next = await etagOf(path);
    if (next === etag) return etag;
    etag = next;
  }
  throw new Error(`${path}: its ETag never settled`);
}

interface Case {
  /** The documented operation: method and path template as the document names them. */
  operation: string;
  status: number;
  why: string;
  request: () => Promise<Response>;
}

const CASES: Case[] = [
  { operation: 'GET /healthz', status: 200, why: 'up', request: () => get('/healthz') },

  {
    operation: 'POST /api/v1/events',
    status: 202,
    why: 'a view from a page of the site',
    request: () => beacon(JSON.stringify({ site: SITE, type: 'view', url: `https://${SITE_HOST}/a` })),
  },
  { operation: 'POST /api/v1/events', status: 400, why: 'not JSON', request: () => beacon('{') },
  {
    operation: 'POST /api/v1/events',
    status: 403,
    why: 'no Origin',
    request: () => beacon(JSON.stringify({ site: SITE, type: 'view', url: `https://${SITE_HOST}/a` }), {}),
  },
  {
    operation: 'POST /api/v1/events',
    status: 404,
    why: 'an unknown site',
    request: () => beacon(JSON.stringify({ site: UNKNOWN, type: 'view', url: `https://${SITE_HOST}/a` })),
  },
  {
    operation: 'POST /api/v1/events',
    status: 413,
    why: 'over 16 KiB',
    request: () =>
      beacon(JSON.stringify({ site: SITE, type: 'view', url: `https://${SITE_HOST}/a`, title: 't'.repeat(17 * 1024) })),
  },

  {
    operation: 'GET /api/v1/sites/{site}/counts',
    status: 200,
    why: 'a seeded article',
    request: () => get(`/api/v1/sites/demo/counts?url=${encodeURIComponent(DEMO_ARTICLE)}`),
  },
  {
    operation: 'GET /api/v1/sites/{site}/counts',
    status: 400,
    why: 'not a URL',
    request: () => get('/api/v1/sites/demo/counts?url=nonsense'),
  },
  {
    operation: 'GET /api/v1/sites/{site}/counts',
    status: 404,
    why: 'an unknown site',
    request: () => get(`/api/v1/sites/${UNKNOWN}/counts?url=https://x.example/`),
  },

  {
    operation: 'GET /api/v1/sites/{site}/popular',
    status: 200,
    why: 'by views',
    request: () => get('/api/v1/sites/demo/popular?window=7d'),
  },
  {
    operation: 'GET /api/v1/sites/{site}/popular',
    status: 200,
    why: 'trending',
    request: () => get('/api/v1/sites/demo/popular?by=trending'),
  },
  {
    operation: 'GET /api/v1/sites/{site}/popular',
    status: 304,
    why: 'If-None-Match',
    request: async () =>
      get('/api/v1/sites/demo/popular?limit=3', {
        'If-None-Match': await settledEtagOf('/api/v1/sites/demo/popular?limit=3'),
      }),
  },
  {
    operation: 'GET /api/v1/sites/{site}/popular',
    status: 400,
    why: 'limit 0',
    request: () => get('/api/v1/sites/demo/popular?limit=0'),
  },
  {
    operation: 'GET /api/v1/sites/{site}/popular',
    status: 404,
    why: 'an unknown site',
    request: () => get(`/api/v1/sites/${UNKNOWN}/popular`),
  },

  {
    operation: 'POST /api/v1/admin/sites',
    status: 201,
    why: 'a new site',
    request: () =>
      json('POST', '/api/v1/admin/sites', { id: `oa-${run}-new`, name: 'New', hosts: [`new.${SITE_HOST}`] }),
  },
  {
    operation: 'POST /api/v1/admin/sites',
    status: 400,
    why: 'no hosts',
    request: () => json('POST', '/api/v1/admin/sites', { id: `oa-${run}-bad`, name: 'Bad', hosts: [] }),
  },
  {
    operation: 'POST /api/v1/admin/sites',
    status: 401,
    why: 'no token',
    request: () => json('POST', '/api/v1/admin/sites', {}, {}),
  },
  {
    operation: 'POST /api/v1/admin/sites',
    status: 403,
    why: 'a wrong token',
    request: () => json('POST', '/api/v1/admin/sites', {}, WRONG_TOKEN),
  },
  {
    operation: 'POST /api/v1/admin/sites',
    status: 409,
    why: 'an id taken',
    request: () => json('POST', '/api/v1/admin/sites', { id: SITE, name: 'Again', hosts: [`again.${SITE_HOST}`] }),
  },

  {
    operation: 'GET /api/v1/admin/sites',
    status: 200,
    why: 'every site',
    request: () => get('/api/v1/admin/sites', ADMIN),
  },
  { operation: 'GET /api/v1/admin/sites', status: 401, why: 'no token', request: () => get('/api/v1/admin/sites') },
  {
    operation: 'GET /api/v1/admin/sites',
    status: 403,
    why: 'a wrong token',
    request: () => get('/api/v1/admin/sites', WRONG_TOKEN),
  },

  {
    operation: 'GET /api/v1/admin/sites/{site}',
    status: 200,
    why: 'a site',
    request: () => get(`/api/v1/admin/sites/${SITE}`, ADMIN),
  },
  {
    operation: 'GET /api/v1/admin/sites/{site}',
    status: 400,
    why: 'not a site id',
    request: () => get('/api/v1/admin/sites/Not_An_Id', ADMIN),
  },
  {
    operation: 'GET /api/v1/admin/sites/{site}',
    status: 401,
    why: 'no token',
    request: () => get(`/api/v1/admin/sites/${SITE}`),
  },
  {
    operation: 'GET /api/v1/admin/sites/{site}',
    status: 403,
    why: 'a wrong token',
    request: () => get(`/api/v1/admin/sites/${SITE}`, WRONG_TOKEN),
  },
  {
    operation: 'GET /api/v1/admin/sites/{site}',
    status: 404,
    why: 'an unknown site',
    request: () => get(`/api/v1/admin/sites/${UNKNOWN}`, ADMIN),
  },

  {
    operation: 'PATCH /api/v1/admin/sites/{site}',
    status: 200,
    why: 'a new name',
    request: () => json('PATCH', `/api/v1/admin/sites/${SITE}`, { name: 'Renamed' }),
  },
  {
    operation: 'PATCH /api/v1/admin/sites/{site}',
    status: 400,
    why: 'an unknown field',
    request: () => json('PATCH', `/api/v1/admin/sites/${SITE}`, { colour: 'red' }),
  },
  {
    operation: 'PATCH /api/v1/admin/sites/{site}',
    status: 401,
    why: 'no token',
    request: () => json('PATCH', `/api/v1/admin/sites/${SITE}`, { name: 'x' }, {}),
  },
  {
    operation: 'PATCH /api/v1/admin/sites/{site}',
    status: 403,
    why: 'a wrong token',
    request: () => json('PATCH', `/api/v1/admin/sites/${SITE}`, { name: 'x' }, WRONG_TOKEN),
  },
  {
    operation: 'PATCH /api/v1/admin/sites/{site}',
    status: 404,
    why: 'an unknown site',
    request: () => json('PATCH', `/api/v1/admin/sites/${UNKNOWN}`, { name: 'x' }),
  },
  {
    operation: 'PATCH /api/v1/admin/sites/{site}',
    status: 409,
    why: "the demo site's host",
    request: () => json('PATCH', `/api/v1/admin/sites/${SITE}`, { hosts: [SITE_HOST, '127.0.0.1'] }),
  },

  {
    operation: 'DELETE /api/v1/admin/sites/{site}',
    status: 204,
    why: 'a site',
    request: () => call(`/api/v1/admin/sites/${DOOMED_BY_ADMIN}`, { method: 'DELETE', headers: ADMIN }),
  },
  {
    operation: 'DELETE /api/v1/admin/sites/{site}',
    status: 400,
    why: 'not a site id',
    request: () => call('/api/v1/admin/sites/Not_An_Id', { method: 'DELETE', headers: ADMIN }),
  },
  {
    operation: 'DELETE /api/v1/admin/sites/{site}',
    status: 401,
    why: 'no token',
    request: () => call(`/api/v1/admin/sites/${SITE}`, { method: 'DELETE' }),
  },
  {
    operation: 'DELETE /api/v1/admin/sites/{site}',
    status: 403,
    why: 'a wrong token',
    request: () => call(`/api/v1/admin/sites/${SITE}`, { method: 'DELETE', headers: WRONG_TOKEN }),
  },
  {
    operation: 'DELETE /api/v1/admin/sites/{site}',
    status: 404,
    why: 'an unknown site',
    request: () => call(`/api/v1/admin/sites/${UNKNOWN}`, { method: 'DELETE', headers: ADMIN }),
  },

  {
    operation: 'GET /api/v1/admin/sites/{site}/export',
    status: 200,
    why: 'JSON',
    request: () => get('/api/v1/admin/sites/demo/export', ADMIN),
  },
  {
    operation: 'GET /api/v1/admin/sites/{site}/export',
    status: 200,
    why: 'CSV',
    request: () => get('/api/v1/admin/sites/demo/export?format=csv', ADMIN),
  },
  {
    operation: 'GET /api/v1/admin/sites/{site}/export',
    status: 400,
    why: 'an unknown format',
    request: () => get('/api/v1/admin/sites/demo/export?format=xml', ADMIN),
  },
  {
    operation: 'GET /api/v1/admin/sites/{site}/export',
    status: 401,
    why: 'no token',
    request: () => get('/api/v1/admin/sites/demo/export'),
  },
  {
    operation: 'GET /api/v1/admin/sites/{site}/export',
    status: 403,
    why: 'a wrong token',
    request: () => get('/api/v1/admin/sites/demo/export', WRONG_TOKEN),
  },
  {
    operation: 'GET /api/v1/admin/sites/{site}/export',
    status: 404,
    why: 'an unknown site',
    request: () => get(`/api/v1/admin/sites/${UNKNOWN}/export`, ADMIN),
  },
  {
    operation: 'GET /api/v1/admin/sites/{site}/ledger',
    status: 200,
    why: 'the last 30 days',
    request: () => get('/api/v1/admin/sites/demo/ledger', ADMIN),
  },
  {
    operation: 'GET /api/v1/admin/sites/{site}/ledger',
    status: 400,
    why: 'no day',
    request: () => get('/api/v1/admin/sites/demo/ledger?days=0', ADMIN),
  },
  {
    operation: 'GET /api/v1/admin/sites/{site}/ledger',
    status: 401,
    why: 'no token',
    request: () => get('/api/v1/admin/sites/demo/ledger'),
  },
  {
    operation: 'GET /api/v1/admin/sites/{site}/ledger',
    status: 403,
    why: 'a wrong token',
    request: () => get('/api/v1/admin/sites/demo/ledger', WRONG_TOKEN),
  },
  {
    operation: 'GET /api/v1/admin/sites/{site}/ledger',
    status: 404,
    why: 'an unknown site',
    request: () => get(`/api/v1/admin/sites/${UNKNOWN}/ledger`, ADMIN),
  },

  { operation: 'GET /demo/{slug}', status: 200, why: 'the front page', request: () => get('/demo') },
  { operation: 'GET /demo/{slug}', status: 404, why: 'no such story', request: () => get('/demo/no-such-story') },
  {
    operation: 'GET /demo/pictures/{file}',
    status: 200,
    why: 'a picture',
    request: () => get('/demo/pictures/front.svg'),
  },
  {
    operation: 'GET /demo/pictures/{file}',
    status: 404,
    why: 'no such picture',
    request: () => get('/demo/pictures/nothing.svg'),
  },
  { operation: 'GET /favicon.ico', status: 200, why: 'the icon', request: () => get('/favicon.ico') },

  {
    operation: 'GET /api/v1/share/{network}',
    status: 302,
    why: 'to X',
    request: () => get(`/api/v1/share/x?site=${SITE}&url=https://${SITE_HOST}/a`),
  },
  {
    operation: 'GET /api/v1/share/{network}',
    status: 400,
    why: 'an unknown network',
    request: () => get(`/api/v1/share/nope?site=${SITE}&url=https://${SITE_HOST}/a`),
  },
  {
    operation: 'GET /api/v1/share/{network}',
    status: 404,
    why: 'an unknown site',
    request: () => get(`/api/v1/share/x?site=${UNKNOWN}&url=https://${SITE_HOST}/a`),
  },

  {
    operation: 'GET /api/v1/shariff',
    status: 200,
    why: 'a seeded article',
    request: () => get(`/api/v1/shariff?url=${encodeURIComponent(DEMO_ARTICLE)}`),
  },
  {
    operation: 'GET /api/v1/shariff',
    status: 400,
    why: 'not a URL',
    request: () => get('/api/v1/shariff?url=nonsense'),
  },
  {
    operation: 'GET /api/v1/shariff',
    status: 404,
    why: 'a host no site has',
    request: () => get(`/api/v1/shariff?url=https://${UNKNOWN}.example/a`),
  },

  {
    operation: 'GET /embed/share',
    status: 200,
    why: 'with counts',
    request: () => get(`/embed/share?site=demo&counts=true&url=${encodeURIComponent(DEMO_ARTICLE)}`),
  },
  {
    operation: 'GET /embed/share',
    status: 400,
    why: 'no site',
    request: () => get(`/embed/share?url=${encodeURIComponent(DEMO_ARTICLE)}`),
  },
  {
    operation: 'GET /embed/share',
    status: 404,
    why: 'an unknown site',
    request: () => get(`/embed/share?site=${UNKNOWN}&url=https://x.example/`),
  },

  {
    operation: 'GET /embed/popular',
    status: 200,
    why: 'the demo site',
    request: () => get('/embed/popular?site=demo'),
  },
  {
    operation: 'GET /embed/popular',
    status: 400,
    why: 'an unknown window',
    request: () => get('/embed/popular?site=demo&window=2h'),
  },
  {
    operation: 'GET /embed/popular',
    status: 404,
    why: 'an unknown site',
    request: () => get(`/embed/popular?site=${UNKNOWN}`),
  },

  { operation: 'GET /widget.js', status: 200, why: 'the script', request: () => get('/widget.js') },
  {
    operation: 'GET /widget.js',
    status: 304,
    why: 'If-None-Match',
    request: async () => get('/widget.js', { 'If-None-Match': await etagOf('/widget.js') }),
  },
  {
    operation: 'GET /{file}',
    status: 200,
    why: 'the current hash',
    request: async () => get(`/widget.${(await etagOf('/widget.js')).replaceAll('"', '')}.js`),
  },
  { operation: 'GET /{file}', status: 302, why: 'an older hash', request: () => get('/widget.0000000000000000.js') },

  ...Object.keys(spec.paths ?? {})
    .filter((path) => path.startsWith('/dashboard/assets/'))
    .map((path): Case => ({ operation: `GET ${path}`, status: 200, why: 'the asset', request: () => get(path) })),

  { operation: 'GET /dashboard/login', status: 200, why: 'the form', request: () => get('/dashboard/login') },
  {
    operation: 'POST /dashboard/login',
    status: 303,
    why: 'the right token',
    request: () => form('/dashboard/login', { token: ADMIN_TOKEN }, { cookie: '' }),
  },
  {
    operation: 'POST /dashboard/login',
    status: 401,
    why: 'a wrong token',
    request: () => form('/dashboard/login', { token: 'not-the-token' }, { cookie: '' }),
  },
  {
    operation: 'POST /dashboard/login',
    status: 403,
    why: 'from another site',
    request: () => form('/dashboard/login', { token: ADMIN_TOKEN }, { origin: 'https://evil.example', cookie: '' }),
  },
  {
    operation: 'POST /dashboard/login',
    status: 413,
    why: 'a huge form',
    request: () => form('/dashboard/login', { token: ADMIN_TOKEN, ...tooLarge }, { cookie: '' }),
  },
  {
    operation: 'POST /dashboard/logout',
    status: 303,
    why: 'signed in',
    // Its own session: signing out revokes it, and the later cases need theirs.
    request: async () => form('/dashboard/logout', {}, { cookie: await ownSession() }),
  },
  {
    operation: 'POST /dashboard/logout',
    status: 403,
    why: 'from another site',
    request: () => form('/dashboard/logout', {}, { origin: 'https://evil.example' }),
  },

  { operation: 'GET /dashboard', status: 200, why: 'the demo site', request: () => signedIn('/dashboard?site=demo') },
  { operation: 'GET /dashboard', status: 303, why: 'signed out', request: () => get('/dashboard') },
  {
    operation: 'GET /dashboard',
    status: 404,
    why: 'an unknown site',
    request: () => signedIn(`/dashboard?site=${UNKNOWN}`),
  },
  {
    operation: 'GET /dashboard/api/live',
    status: 200,
    why: 'the demo site',
    request: () => signedIn('/dashboard/api/live?site=demo'),
  },
  {
    operation: 'GET /dashboard/api/live',
    status: 400,
    why: 'not a site id',
    request: () => signedIn('/dashboard/api/live?site=Not_An_Id'),
  },
  {
    operation: 'GET /dashboard/api/live',
    status: 401,
    why: 'signed out',
    request: () => get('/dashboard/api/live?site=demo'),
  },
  {
    operation: 'GET /dashboard/api/live',
    status: 404,
    why: 'an unknown site',
    request: () => signedIn(`/dashboard/api/live?site=${UNKNOWN}`),
  },

  { operation: 'GET /dashboard/sites', status: 200, why: 'the list', request: () => signedIn('/dashboard/sites') },
  { operation: 'GET /dashboard/sites', status: 303, why: 'signed out', request: () => get('/dashboard/sites') },
  {
    operation: 'POST /dashboard/sites',
    status: 303,
    why: 'a new site',
    request: () => form('/dashboard/sites', siteFields(`oa-${run}-form`, `form.${SITE_HOST}`)),
  },
  {
    operation: 'POST /dashboard/sites',
    status: 400,
    why: 'no hosts',
    request: () => form('/dashboard/sites', siteFields(`oa-${run}-form-bad`, '')),
  },
  {
    operation: 'POST /dashboard/sites',
    status: 403,
    why: 'from another site',
    request: () =>
      form('/dashboard/sites', siteFields(`oa-${run}-evil`, 'evil.example'), { origin: 'https://evil.example' }),
  },
  {
    operation: 'POST /dashboard/sites',
    status: 409,
    why: 'an id taken',
    request: () => form('/dashboard/sites', siteFields(SITE, `taken.${SITE_HOST}`)),
  },
  {
    operation: 'POST /dashboard/sites',
    status: 413,
    why: 'a huge form',
    request: () => form('/dashboard/sites', { ...siteFields(`oa-${run}-huge`, 'huge.example'), ...tooLarge }),
  },

  {
    operation: 'GET /dashboard/sites/{site}',
    status: 200,
    why: 'a site',
    request: () => signedIn(`/dashboard/sites/${SITE}`),
  },
  {
    operation: 'GET /dashboard/sites/{site}',
    status: 303,
    why: 'signed out',
    request: () => get(`/dashboard/sites/${SITE}`),
  },
  {
    operation: 'GET /dashboard/sites/{site}',
    status: 400,
    why: 'not a site id',
    request: () => signedIn('/dashboard/sites/Not_An_Id'),
  },
  {
    operation: 'GET /dashboard/sites/{site}',
    status: 404,
    why: 'an unknown site',
    request: () => signedIn(`/dashboard/sites/${UNKNOWN}`),
  },
  {
    operation: 'GET /dashboard/sites/{site}/articles',
    status: 200,
    why: "the demo's most viewed article",
    request: async () => {
      const popular = (await (await get('/api/v1/sites/demo/popular?window=all')).json()) as {
        items: { url: string }[];
      };
      return signedIn(`/dashboard/sites/demo/articles?url=${encodeURIComponent(popular.items[0]!.url)}`);
    },
  },
  {
    operation: 'GET /dashboard/sites/{site}/articles',
    status: 303,
    why: 'signed out',
    request: () => get(`/dashboard/sites/demo/articles?url=${encodeURIComponent(DEMO_ARTICLE)}`),
  },
  {
    operation: 'GET /dashboard/sites/{site}/articles',
    status: 400,
    why: 'not a URL',
    request: () => signedIn('/dashboard/sites/demo/articles?url=nonsense'),
  },
  {
    operation: 'GET /dashboard/sites/{site}/articles',
    status: 404,
    why: 'an article without counts',
    request: () => signedIn(`/dashboard/sites/demo/articles?url=${encodeURIComponent(`${DEMO_ARTICLE}/none-${run}`)}`),
  },

  {
    operation: 'POST /dashboard/sites/{site}',
    status: 303,
    why: 'a new name',
    request: () => form(`/dashboard/sites/${SITE}`, siteFields(SITE, SITE_HOST)),
  },
  {
    operation: 'POST /dashboard/sites/{site}',
    status: 400,
    why: 'no network',
    request: () => form(`/dashboard/sites/${SITE}`, { ...siteFields(SITE, SITE_HOST), networks: [] }),
  },
  {
    operation: 'POST /dashboard/sites/{site}',
    status: 403,
    why: 'from another site',
    request: () => form(`/dashboard/sites/${SITE}`, siteFields(SITE, SITE_HOST), { origin: 'https://evil.example' }),
  },
  {
    operation: 'POST /dashboard/sites/{site}',
    status: 404,
    why: 'an unknown site',
    request: () => form(`/dashboard/sites/${UNKNOWN}`, siteFields(UNKNOWN, SITE_HOST)),
  },
  {
    operation: 'POST /dashboard/sites/{site}',
    status: 409,
    why: "the demo site's host",
    request: () => form(`/dashboard/sites/${SITE}`, siteFields(SITE, `${SITE_HOST}\n127.0.0.1`)),
  },
  {
    operation: 'POST /dashboard/sites/{site}',
    status: 413,
    why: 'a huge form',
    request: () => form(`/dashboard/sites/${SITE}`, { ...siteFields(SITE, SITE_HOST), ...tooLarge }),
  },
  {
    operation: 'POST /dashboard/sites/{site}/delete',
    status: 303,
    why: 'confirmed',
    request: () => form(`/dashboard/sites/${DOOMED_BY_DASHBOARD}/delete`, { confirm: DOOMED_BY_DASHBOARD }),
  },
  {
    operation: 'POST /dashboard/sites/{site}/delete',
    status: 400,
    why: 'not confirmed',
    request: () => form(`/dashboard/sites/${SITE}/delete`, { confirm: 'no' }),
  },
  {
    operation: 'POST /dashboard/sites/{site}/delete',
    status: 403,
    why: 'from another site',
    request: () => form(`/dashboard/sites/${SITE}/delete`, { confirm: SITE }, { origin: 'https://evil.example' }),
  },
  {
    operation: 'POST /dashboard/sites/{site}/delete',
    status: 404,
    why: 'an unknown site',
    request: () => form(`/dashboard/sites/${UNKNOWN}/delete`, { confirm: UNKNOWN }),
  },
  {
    operation: 'POST /dashboard/sites/{site}/delete',
    status: 413,
    why: 'a huge form',
    request: () => form(`/dashboard/sites/${SITE}/delete`, { confirm: SITE, ...tooLarge }),
  },
  {
    operation: 'GET /dashboard/sites/{site}/export',
    status: 200,
    why: 'CSV',
    request: () => signedIn('/dashboard/sites/demo/export?format=csv'),
  },
  {
    operation: 'GET /dashboard/sites/{site}/export',
    status: 303,
    why: 'signed out',
    request: () => get('/dashboard/sites/demo/export'),
  },
  {
    operation: 'GET /dashboard/sites/{site}/export',
    status: 400,
    why: 'an unknown format',
    request: () => signedIn('/dashboard/sites/demo/export?format=xml'),
  },
  {
    operation: 'GET /dashboard/sites/{site}/export',
    status: 404,
    why: 'an unknown site',
    request: () => signedIn(`/dashboard/sites/${UNKNOWN}/export`),
  },

  {
    operation: 'GET /api/v1/openapi.json',
    status: 200,
    why: 'the document',
    request: () => get('/api/v1/openapi.json'),
  },
  { operation: 'GET /docs', status: 200, why: 'the reference', request: () => get('/docs') },
  {
    operation: 'GET /docs/{file}',
    status: 200,
    why: 'its script',
    request: async () =>
      get(/<script src="(\/docs\/[^"]+)"/.exec(await (await get('/docs')).text())?.[1] ?? '/docs/none'),
  },
  {
    operation: 'GET /docs/{file}',
    status: 404,
    why: 'another version',
    request: () => get('/docs/try-it.0000000000000000.js'),
  },
];

describe('the check of an answer against the document', () => {
  it('should refuse an undocumented status, media type, value or field', async () => {
    await expect(expectDocumented('GET /healthz', Response.json({ ok: true }, { status: 500 }))).rejects.toThrow(
      /does not document/,
    );
    await expect(expectDocumented('GET /healthz', new Response('ok'))).rejects.toThrow(/text\/plain/);
    await expect(expectDocumented('GET /healthz', Response.json({ ok: false }))).rejects.toThrow(
      /must be equal to constant/,
    );
    await expect(expectDocumented('GET /healthz', Response.json({ ok: true, extra: 1 }))).rejects.toThrow(
      /must NOT have additional properties/,
    );
    await expect(expectDocumented('GET /healthz', Response.json({ ok: true }))).resolves.toBeUndefined();
  });
});

describe('every operation, answering as documented', () => {
  beforeAll(async () => {
    for (const [id, host] of [
      [SITE, SITE_HOST],
      [DOOMED_BY_ADMIN, `a.${SITE_HOST}`],
      [DOOMED_BY_DASHBOARD, `d.${SITE_HOST}`],
    ] as const) {
      const created = await json('POST', '/api/v1/admin/sites', { id, name: `Site ${id}`, hosts: [host] });
      if (created.status !== 201) throw new Error(`creating ${id}: ${created.status} ${await created.text()}`);
    }
    session = await ownSession();
    if (!session) throw new Error('signing in failed');
  });

  it.each(CASES)('$operation should answer $status for $why', async ({ operation, status, request }) => {
    const response = await request();
    expect(response.status, operation).toBe(status);
    await expectDocumented(operation, response);
  });

  it('should try every documented operation, with an answer it documents as an error where it has one', () => {
    for (const [path, item] of Object.entries(spec.paths ?? {})) {
      for (const [method, operation] of Object.entries(item as Record<string, OpenAPIV3_1.OperationObject>)) {
        const name = `${method.toUpperCase()} ${path}`;
        const tried = CASES.filter((c) => c.operation === name).map((c) => c.status);
        expect(
          tried.some((status) => status < 400),
          `${name}: no case of success`,
        ).toBe(true);
        const documentedErrors = Object.keys(operation.responses ?? {}).filter((status) => Number(status) >= 400);
        if (documentedErrors.length > 0)
          expect(
            tried.some((status) => status >= 400),
            `${name}: no case of an error`,
          ).toBe(true);
      }
    }
  });
});
