import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { secretsEqual } from '../../src/auth/admin-token';
import { MAX_FAILURES } from '../../src/auth/failure-throttle';
import { NOT_COUNTED_REASONS } from '../../src/ledger/reasons';
import type { LedgerBody } from '../../src/openapi/schemas';
import { DAY_MS, dayOf } from '../../src/time';
import { itRefusesMissingAndWrongTokens } from '../support/admin-auth';
import {
  ADMIN,
  createSite,
  expectError,
  flushAllShards,
  postEvents,
  storedRows,
  uniqueSiteId,
} from '../support/helpers';
import { ALL_NETWORKS } from '../support/networks';

const admin = (path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
  SELF.fetch(`https://api.test/api/v1/admin${path}`, {
    method: init.method ?? 'GET',
    headers: { ...ADMIN, 'Content-Type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });

describe('admin authentication', () => {
  const routes: [string, string][] = [
    ['GET', '/sites'],
    ['POST', '/sites'],
    ['GET', '/sites/demo'],
    ['PATCH', '/sites/demo'],
    ['DELETE', '/sites/demo'],
    ['GET', '/sites/demo/ledger'],
  ];

  itRefusesMissingAndWrongTokens(routes, (method, path, headers) => admin(path, { method, headers }));

  it('should refuse a token that only starts like the right one', async () => {
    await expectError(
      await admin('/sites', { headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}x` } }),
      403,
      'forbidden',
    );
    await expectError(
      await admin('/sites', { headers: { Authorization: `Bearer ${env.ADMIN_TOKEN.slice(0, -1)}` } }),
      403,
      'forbidden',
    );
  });

  it('should refuse other schemes than Bearer', async () => {
    await expectError(
      await admin('/sites', { headers: { Authorization: `Basic ${btoa(`admin:${env.ADMIN_TOKEN}`)}` } }),
      401,
      'unauthorized',
    );
  });

  it('should reveal nothing about sites without the token', async () => {
    const { id } = await createSite();
    const response = await admin(`/sites/${id}`, { headers: { Authorization: 'Bearer wrong' } });
    expect(await response.text()).not.toContain(id);
  });

  it('should compare secrets exactly', async () => {
    expect(await secretsEqual('abc', 'abc')).toBe(true);
    expect(await secretsEqual('abc', 'abd')).toBe(false);
    expect(await secretsEqual('abc', 'abcd')).toBe(false);
    expect(await secretsEqual('', 'abc')).toBe(false);
  });
});

describe('admin sites', () => {
  // The defaults a new site answers, spelled out rather than taken from
  // src/sites/site-schema.ts, so that a changed default fails here.
  const API_DEFAULT_SETTINGS = {
    share_weight: 5,
    half_life_hours: 12,
    respect_gpc: false,
    networks: ALL_NETWORKS,
    max_events_per_second: 5000,
    max_visitors_per_ip: 20,
    hourly_retention_days: 31,
    daily_retention_days: 400,
    time_zone: 'UTC',
    article_source: 'page',
    image_hosts: [],
    exclude_paths: [],
    max_new_articles_per_hour: 1000,
  };

  it('should create a site with default settings and answer 201 with it', async () => {
    const id = uniqueSiteId();
    const response = await admin('/sites', {
      method: 'POST',
      body: { id, name: 'Daily News', hosts: [`WWW.${id}.Example`, `${id}.example`] },
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({
      id,
      name: 'Daily News',
      hosts: [`www.${id}.example`, `${id}.example`],
      settings: API_DEFAULT_SETTINGS,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('should take the settings it is given', async () => {
    const id = uniqueSiteId();
    const response = await admin('/sites', {
      method: 'POST',
      body: {
        id,
        name: 'N',
        hosts: [`${id}.example`],
        settings: { share_weight: 2, respect_gpc: true, networks: ['x', 'email'] },
      },
    });
    const site = await response.json<{ settings: unknown }>();
    expect(site.settings).toEqual({
      ...API_DEFAULT_SETTINGS,
      share_weight: 2,
      respect_gpc: true,
      networks: ['x', 'email'],
    });
  });

  it('should list, read, update and delete a site', async () => {
    const { id, host } = await createSite();
    const list = await (await admin('/sites')).json<{ sites: { id: string }[] }>();
    expect(list.sites.map((s) => s.id)).toContain(id);

    const read = await (await admin(`/sites/${id}`)).json<{ id: string; hosts: string[] }>();
    expect(read).toMatchObject({ id, hosts: [host] });

    const patched = await admin(`/sites/${id}`, {
      method: 'PATCH',
      body: { name: 'Renamed', settings: { half_life_hours: 6 } },
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({
      id,
      name: 'Renamed',
      hosts: [host],
      settings: { half_life_hours: 6, share_weight: 5 },
    });

    const rehosted = await admin(`/sites/${id}`, { method: 'PATCH', body: { hosts: [`new-${host}`] } });
    expect(await rehosted.json()).toMatchObject({ name: 'Renamed', hosts: [`new-${host}`] });

    expect((await admin(`/sites/${id}`, { method: 'DELETE' })).status).toBe(204);
    await expectError(await admin(`/sites/${id}`), 404, 'unknown_site');
    await expectError(await admin(`/sites/${id}`, { method: 'DELETE' }), 404, 'unknown_site');
  });

  it('should apply changed settings and hosts to recording at once', async () => {
    const { id, host } = await createSite();
    const origin = `https://${host}`;
    await admin(`/sites/${id}`, { method: 'PATCH', body: { hosts: [`moved-${host}`] } });
    await expectError(
      await postEvents({ site: id, type: 'view', url: `${origin}/a` }, { origin }),
      403,
      'origin_not_allowed',
    );
  });

  it('should delete a site\u2019s counts with it, and count nothing for it afterwards', async () => {
    const { id, host } = await createSite();
    const origin = `https://${host}`;
    await postEvents({ site: id, type: 'view', url: `${origin}/a` }, { origin });
    await flushAllShards();
    const ledgerRows = async () =>
      (await env.DB.prepare('SELECT count(*) AS n FROM site_ledger WHERE site_id = ?').bind(id).first<{ n: number }>())!
        .n;
    expect(await storedRows(id)).toBeGreaterThan(0);
    expect(await ledgerRows()).toBeGreaterThan(0);
    await admin(`/sites/${id}`, { method: 'DELETE' });
    expect(await storedRows(id)).toBe(0);
    expect(await ledgerRows()).toBe(0);
    await expectError(
      await postEvents({ site: id, type: 'view', url: `${origin}/a` }, { origin }),
      404,
      'unknown_site',
    );
  });

  it('should refuse a second site with the same id with 409', async () => {
    const { id } = await createSite();
    await expectError(
      await admin('/sites', { method: 'POST', body: { id, name: 'Again', hosts: [`again-${id}.example`] } }),
      409,
      'site_exists',
    );
  });

  it('should refuse a host another site owns with 409, on create and on update', async () => {
    const a = await createSite();
    const b = await createSite();
    const id = uniqueSiteId();
    await expectError(
      await admin('/sites', { method: 'POST', body: { id, name: 'N', hosts: [a.host.toUpperCase()] } }),
      409,
      'host_taken',
    );
    await expectError(await admin(`/sites/${id}`), 404, 'unknown_site');
    await expectError(
      await admin(`/sites/${b.id}`, { method: 'PATCH', body: { hosts: [b.host, a.host] } }),
      409,
      'host_taken',
    );
    expect(await (await admin(`/sites/${b.id}`)).json()).toMatchObject({ hosts: [b.host] });
  });

  it('should let a site keep its own hosts on update', async () => {
    const { id, host } = await createSite();
    const response = await admin(`/sites/${id}`, { method: 'PATCH', body: { hosts: [host, `www.${host}`] } });
    expect(response.status).toBe(200);
  });

  it.each([
    ['a bad id', { id: 'Bad Id', name: 'N', hosts: ['bad.example'] }],
    ['an id over 32 characters', { id: 'a'.repeat(33), name: 'N', hosts: ['long.example'] }],
    ['no hosts', { id: 'nohosts', name: 'N', hosts: [] }],
    ['a host with a scheme', { id: 'scheme', name: 'N', hosts: ['https://news.example'] }],
    ['a host with a port', { id: 'port', name: 'N', hosts: ['news.example:8080'] }],
    ['an empty name', { id: 'noname', name: ' ', hosts: ['noname.example'] }],
    ['an unknown setting', { id: 'unknownset', name: 'N', hosts: ['u.example'], settings: { colour: 'red' } }],
    ['a negative share weight', { id: 'negweight', name: 'N', hosts: ['w.example'], settings: { share_weight: -1 } }],
    ['a zero half-life', { id: 'zerohalf', name: 'N', hosts: ['h.example'], settings: { half_life_hours: 0 } }],
    ['an unknown network', { id: 'badnet', name: 'N', hosts: ['n.example'], settings: { networks: ['myspace'] } }],
    ['no visitor per IP', { id: 'zeroip', name: 'N', hosts: ['z.example'], settings: { max_visitors_per_ip: 0 } }],
    [
      'over 100,000 visitors per IP',
      { id: 'bigip', name: 'N', hosts: ['b.example'], settings: { max_visitors_per_ip: 100_001 } },
    ],
    [
      'a fraction of a visitor per IP',
      { id: 'fracip', name: 'N', hosts: ['f.example'], settings: { max_visitors_per_ip: 1.5 } },
    ],
    ['an unknown field', { id: 'extra', name: 'N', hosts: ['e.example'], owner: 'me' }],
  ])('should refuse a site with %s with 400 and store nothing', async (_, body) => {
    await expectError(await admin('/sites', { method: 'POST', body }), 400, 'invalid_request');
    const { sites } = await (await admin('/sites')).json<{ sites: { id: string }[] }>();
    expect(sites.map((s) => s.id)).not.toContain(body.id);
  });

  it('should refuse a bad update with 400 and change nothing', async () => {
    const { id, host } = await createSite();
    await expectError(
      await admin(`/sites/${id}`, { method: 'PATCH', body: { settings: { share_weight: 'five' } } }),
      400,
      'invalid_request',
    );
    await expectError(
      await admin(`/sites/${id}`, { method: 'PATCH', body: { hosts: ['not a host'] } }),
      400,
      'invalid_request',
    );
    await expectError(
      await admin(`/sites/${id}`, { method: 'PATCH', body: { settings: { time_zone: 'Mars/Olympus' } } }),
      400,
      'invalid_request',
    );
    expect(await (await admin(`/sites/${id}`)).json()).toMatchObject({
      hosts: [host],
      settings: { share_weight: 5, time_zone: 'UTC' },
    });
  });

  it('should refuse malformed JSON with 400', async () => {
    const response = await SELF.fetch('https://api.test/api/v1/admin/sites', {
      method: 'POST',
      headers: { ...ADMIN, 'Content-Type': 'application/json' },
      body: '{"id":',
    });
    await expectError(response, 400, 'bad_request');
  });

  it('should answer 404 for an unknown site and 400 for a malformed id in the path', async () => {
    await expectError(await admin(`/sites/${uniqueSiteId()}`), 404, 'unknown_site');
    await expectError(await admin('/sites/NOT_VALID'), 400, 'invalid_request');
  });

  it('should answer 405 for a method a known admin path does not take', async () => {
    await expectError(await admin('/sites', { method: 'DELETE' }), 405, 'method_not_allowed');
  });
});

describe('admin ledger', () => {
  const today = dayOf(Date.now());
  const date = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
  const zeros = Object.fromEntries(NOT_COUNTED_REASONS.map((reason) => [reason, 0]));

  /** Rows as shard flushes leave them in D1. */
  const seedLedger = (site: string, rows: [day: number, outcome: string, n: number][]) =>
    env.DB.batch(
      rows.map(([day, outcome, n]) =>
        env.DB.prepare('INSERT INTO site_ledger (site_id, day, outcome, n) VALUES (?, ?, ?, ?)').bind(
          site,
          day,
          outcome,
          n,
        ),
      ),
    );

  it('should answer one entry per UTC day, newest first, quiet days and every reason included', async () => {
    const { id } = await createSite();
    const other = await createSite();
    await seedLedger(id, [
      [today, 'view', 7],
      [today, 'share', 2],
      [today, 'repeat', 3],
      [today, 'ip_cap', 4],
      [today - 2, 'view', 1],
      [today - 2, 'bot', 5],
      // Before the days asked for.
      [today - 3, 'view', 100],
    ]);
    await seedLedger(other.id, [[today, 'view', 50]]);

    const response = await admin(`/sites/${id}/ledger?days=3`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      days: [
        { date: date(today), received: 16, counted: 9, not_counted: { ...zeros, repeat: 3, ip_cap: 4 } },
        { date: date(today - 1), received: 0, counted: 0, not_counted: zeros },
        { date: date(today - 2), received: 6, counted: 1, not_counted: { ...zeros, bot: 5 } },
      ],
    });
    // Every reason of the counting rules, in their order.
    const [first] = (await (await admin(`/sites/${id}/ledger?days=1`)).json<LedgerBody>()).days;
    expect(Object.keys(first!.not_counted)).toEqual([...NOT_COUNTED_REASONS]);
  });

  it('should answer 30 days unless asked, and up to 400', async () => {
    const { id } = await createSite();
    const thirty = await (await admin(`/sites/${id}/ledger`)).json<LedgerBody>();
    expect(thirty.days.map((d) => d.date)).toEqual(Array.from({ length: 30 }, (_, i) => date(today - i)));
    expect((await (await admin(`/sites/${id}/ledger?days=400`)).json<LedgerBody>()).days).toHaveLength(400);
  });

  it('should refuse days out of 1\u2013400 or not whole with 400, and an unknown site with 404', async () => {
    const { id } = await createSite();
    for (const days of ['0', '401', '1.5', 'week', '-3', '']) {
      await expectError(await admin(`/sites/${id}/ledger?days=${days}`), 400, 'invalid_request');
    }
    await expectError(await admin(`/sites/${uniqueSiteId()}/ledger`), 404, 'unknown_site');
    await expectError(await admin('/sites/NOT_VALID/ledger'), 400, 'invalid_request');
    await expectError(await admin(`/sites/${id}/ledger`, { method: 'POST' }), 405, 'method_not_allowed');
  });
});

describe('admin token throttling', () => {
  const from = (ip: string, token: string) =>
    admin('/sites', { headers: { Authorization: `Bearer ${token}`, 'CF-Connecting-IP': ip } });

  it('should answer 429 with Retry-After once a client has sent too many wrong tokens, and not slow anyone else', async () => {
    const guesser = '198.51.100.77';
    for (let i = 0; i < MAX_FAILURES; i++) await expectError(await from(guesser, `guess-${i}`), 403, 'forbidden');
    for (const token of ['one-more-guess', env.ADMIN_TOKEN]) {
      const locked = await from(guesser, token);
      expect(Number(locked.headers.get('Retry-After'))).toBeGreaterThan(0);
      await expectError(locked, 429, 'rate_limited');
    }
    const other = await from('203.0.113.200', env.ADMIN_TOKEN);
    expect(other.status).toBe(200);
    await other.body?.cancel();
  }, 30_000);
});
