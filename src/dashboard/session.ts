import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { secretsEqual } from '../auth/admin-token';
import type { AppEnv } from '../env';
import { ApiError } from '../errors';
import { DASHBOARD_API_PATH, DASHBOARD_PATH, LOGIN_PATH } from './paths';

export const SESSION_COOKIE = 'sharepulse_admin';
/** A week: a newsroom screen stays signed in across shifts; rotating ADMIN_TOKEN ends every session at once. */
export const SESSION_SECONDS = 7 * 24 * 3600;

const encoder = new TextEncoder();
const base64url = (bytes: ArrayBuffer) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');

async function sign(token: string, expires: number): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(token), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  return base64url(await crypto.subtle.sign('HMAC', key, encoder.encode(`sharepulse-dashboard:${expires}`)));
}

/**
 * A session's cookie value: its expiry (Unix seconds) and an HMAC of it keyed
 * by ADMIN_TOKEN. The browser never holds the token itself, so a leaked
 * cookie is not an API credential and stops working when it expires.
 */
export async function newSession(token: string, nowMs: number): Promise<string> {
  const expires = Math.floor(nowMs / 1000) + SESSION_SECONDS;
  return `${expires}.${await sign(token, expires)}`;
}

/** Whether `value` is a session signed with `token` and not expired at `nowMs`. */
export async function isValidSession(
  value: string | undefined,
  token: string | undefined,
  nowMs: number,
): Promise<boolean> {
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
  if (!match || !token) return false;
  const expires = Number(match[1]);
  if (expires * 1000 <= nowMs) return false;
  return secretsEqual(match[2]!, await sign(token, expires));
}

/**
 * Cookies are `Secure` everywhere except plain http on this machine, where
 * `wrangler dev` serves: browsers would refuse a Secure cookie there (127.0.0.1).
 */
const isLocalHttp = (c: Context) => {
  const url = new URL(c.req.url);
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
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

/** Why a sign-in was refused, for the form to say. */
export type SignInRefusal = 'wrong_token' | 'no_token_configured';

/**
 * Signs in with the token typed on the form: compared in constant time with
 * ADMIN_TOKEN, then a new session's cookie is set. Answers why not otherwise.
 */
export async function signIn(c: Context<AppEnv>, token: string): Promise<SignInRefusal | null> {
  const expected = c.env.ADMIN_TOKEN;
  if (!expected) return 'no_token_configured';
  if (!token || !(await secretsEqual(token, expected))) return 'wrong_token';
  setSessionCookie(c, await newSession(expected, Date.now()));
  return null;
}

/** Deletes the cookie with the attributes it was set with: a browser keeps it otherwise. */
export function signOut(c: Context): void {
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
    if (await isValidSession(getCookie(c, SESSION_COOKIE), c.env.ADMIN_TOKEN, Date.now())) return next();
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
