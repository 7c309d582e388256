import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { checkAdminToken, isLoopbackHost, secretsEqual, type TokenRefusal } from '../auth/admin-token';
import { deleteAllSessions, deleteSession, findSession, insertSession } from '../db/dashboard-sessions';
import type { AppEnv } from '../env';
import { ApiError } from '../errors';
import { sha256Hex, toHex } from '../hashing/hex';
import { DASHBOARD_API_PATH, DASHBOARD_PATH, LOGIN_PATH } from './paths';

export const SESSION_COOKIE = 'sharepulse_admin';
/** A week: a newsroom screen stays signed in across shifts; signing out everywhere or a new ADMIN_TOKEN ends it sooner. */
export const SESSION_SECONDS = 7 * 24 * 3600;

const encoder = new TextEncoder();
const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');

/** What the cookie holds: 32 random bytes, base64url. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

const idHash = (id: string) => sha256Hex(id);

/**
 * Binds a session to the ADMIN_TOKEN it was opened with, so that a new token
 * ends it. Keyed by the session's id, which only the cookie holds, and stored
 * only server-side: neither the cookie nor the table alone can test a guess
 * of the token.
 */
async function tokenCheck(id: string, token: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(id), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  return toHex(await crypto.subtle.sign('HMAC', key, encoder.encode(token)));
}

/**
 * Opens a session for `token` at `nowMs` and answers the cookie's value: a
 * random id, unrelated to the token. D1 keeps only the id's hash, so a copy
 * of the table signs no one in. Expired sessions are deleted on the way.
 */
export async function newSession(db: D1Database, token: string, nowMs: number): Promise<string> {
  const id = base64url(crypto.getRandomValues(new Uint8Array(32)));
  await insertSession(
    db,
    await idHash(id),
    { token_check: await tokenCheck(id, token), expires_at: nowMs + SESSION_SECONDS * 1000 },
    nowMs,
  );
  return id;
}

/** Whether the cookie's `value` names a session that is open at `nowMs` and was opened with `token`. */
export async function isValidSession(
  db: D1Database,
  value: string | undefined,
  token: string | undefined,
  nowMs: number,
): Promise<boolean> {
  if (!value || !SESSION_ID.test(value) || !token) return false;
  const session = await findSession(db, await idHash(value), nowMs);
  return session !== null && secretsEqual(session.token_check, await tokenCheck(value, token));
}

/**
 * Cookies are `Secure` everywhere except plain http on this machine, where
 * `wrangler dev` serves: browsers would refuse a Secure cookie there (127.0.0.1).
 */
const isLocalHttp = (c: Context) => {
  const url = new URL(c.req.url);
  return url.protocol === 'http:' && isLoopbackHost(url.hostname);
};

/** `HttpOnly` (no script reads it), `SameSite=Strict` (no other site's page sends it), scoped to the dashboard. */
function setSessionCookie(c: Context, value: string): void {
  setCookie(c, SESSION_COOKIE, value, {
    path: DASHBOARD_PATH,
    httpOnly: true,
    secure: !isLocalHttp(c),
    sameSite: 'Strict',
    maxAge: SESSION_SECONDS,
  });
}

/**
 * Signs in with the token typed on the form (checked as auth/admin-token.ts
 * checks every token, throttled per client), then opens a session and sets
 * its cookie. Answers why not otherwise.
 */
export async function signIn(c: Context<AppEnv>, token: string): Promise<TokenRefusal | null> {
  const refusal = await checkAdminToken(c, token);
  if (refusal) return refusal;
  setSessionCookie(c, await newSession(c.env.DB, token, Date.now()));
  return null;
}

/**
 * Ends the browser's session, or with `everywhere` every session (only from
 * a valid one: a stranger's post cannot sign everyone out), then deletes the
 * cookie with the attributes it was set with: a browser keeps it otherwise.
 */
export async function signOut(c: Context<AppEnv>, everywhere: boolean): Promise<void> {
  const value = getCookie(c, SESSION_COOKIE);
  if (everywhere && (await isValidSession(c.env.DB, value, c.env.ADMIN_TOKEN, Date.now()))) {
    await deleteAllSessions(c.env.DB);
  } else if (value && SESSION_ID.test(value)) {
    await deleteSession(c.env.DB, await idHash(value));
  }
  deleteCookie(c, SESSION_COOKIE, {
    path: DASHBOARD_PATH,
    httpOnly: true,
    secure: !isLocalHttp(c),
    sameSite: 'Strict',
  });
}

const isDashboardPath = (path: string) =>
  path === DASHBOARD_PATH || path.startsWith(`${DASHBOARD_PATH}/`) || path.startsWith(`${DASHBOARD_PATH}?`);

/** Where to go after signing in: a dashboard path only, never another origin (`//evil.example`). */
export const safeNext = (next: string | undefined): string =>
  next && isDashboardPath(next) && !/[\\\s]/.test(next) ? next : DASHBOARD_PATH;

/**
 * Every dashboard route but the sign-in page and the assets: without a valid
 * session, pages redirect to sign in (and back afterwards); JSON endpoints
 * answer 401 in the API's error shape.
 */
export const requireSession = (): MiddlewareHandler<AppEnv> =>
  async function requireSession(c, next) {
    if (await isValidSession(c.env.DB, getCookie(c, SESSION_COOKIE), c.env.ADMIN_TOKEN, Date.now())) return next();
    if (c.req.path.startsWith(`${DASHBOARD_API_PATH}/`)) {
      throw new ApiError('unauthorized', 'Sign in to the dashboard first.');
    }
    const url = new URL(c.req.url);
    const back = c.req.method === 'GET' ? `${url.pathname}${url.search}` : DASHBOARD_PATH;
    return c.redirect(`${LOGIN_PATH}?${new URLSearchParams({ next: back })}`, 303);
  };

const checkOrigin = csrf();

/**
 * Hono's csrf(): a form post is accepted only from this origin (by
 * `Sec-Fetch-Site: same-origin` or a matching `Origin`). Its refusal is turned
 * into our error shape. The session cookie is also `SameSite=Strict`, so a
 * cross-site post would arrive signed out anyway: two locks, either enough.
 */
export const refuseCrossSite = (): MiddlewareHandler<AppEnv> =>
  async function refuseCrossSite(c, next) {
    try {
      await checkOrigin(c, async () => {});
    } catch (err) {
      if (err instanceof HTTPException && err.status === 403) {
        throw new ApiError('cross_site_request', 'Forms of the dashboard can only be sent from the dashboard itself.');
      }
      throw err;
    }
    await next();
  };
