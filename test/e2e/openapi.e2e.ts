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
/** An article a CMS pushes to this file's site, and one no one ever reported. */
const CMS_ARTICLE = `https://${SITE_HOST}/cms`;
const NEVER_ARTICLE = `https://${SITE_HOST}/never`;
/** A demo page the local Worker serves, reported by a beacon and checked again. */
const DEMO_PAGE = `${API}/demo/derby`;

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

/** A case of an operation: the status it should answer, why, and the request. */
type CaseRow = [status: number, why: string, request: () => Promise<Response>];

const casesOf = (operation: string, rows: CaseRow[]): Case[] =>
  rows.map(([status, why, request]) => ({ operation, status, why, request }));

/** An admin operation's cases without its token (401) and with a wrong one (403). */
const tokenRefusals = (request: (headers: Record<string, string>) => Promise<Response>): CaseRow[] => [
  [401, 'no token', () => request({})],
  [403, 'a wrong token', () => request(WRONG_TOKEN)],
];

/** A beacon's body: a view of an article of this file's site, unless `change` says otherwise. */
const viewBody = (change: Record<string, unknown> = {}) =>
  JSON.stringify({ site: SITE, type: 'view', url: `https://${SITE_HOST}/a`, ...change });

const CASES: Case[] = [
  ...casesOf('GET /healthz', [[200, 'up', () => get('/healthz')]]),

  ...casesOf('POST /api/v1/events', [
    [202, 'a view from a page of the site', () => beacon(viewBody())],
    [400, 'not JSON', () => beacon('{')],
    [403, 'no Origin', () => beacon(viewBody(), {})],
    [404, 'an unknown site', () => beacon(viewBody({ site: UNKNOWN }))],
    [413, 'over 16 KiB', () => beacon(viewBody({ title: 't'.repeat(17 * 1024) }))],
  ]),

  ...casesOf('GET /api/v1/sites/{site}/counts', [
    [200, 'a seeded article', () => get(`/api/v1/sites/demo/counts?url=${encodeURIComponent(DEMO_ARTICLE)}`)],
    [400, 'not a URL', () => get('/api/v1/sites/demo/counts?url=nonsense')],
    [404, 'an unknown site', () => get(`/api/v1/sites/${UNKNOWN}/counts?url=https://x.example/`)],
  ]),

  ...casesOf('GET /api/v1/sites/{site}/popular', [
    [200, 'by views', () => get('/api/v1/sites/demo/popular?window=7d')],
    [200, 'trending', () => get('/api/v1/sites/demo/popular?by=trending')],
    [
      304,
      'If-None-Match',
      async () =>
        get('/api/v1/sites/demo/popular?limit=3', {
          'If-None-Match': await settledEtagOf('/api/v1/sites/demo/popular?limit=3'),
        }),
    ],
    [400, 'limit 0', () => get('/api/v1/sites/demo/popular?limit=0')],
    [404, 'an unknown site', () => get(`/api/v1/sites/${UNKNOWN}/popular`)],
  ]),

  ...casesOf('POST /api/v1/admin/sites', [
    [
      201,
      'a new site',
      () => json('POST', '/api/v1/admin/sites', { id: `oa-${run}-new`, name: 'New', hosts: [`new.${SITE_HOST}`] }),
    ],
    [400, 'no hosts', () => json('POST', '/api/v1/admin/sites', { id: `oa-${run}-bad`, name: 'Bad', hosts: [] })],
    ...tokenRefusals((headers) => json('POST', '/api/v1/admin/sites', {}, headers)),
    [
      409,
      'an id taken',
      () => json('POST', '/api/v1/admin/sites', { id: SITE, name: 'Again', hosts: [`again.${SITE_HOST}`] }),
    ],
  ]),

  ...casesOf('GET /api/v1/admin/sites', [
    [200, 'every site', () => get('/api/v1/admin/sites', ADMIN)],
    ...tokenRefusals((headers) => get('/api/v1/admin/sites', headers)),
  ]),

  ...casesOf('GET /api/v1/admin/sites/{site}', [
    [200, 'a site', () => get(`/api/v1/admin/sites/${SITE}`, ADMIN)],
    [400, 'not a site id', () => get('/api/v1/admin/sites/Not_An_Id', ADMIN)],
    ...tokenRefusals((headers) => get(`/api/v1/admin/sites/${SITE}`, headers)),
    [404, 'an unknown site', () => get(`/api/v1/admin/sites/${UNKNOWN}`, ADMIN)],
  ]),

  ...casesOf('PATCH /api/v1/admin/sites/{site}', [
    [200, 'a new name', () => json('PATCH', `/api/v1/admin/sites/${SITE}`, { name: 'Renamed' })],
    [400, 'an unknown field', () => json('PATCH', `/api/v1/admin/sites/${SITE}`, { colour: 'red' })],
    ...tokenRefusals((headers) => json('PATCH', `/api/v1/admin/sites/${SITE}`, { name: 'x' }, headers)),
    [404, 'an unknown site', () => json('PATCH', `/api/v1/admin/sites/${UNKNOWN}`, { name: 'x' })],
    [
      409,
      "the demo site's host",
      () => json('PATCH', `/api/v1/admin/sites/${SITE}`, { hosts: [SITE_HOST, '127.0.0.1'] }),
    ],
  ]),

  ...casesOf('DELETE /api/v1/admin/sites/{site}', [
    [204, 'a site', () => call(`/api/v1/admin/sites/${DOOMED_BY_ADMIN}`, { method: 'DELETE', headers: ADMIN })],
    [400, 'not a site id', () => call('/api/v1/admin/sites/Not_An_Id', { method: 'DELETE', headers: ADMIN })],
    ...tokenRefusals((headers) => call(`/api/v1/admin/sites/${SITE}`, { method: 'DELETE', headers })),
    [404, 'an unknown site', () => call(`/api/v1/admin/sites/${UNKNOWN}`, { method: 'DELETE', headers: ADMIN })],
  ]),

  ...casesOf('GET /api/v1/admin/sites/{site}/export', [
    [200, 'JSON', () => get('/api/v1/admin/sites/demo/export', ADMIN)],
    [200, 'CSV', () => get('/api/v1/admin/sites/demo/export?format=csv', ADMIN)],
    [400, 'an unknown format', () => get('/api/v1/admin/sites/demo/export?format=xml', ADMIN)],
    ...tokenRefusals((headers) => get('/api/v1/admin/sites/demo/export', headers)),
    [404, 'an unknown site', () => get(`/api/v1/admin/sites/${UNKNOWN}/export`, ADMIN)],
  ]),
  ...casesOf('GET /api/v1/admin/sites/{site}/articles', [
    [200, 'the verified articles', () => get(`/api/v1/admin/sites/${SITE}/articles`, ADMIN)],
    [400, 'an unknown status', () => get(`/api/v1/admin/sites/${SITE}/articles?status=deleted`, ADMIN)],
    ...tokenRefusals((headers) => get(`/api/v1/admin/sites/${SITE}/articles`, headers)),
    [404, 'an unknown site', () => get(`/api/v1/admin/sites/${UNKNOWN}/articles`, ADMIN)],
  ]),
  ...casesOf('PUT /api/v1/admin/sites/{site}/articles', [
    [
      200,
      'an article from a CMS',
      () =>
        json('PUT', `/api/v1/admin/sites/${SITE}/articles`, {
          articles: [{ url: CMS_ARTICLE, title: 'From the CMS' }],
        }),
    ],
    [400, 'no article', () => json('PUT', `/api/v1/admin/sites/${SITE}/articles`, { articles: [] })],
    ...tokenRefusals((headers) => json('PUT', `/api/v1/admin/sites/${SITE}/articles`, { articles: [] }, headers)),
    [
      404,
      'an unknown site',
      () => json('PUT', `/api/v1/admin/sites/${UNKNOWN}/articles`, { articles: [{ url: CMS_ARTICLE }] }),
    ],
  ]),
  ...casesOf('PATCH /api/v1/admin/sites/{site}/articles', [
    [
      200,
      'hidden',
      () =>
        json('PATCH', `/api/v1/admin/sites/${SITE}/articles?url=${encodeURIComponent(CMS_ARTICLE)}`, { hidden: true }),
    ],
    [
      400,
      'no change',
      () => json('PATCH', `/api/v1/admin/sites/${SITE}/articles?url=${encodeURIComponent(CMS_ARTICLE)}`, {}),
    ],
    ...tokenRefusals((headers) =>
      json(
        'PATCH',
        `/api/v1/admin/sites/${SITE}/articles?url=${encodeURIComponent(CMS_ARTICLE)}`,
        { hidden: true },
        headers,
      ),
    ),
    [
      404,
      'an unknown article',
      () =>
        json('PATCH', `/api/v1/admin/sites/${SITE}/articles?url=${encodeURIComponent(NEVER_ARTICLE)}`, {
          hidden: true,
        }),
    ],
  ]),
  ...casesOf('POST /api/v1/admin/sites/{site}/articles/check', [
    [
      200,
      'a page a beacon reported',
      async () => {
        const reported = await beacon(JSON.stringify({ site: 'demo', type: 'view', url: DEMO_PAGE }), { Origin: API });
        if (reported.status !== 202) throw new Error(`the demo page's beacon: ${reported.status}`);
        return call(`/api/v1/admin/sites/demo/articles/check?url=${encodeURIComponent(DEMO_PAGE)}`, {
          method: 'POST',
          headers: ADMIN,
        });
      },
    ],
    [400, 'no url', () => call(`/api/v1/admin/sites/${SITE}/articles/check`, { method: 'POST', headers: ADMIN })],
    ...tokenRefusals((headers) =>
      call(`/api/v1/admin/sites/${SITE}/articles/check?url=${encodeURIComponent(CMS_ARTICLE)}`, {
        method: 'POST',
        headers,
      }),
    ),
    [
      404,
      'an unknown article',
      () =>
        call(`/api/v1/admin/sites/${SITE}/articles/check?url=${encodeURIComponent(NEVER_ARTICLE)}`, {
          method: 'POST',
          headers: ADMIN,
        }),
    ],
  ]),
  ...casesOf('GET /api/v1/admin/sites/{site}/ledger', [
    [200, 'the last 30 days', () => get('/api/v1/admin/sites/demo/ledger', ADMIN)],
    [400, 'no day', () => get('/api/v1/admin/sites/demo/ledger?days=0', ADMIN)],
    ...tokenRefusals((headers) => get('/api/v1/admin/sites/demo/ledger', headers)),
    [404, 'an unknown site', () => get(`/api/v1/admin/sites/${UNKNOWN}/ledger`, ADMIN)],
  ]),
  ...casesOf('GET /api/v1/admin/sites/{site}/recirculation', [
    [200, 'the last 30 days', () => get('/api/v1/admin/sites/demo/recirculation', ADMIN)],
    [400, 'more days than a quarter', () => get('/api/v1/admin/sites/demo/recirculation?days=91', ADMIN)],
    ...tokenRefusals((headers) => get('/api/v1/admin/sites/demo/recirculation', headers)),
    [404, 'an unknown site', () => get(`/api/v1/admin/sites/${UNKNOWN}/recirculation`, ADMIN)],
  ]),

  ...casesOf('GET /demo/{slug}', [
    [200, 'the front page', () => get('/demo')],
    [404, 'no such story', () => get('/demo/no-such-story')],
  ]),
  ...casesOf('GET /demo/pictures/{file}', [
    [200, 'a picture', () => get('/demo/pictures/front.svg')],
    [404, 'no such picture', () => get('/demo/pictures/nothing.svg')],
  ]),
  ...casesOf('GET /favicon.ico', [[200, 'the icon', () => get('/favicon.ico')]]),

  ...casesOf('GET /api/v1/share/{network}', [
    [302, 'to X', () => get(`/api/v1/share/x?site=${SITE}&url=https://${SITE_HOST}/a`)],
    [400, 'an unknown network', () => get(`/api/v1/share/nope?site=${SITE}&url=https://${SITE_HOST}/a`)],
    [404, 'an unknown site', () => get(`/api/v1/share/x?site=${UNKNOWN}&url=https://${SITE_HOST}/a`)],
  ]),

  ...casesOf('GET /api/v1/shariff', [
    [200, 'a seeded article', () => get(`/api/v1/shariff?url=${encodeURIComponent(DEMO_ARTICLE)}`)],
    [400, 'not a URL', () => get('/api/v1/shariff?url=nonsense')],
    [404, 'a host no site has', () => get(`/api/v1/shariff?url=https://${UNKNOWN}.example/a`)],
  ]),

  ...casesOf('GET /embed/share', [
    [200, 'with counts', () => get(`/embed/share?site=demo&counts=true&url=${encodeURIComponent(DEMO_ARTICLE)}`)],
    [400, 'no site', () => get(`/embed/share?url=${encodeURIComponent(DEMO_ARTICLE)}`)],
    [404, 'an unknown site', () => get(`/embed/share?site=${UNKNOWN}&url=https://x.example/`)],
  ]),

  ...casesOf('GET /embed/popular', [
    [200, 'the demo site', () => get('/embed/popular?site=demo')],
    [400, 'an unknown window', () => get('/embed/popular?site=demo&window=2h')],
    [404, 'an unknown site', () => get(`/embed/popular?site=${UNKNOWN}`)],
  ]),

  ...casesOf('GET /widget.js', [
    [200, 'the script', () => get('/widget.js')],
    [304, 'If-None-Match', async () => get('/widget.js', { 'If-None-Match': await etagOf('/widget.js') })],
  ]),
  ...casesOf('GET /{file}', [
    [200, 'the current hash', async () => get(`/widget.${(await etagOf('/widget.js')).replaceAll('"', '')}.js`)],
    [302, 'an older hash', () => get('/widget.0000000000000000.js')],
  ]),

  ...Object.keys(spec.paths ?? {})
    .filter((path) => path.startsWith('/dashboard/assets/'))
    .map((path): Case => ({ operation: `GET ${path}`, status: 200, why: 'the asset', request: () => get(path) })),

  ...casesOf('GET /dashboard/login', [[200, 'the form', () => get('/dashboard/login')]]),
  ...casesOf('POST /dashboard/login', [
    [303, 'the right token', () => form('/dashboard/login', { token: ADMIN_TOKEN }, { cookie: '' })],
    [401, 'a wrong token', () => form('/dashboard/login', { token: 'not-the-token' }, { cookie: '' })],
    [
      403,
      'from another site',
      () => form('/dashboard/login', { token: ADMIN_TOKEN }, { origin: 'https://evil.example', cookie: '' }),
    ],
    [413, 'a huge form', () => form('/dashboard/login', { token: ADMIN_TOKEN, ...tooLarge }, { cookie: '' })],
  ]),
  ...casesOf('POST /dashboard/logout', [
    // Its own session: signing out revokes it, and the later cases need theirs.
    [303, 'signed in', async () => form('/dashboard/logout', {}, { cookie: await ownSession() })],
    [403, 'from another site', () => form('/dashboard/logout', {}, { origin: 'https://evil.example' })],
  ]),

  ...casesOf('GET /dashboard', [
    [200, 'the demo site', () => signedIn('/dashboard?site=demo')],
    [303, 'signed out', () => get('/dashboard')],
    [404, 'an unknown site', () => signedIn(`/dashboard?site=${UNKNOWN}`)],
  ]),
  ...casesOf('GET /dashboard/api/live', [
    [200, 'the demo site', () => signedIn('/dashboard/api/live?site=demo')],
    [400, 'not a site id', () => signedIn('/dashboard/api/live?site=Not_An_Id')],
    [401, 'signed out', () => get('/dashboard/api/live?site=demo')],
    [404, 'an unknown site', () => signedIn(`/dashboard/api/live?site=${UNKNOWN}`)],
  ]),

  ...casesOf('GET /dashboard/sites', [
    [200, 'the list', () => signedIn('/dashboard/sites')],
    [303, 'signed out', () => get('/dashboard/sites')],
  ]),
  ...casesOf('POST /dashboard/sites', [
    [303, 'a new site', () => form('/dashboard/sites', siteFields(`oa-${run}-form`, `form.${SITE_HOST}`))],
    [400, 'no hosts', () => form('/dashboard/sites', siteFields(`oa-${run}-form-bad`, ''))],
    [
      403,
      'from another site',
      () => form('/dashboard/sites', siteFields(`oa-${run}-evil`, 'evil.example'), { origin: 'https://evil.example' }),
    ],
    [409, 'an id taken', () => form('/dashboard/sites', siteFields(SITE, `taken.${SITE_HOST}`))],
    [
      413,
      'a huge form',
      () => form('/dashboard/sites', { ...siteFields(`oa-${run}-huge`, 'huge.example'), ...tooLarge }),
    ],
  ]),

  ...casesOf('GET /dashboard/sites/{site}', [
    [200, 'a site', () => signedIn(`/dashboard/sites/${SITE}`)],
    [303, 'signed out', () => get(`/dashboard/sites/${SITE}`)],
    [400, 'not a site id', () => signedIn('/dashboard/sites/Not_An_Id')],
    [404, 'an unknown site', () => signedIn(`/dashboard/sites/${UNKNOWN}`)],
  ]),
  ...casesOf('GET /dashboard/sites/{site}/articles', [
    [
      200,
      "the demo's most viewed article",
      async () => {
        const popular = (await (await get('/api/v1/sites/demo/popular?window=all')).json()) as {
          items: { url: string }[];
        };
        return signedIn(`/dashboard/sites/demo/articles?url=${encodeURIComponent(popular.items[0]!.url)}`);
      },
    ],
    [303, 'signed out', () => get(`/dashboard/sites/demo/articles?url=${encodeURIComponent(DEMO_ARTICLE)}`)],
    [400, 'not a URL', () => signedIn('/dashboard/sites/demo/articles?url=nonsense')],
    [
      404,
      'an article without counts',
      () => signedIn(`/dashboard/sites/demo/articles?url=${encodeURIComponent(`${DEMO_ARTICLE}/none-${run}`)}`),
    ],
  ]),

  ...casesOf('POST /dashboard/sites/{site}', [
    [303, 'a new name', () => form(`/dashboard/sites/${SITE}`, siteFields(SITE, SITE_HOST))],
    [400, 'no network', () => form(`/dashboard/sites/${SITE}`, { ...siteFields(SITE, SITE_HOST), networks: [] })],
    [
      403,
      'from another site',
      () => form(`/dashboard/sites/${SITE}`, siteFields(SITE, SITE_HOST), { origin: 'https://evil.example' }),
    ],
    [404, 'an unknown site', () => form(`/dashboard/sites/${UNKNOWN}`, siteFields(UNKNOWN, SITE_HOST))],
    [409, "the demo site's host", () => form(`/dashboard/sites/${SITE}`, siteFields(SITE, `${SITE_HOST}\n127.0.0.1`))],
    [413, 'a huge form', () => form(`/dashboard/sites/${SITE}`, { ...siteFields(SITE, SITE_HOST), ...tooLarge })],
  ]),
  ...casesOf('POST /dashboard/sites/{site}/delete', [
    [303, 'confirmed', () => form(`/dashboard/sites/${DOOMED_BY_DASHBOARD}/delete`, { confirm: DOOMED_BY_DASHBOARD })],
    [400, 'not confirmed', () => form(`/dashboard/sites/${SITE}/delete`, { confirm: 'no' })],
    [
      403,
      'from another site',
      () => form(`/dashboard/sites/${SITE}/delete`, { confirm: SITE }, { origin: 'https://evil.example' }),
    ],
    [404, 'an unknown site', () => form(`/dashboard/sites/${UNKNOWN}/delete`, { confirm: UNKNOWN })],
    [413, 'a huge form', () => form(`/dashboard/sites/${SITE}/delete`, { confirm: SITE, ...tooLarge })],
  ]),
  ...casesOf('GET /dashboard/sites/{site}/articles/list', [
    [200, 'the verified articles', () => signedIn(`/dashboard/sites/${SITE}/articles/list`)],
    [303, 'signed out', () => get(`/dashboard/sites/${SITE}/articles/list`)],
    [400, 'not a site id', () => signedIn('/dashboard/sites/Not_An_Id/articles/list')],
    [404, 'an unknown site', () => signedIn(`/dashboard/sites/${UNKNOWN}/articles/list`)],
  ]),
  ...(['hide', 'unhide', 'check'] as const).flatMap((action) => {
    const path = `/dashboard/sites/${action === 'check' ? 'demo' : SITE}/articles/${action}`;
    const url = action === 'check' ? DEMO_PAGE : CMS_ARTICLE;
    return casesOf(`POST /dashboard/sites/{site}/articles/${action}`, [
      [303, 'an article', () => form(path, { url })],
      [400, 'no article', () => form(path, {})],
      [403, 'from another site', () => form(path, { url }, { origin: 'https://evil.example' })],
      [404, 'an unknown article', () => form(`/dashboard/sites/${SITE}/articles/${action}`, { url: NEVER_ARTICLE })],
      [413, 'a huge form', () => form(path, { url, ...tooLarge })],
    ]);
  }),
  ...casesOf('GET /dashboard/sites/{site}/export', [
    [200, 'CSV', () => signedIn('/dashboard/sites/demo/export?format=csv')],
    [303, 'signed out', () => get('/dashboard/sites/demo/export')],
    [400, 'an unknown format', () => signedIn('/dashboard/sites/demo/export?format=xml')],
    [404, 'an unknown site', () => signedIn(`/dashboard/sites/${UNKNOWN}/export`)],
  ]),

  ...casesOf('GET /api/v1/openapi.json', [[200, 'the document', () => get('/api/v1/openapi.json')]]),
  ...casesOf('GET /docs', [[200, 'the reference', () => get('/docs')]]),
  ...casesOf('GET /docs/{file}', [
    [
      200,
      'its script',
      async () => get(/<script src="(\/docs\/[^"]+)"/.exec(await (await get('/docs')).text())?.[1] ?? '/docs/none'),
    ],
    [404, 'another version', () => get('/docs/try-it.0000000000000000.js')],
  ]),
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
      // Beacon mode: the file's site has no real pages for a check to fetch.
      const created = await json('POST', '/api/v1/admin/sites', {
        id,
        name: `Site ${id}`,
        hosts: [host],
        settings: { article_source: 'beacon' },
      });
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
