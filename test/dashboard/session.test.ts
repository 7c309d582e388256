import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { MAX_FAILURES } from '../../src/auth/failure-throttle';
import { DASHBOARD_SCRIPT_PATH, DASHBOARD_STYLE_PATH } from '../../src/dashboard/assets';
import { isValidSession, newSession, SESSION_COOKIE, SESSION_SECONDS, safeNext } from '../../src/dashboard/session';
import { createSite, expectError } from '../support/helpers';

const ORIGIN = 'https://dash.test';

/** A form post as the dashboard's own page sends it. */
const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  SELF.fetch(`${ORIGIN}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN, ...headers },
    body: new URLSearchParams(form),
  });

const get = (path: string, headers: Record<string, string> = {}, origin = ORIGIN) =>
  SELF.fetch(`${origin}${path}`, { redirect: 'manual', headers });

/** `name=value` of the session cookie a response sets. */
const sessionOf = (response: Response) => response.headers.get('Set-Cookie')!.split(';')[0]!;

describe('dashboard sign-in', () => {
  it('should show the sign-in form, with its own script and stylesheet and a strict CSP', async () => {
    const response = await get('/dashboard/login');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<form method="post" action="/dashboard/login">');
    expect(html).toContain('name="token" type="password"');
    expect(html).toContain(`<script src="${DASHBOARD_SCRIPT_PATH}" defer=""></script>`);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)(?![^>]*application\/json)/); // no inline script
    expect(response.headers.get('Content-Security-Policy')).toContain("script-src 'self'");
    expect(response.headers.get('Content-Security-Policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('Cache-Control')).toBe('no-store');
  });

  it('should set an HttpOnly, Secure, SameSite=Strict session cookie for the right token, and redirect to next', async () => {
    const response = await post('/dashboard/login', { token: env.ADMIN_TOKEN, next: '/dashboard/sites' });
    expect(response.status).toBe(303);
    expect(response.headers.get('Location')).toBe('/dashboard/sites');
    const cookie = response.headers.get('Set-Cookie')!;
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43};`));
    expect(cookie).toContain(`Max-Age=${SESSION_SECONDS}`);
    expect(cookie).toContain('Path=/dashboard');
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('Secure');
    expect(cookie).toContain('SameSite=Strict');
    // The cookie is not the token: a leaked cookie is no admin API credential.
    expect(cookie).not.toContain(env.ADMIN_TOKEN);

    const page = await get('/dashboard/sites', { Cookie: sessionOf(response) });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Create a site');
  });

  it('should leave out Secure on plain http to localhost and 127.0.0.1 only', async () => {
    for (const origin of ['http://localhost:8787', 'http://127.0.0.1:8787']) {
      const response = await SELF.fetch(`${origin}/dashboard/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: origin },
        body: new URLSearchParams({ token: env.ADMIN_TOKEN }),
      });
      expect(response.status).toBe(303);
      expect(response.headers.get('Set-Cookie')).not.toContain('Secure');
      expect(response.headers.get('Set-Cookie')).toContain('HttpOnly');
    }
    const plainHttpElsewhere = await SELF.fetch('http://news.example/dashboard/login', {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://news.example' },
      body: new URLSearchParams({ token: env.ADMIN_TOKEN }),
    });
    expect(plainHttpElsewhere.headers.get('Set-Cookie')).toContain('Secure');
  });

  it('should refuse a wrong or empty token with a clear message and no cookie', async () => {
    for (const token of ['not-the-token', `${env.ADMIN_TOKEN}x`, '']) {
      const response = await post('/dashboard/login', { token });
      expect(response.status).toBe(401);
      expect(response.headers.get('Set-Cookie')).toBeNull();
      const html = await response.text();
      expect(html).toContain('role="alert"');
      expect(html).toContain('That is not the admin token.');
    }
  });

  it('should only go back to a dashboard path after signing in, never to another site', async () => {
    for (const next of [
      'https://evil.example/',
      '//evil.example/dashboard',
      '/\\evil.example',
      '/api/v1/admin/sites',
      '/dashboardx',
    ]) {
      const response = await post('/dashboard/login', { token: env.ADMIN_TOKEN, next });
      expect(response.headers.get('Location')).toBe('/dashboard');
    }
    expect(safeNext('/dashboard?site=demo&period=30d')).toBe('/dashboard?site=demo&period=30d');
    expect(safeNext('/dashboard/sites/demo')).toBe('/dashboard/sites/demo');
  });

  it('should sign out: the cookie is cleared', async () => {
    const signedIn = sessionOf(await post('/dashboard/login', { token: env.ADMIN_TOKEN }));
    const response = await post('/dashboard/logout', {}, { Cookie: signedIn });
    expect(response.status).toBe(303);
    expect(response.headers.get('Location')).toBe('/dashboard/login');
    const cleared = response.headers.get('Set-Cookie')!;
    expect(cleared).toMatch(new RegExp(`^${SESSION_COOKIE}=;`));
    expect(cleared).toContain('Max-Age=0');
    expect(cleared).toContain('Path=/dashboard');
  });
});

/** Sessions of the dashboard table, by the hash of their ids. */
const storedSessions = async () =>
  (await env.DB.prepare('SELECT id_hash, token_check, expires_at FROM dashboard_sessions').all()).results;

const sha256Hex = async (text: string) =>
  Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');

describe('dashboard sessions, kept server-side', () => {
  it('should put a random id in the cookie, unrelated to the token, and store only its hash', async () => {
    const first = sessionOf(await post('/dashboard/login', { token: env.ADMIN_TOKEN }));
    const second = sessionOf(await post('/dashboard/login', { token: env.ADMIN_TOKEN }));
    const ids = [first, second].map((cookie) => cookie.slice(`${SESSION_COOKIE}=`.length));
    // Two sign-ins in the same second: a deterministic cookie would be the same twice.
    expect(ids[0]).not.toBe(ids[1]);
    const stored = await storedSessions();
    for (const id of ids) {
      expect(stored).toContainEqual(expect.objectContaining({ id_hash: await sha256Hex(id) }));
      expect(JSON.stringify(stored)).not.toContain(id);
    }
    expect(JSON.stringify(stored)).not.toContain(env.ADMIN_TOKEN);
  });

  it('should refuse a cookie replayed after its sign-out', async () => {
    const signedIn = sessionOf(await post('/dashboard/login', { token: env.ADMIN_TOKEN }));
    expect((await get('/dashboard/sites', { Cookie: signedIn })).status).toBe(200);
    await post('/dashboard/logout', {}, { Cookie: signedIn });
    const replayed = await get('/dashboard/sites', { Cookie: signedIn });
    expect(replayed.status).toBe(303);
    expect(replayed.headers.get('Location')).toBe('/dashboard/login?next=%2Fdashboard%2Fsites');
    await expectError(await get('/dashboard/api/live?site=demo', { Cookie: signedIn }), 401, 'unauthorized');
  });

  it('should end every session with "Sign out everywhere", and only from a valid session', async () => {
    const here = sessionOf(await post('/dashboard/login', { token: env.ADMIN_TOKEN }));
    const elsewhere = sessionOf(await post('/dashboard/login', { token: env.ADMIN_TOKEN }));
    const page = await (await get('/dashboard/sites', { Cookie: here })).text();
    expect(page).toContain('<input type="hidden" name="everywhere" value="1"/>');

    // A post without a valid session (a stranger's) ends nothing.
    for (const cookie of ['', `${SESSION_COOKIE}=${'A'.repeat(43)}`]) {
      const stranger = await post('/dashboard/logout', { everywhere: '1' }, { Cookie: cookie });
      expect(stranger.status).toBe(303);
    }
    expect((await get('/dashboard/sites', { Cookie: elsewhere })).status).toBe(200);

    const response = await post('/dashboard/logout', { everywhere: '1' }, { Cookie: here });
    expect(response.status).toBe(303);
    expect(response.headers.get('Set-Cookie')).toContain('Max-Age=0');
    for (const cookie of [here, elsewhere])
      expect((await get('/dashboard/sites', { Cookie: cookie })).status).toBe(303);
    expect(await storedSessions()).toEqual([]);
  });

  it('should end a session when it expires or when ADMIN_TOKEN changes', async () => {
    const now = Date.now();
    const value = await newSession(env.DB, env.ADMIN_TOKEN, now);
    expect(await isValidSession(env.DB, value, env.ADMIN_TOKEN, now)).toBe(true);
    expect(await isValidSession(env.DB, value, env.ADMIN_TOKEN, now + SESSION_SECONDS * 1000)).toBe(false);
    expect(await isValidSession(env.DB, value, 'a-new-admin-token', now)).toBe(false);
    expect(await isValidSession(env.DB, value, undefined, now)).toBe(false);
  });

  it('should delete expired sessions when a new one opens', async () => {
    const longAgo = Date.now() - SESSION_SECONDS * 1000 - 60_000;
    const expired = await newSession(env.DB, env.ADMIN_TOKEN, longAgo);
    const expiredHash = await sha256Hex(expired);
    expect(await storedSessions()).toContainEqual(expect.objectContaining({ id_hash: expiredHash }));
    await post('/dashboard/login', { token: env.ADMIN_TOKEN });
    expect(await storedSessions()).not.toContainEqual(expect.objectContaining({ id_hash: expiredHash }));
  });
});

describe('dashboard sign-in throttling', () => {
  /** A sign-in from the client at `ip`, as Cloudflare names it. */
  const signInFrom = (ip: string, token: string) => post('/dashboard/login', { token }, { 'CF-Connecting-IP': ip });

  it('should refuse 300 wrong tokens after the limit with 429 and Retry-After, and still take the right one from another client', async () => {
    const guesser = '198.51.100.23';
    const statuses: number[] = [];
    for (let i = 0; i < 300; i++) {
      const response = await signInFrom(guesser, `guess-${i}`);
      statuses.push(response.status);
      if (i === MAX_FAILURES) {
        expect(Number(response.headers.get('Retry-After'))).toBeGreaterThan(0);
        const html = await response.text();
        expect(html).toContain('role="alert"');
        expect(html).toContain('Too many wrong tokens from your network.');
      } else await response.body?.cancel();
    }
    expect(statuses.slice(0, MAX_FAILURES)).toEqual(Array(MAX_FAILURES).fill(401));
    expect(statuses.slice(MAX_FAILURES)).toEqual(Array(300 - MAX_FAILURES).fill(429));

    // The guesser's own right token is not even compared now.
    const locked = await signInFrom(guesser, env.ADMIN_TOKEN);
    expect(locked.status).toBe(429);
    expect(locked.headers.get('Set-Cookie')).toBeNull();
    // Another client signs in as ever; so does another /64 of IPv6.
    expect((await signInFrom('203.0.113.99', env.ADMIN_TOKEN)).status).toBe(303);
    // Neither IP is stored, not even as a plain SHA-256.
    const rows = JSON.stringify((await env.DB.prepare('SELECT * FROM auth_failures').all()).results);
    expect(rows).not.toContain(guesser);
    expect(rows).not.toContain(await sha256Hex(guesser));
  }, 60_000);

  it('should answer at most the limit of 100 concurrent wrong sign-ins with 401, the rest with 429 and no cookie', async () => {
    const guesser = '198.51.100.24';
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => signInFrom(guesser, `race-${i}`)));
    const statuses = responses.map((response) => response.status);
    expect(responses.map((response) => response.headers.get('Set-Cookie'))).toEqual(Array(100).fill(null));
    await Promise.all(responses.map((response) => response.body?.cancel()));
    expect(statuses.filter((status) => status === 401).length).toBe(MAX_FAILURES);
    expect(statuses.filter((status) => status === 429).length).toBe(100 - MAX_FAILURES);
    expect((await signInFrom(guesser, env.ADMIN_TOKEN)).status).toBe(429);
  }, 60_000);

  it('should not count a right sign-in against its client', async () => {
    const editor = '198.51.100.25';
    for (let i = 0; i < MAX_FAILURES - 1; i++) expect((await signInFrom(editor, `typo-${i}`)).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await signInFrom(editor, env.ADMIN_TOKEN)).status).toBe(303);
    expect((await signInFrom(editor, 'one-last-typo')).status).toBe(401);
    expect((await signInFrom(editor, env.ADMIN_TOKEN)).status).toBe(429);
  }, 30_000);
});

describe('dashboard forms whose body is not a form', () => {
  const send = (path: string, contentType: string, body: string, headers: Record<string, string> = {}) =>
    SELF.fetch(`${ORIGIN}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': contentType, Origin: ORIGIN, ...headers },
      body,
    });

  it('should answer a sign-in with a 400 page, not a 500, and set no cookie', async () => {
    for (const [contentType, body] of [
      ['multipart/form-data', `token=${env.ADMIN_TOKEN}`],
      ['multipart/form-data; boundary=abc', 'not a multipart body'],
      ['application/x-www-form-urlencoded; charset=utf-16', `token=${env.ADMIN_TOKEN}`],
    ]) {
      const response = await send('/dashboard/login', contentType!, body!);
      expect(response.status).toBe(400);
      expect(response.headers.get('Content-Type')).toMatch(/^text\/html/);
      expect(response.headers.get('Set-Cookie')).toBeNull();
      expect(await response.text()).toContain('The form could not be read.');
    }
  });

  it('should answer a sign-out with a 400 page and end no session', async () => {
    const signedIn = sessionOf(await post('/dashboard/login', { token: env.ADMIN_TOKEN }));
    const response = await send('/dashboard/logout', 'multipart/form-data', 'everywhere=1', { Cookie: signedIn });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('The form could not be read.');
    expect((await get('/dashboard/sites', { Cookie: signedIn })).status).toBe(200);
  });
});

describe('dashboard without a session', () => {
  it('should redirect every page to sign-in, coming back to the page asked for', async () => {
    const { id } = await createSite();
    for (const path of [
      '/dashboard',
      `/dashboard?site=${id}&period=30d`,
      '/dashboard/sites',
      `/dashboard/sites/${id}`,
      `/dashboard/sites/${id}/export?format=csv`,
    ]) {
      const response = await get(path);
      expect(response.status, path).toBe(303);
      expect(response.headers.get('Location')).toBe(`/dashboard/login?${new URLSearchParams({ next: path })}`);
    }
  });

  it('should answer the JSON endpoints with 401 in the API error shape', async () => {
    const { id } = await createSite();
    await expectError(await get(`/dashboard/api/live?site=${id}`), 401, 'unauthorized');
  });

  it('should refuse form posts: nothing is created', async () => {
    const response = await post('/dashboard/sites', { id: 'no-session-site', name: 'X', hosts: 'no-session.example' });
    expect(response.status).toBe(303);
    expect(response.headers.get('Location')).toBe('/dashboard/login?next=%2Fdashboard');
    expect(await env.DB.prepare("SELECT id FROM sites WHERE id = 'no-session-site'").first()).toBeNull();
  });

  it('should not take a forged or tampered cookie', async () => {
    const valid = await newSession(env.DB, env.ADMIN_TOKEN, Date.now());
    const forged = [
      env.ADMIN_TOKEN, // the token itself is not a session
      `${valid.slice(0, -1)}${valid.endsWith('A') ? 'B' : 'A'}`,
      `${valid}A`,
      'A'.repeat(43), // well formed, never opened
    ];
    for (const value of forged) {
      const response = await get('/dashboard', { Cookie: `${SESSION_COOKIE}=${value}` });
      expect(response.status, value).toBe(303);
    }
    expect((await get('/dashboard/sites', { Cookie: `${SESSION_COOKIE}=${valid}` })).status).toBe(200);
  });

  it('should serve the assets without a session, cached for good', async () => {
    for (const [path, type] of [
      [DASHBOARD_SCRIPT_PATH, 'text/javascript'],
      [DASHBOARD_STYLE_PATH, 'text/css'],
    ] as const) {
      const response = await get(path);
      expect(response.status).toBe(200);
      expect(response.headers.get('Content-Type')).toContain(type);
      expect(response.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
      expect((await response.text()).length).toBeGreaterThan(1000);
    }
    // uPlot is bundled in, not fetched from a CDN.
    expect(await (await get(DASHBOARD_SCRIPT_PATH)).text()).toContain('u-legend');
    expect(await (await get(DASHBOARD_STYLE_PATH)).text()).toContain('.uplot');
  });
});

describe('dashboard cross-site protection', () => {
  it('should refuse a form post from another origin, even with a session cookie', async () => {
    const session = `${SESSION_COOKIE}=${await newSession(env.DB, env.ADMIN_TOKEN, Date.now())}`;
    const form = { id: 'csrf-site', name: 'CSRF', hosts: 'csrf.example' };
    const crossSite: Record<string, string>[] = [
      { Origin: 'https://evil.example' },
      { Origin: 'null' },
      { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' },
      {}, // neither Origin nor Sec-Fetch-Site: not known to be ours
    ];
    for (const headers of crossSite) {
      const response = await SELF.fetch(`${ORIGIN}/dashboard/sites`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: session, ...headers },
        body: new URLSearchParams(form),
      });
      await expectError(response, 403, 'cross_site_request');
    }
    expect(await env.DB.prepare("SELECT id FROM sites WHERE id = 'csrf-site'").first()).toBeNull();
  });

  it('should refuse a cross-site sign-in and sign-out too', async () => {
    await expectError(
      await post('/dashboard/login', { token: env.ADMIN_TOKEN }, { Origin: 'https://evil.example' }),
      403,
      'cross_site_request',
    );
    await expectError(
      await post('/dashboard/logout', {}, { Origin: 'https://evil.example' }),
      403,
      'cross_site_request',
    );
  });

  it('should refuse a form body over 64 KiB before reading it', async () => {
    const response = await post('/dashboard/login', { token: 'x'.repeat(70 * 1024) });
    await expectError(response, 413, 'payload_too_large');
  });

  it('should take a same-origin post told by Sec-Fetch-Site alone', async () => {
    const response = await SELF.fetch(`${ORIGIN}/dashboard/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'same-origin' },
      body: new URLSearchParams({ token: env.ADMIN_TOKEN }),
    });
    expect(response.status).toBe(303);
  });
});
