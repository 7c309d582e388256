import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { ApiError } from '../errors';
import { countTokenAttempt, withdrawRightAttempt } from './failure-throttle';

const encoder = new TextEncoder();
const sha256 = (value: string) => crypto.subtle.digest('SHA-256', encoder.encode(value));

/**
 * Compares two secrets in constant time: hashing first gives equal lengths, so
 * neither the content nor the length of the token leaks through timing.
 */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(given), sha256(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/** Below this length an `ADMIN_TOKEN` is called weak: `openssl rand -base64 32` gives 44 characters. */
export const MIN_ADMIN_TOKEN_LENGTH = 32;

/** Hosts of `wrangler dev` on this machine, where the short `dev-admin-token` of `.dev.vars` is expected. */
export const isLoopbackHost = (hostname: string): boolean => ['localhost', '127.0.0.1', '[::1]'].includes(hostname);

/** Whether the dashboard at `url` must warn that `token` is too short to be safe (never on loopback). */
export const isWeakAdminToken = (token: string | undefined, url: URL): boolean =>
  token !== undefined && token.length < MIN_ADMIN_TOKEN_LENGTH && !isLoopbackHost(url.hostname);

/** Why a token was not taken. */
export type TokenRefusal =
  | { reason: 'no_token_configured' }
  | { reason: 'wrong_token' }
  | { reason: 'too_many_failures'; retryAfterSeconds: number };

/**
 * Checks a token given by the client of `c` (sign-in form or bearer header):
 * the attempt is counted against the client first (failure-throttle.ts) and
 * refused without comparing the token once the client has sent too many wrong
 * ones; then compared in constant time with ADMIN_TOKEN, a right one taken
 * back from the count. Answers null when it is the token.
 */
export async function checkAdminToken(c: Context<AppEnv>, given: string): Promise<TokenRefusal | null> {
  const expected = c.env.ADMIN_TOKEN;
  if (!expected) return { reason: 'no_token_configured' };
  const attempt = await countTokenAttempt(c.env.DB, c.req.header('CF-Connecting-IP') ?? '', Date.now());
  if (!attempt.counted) return { reason: 'too_many_failures', retryAfterSeconds: attempt.retryAfterSeconds };
  if (!given || !(await secretsEqual(given, expected))) return { reason: 'wrong_token' };
  await withdrawRightAttempt(c.env.DB, attempt);
  return null;
}

/**
 * `Authorization: Bearer <ADMIN_TOKEN>`: 401 without it, 403 when wrong, 429
 * (with `Retry-After`) while the client has sent too many wrong ones.
 */
export const adminAuth = (): MiddlewareHandler<AppEnv> =>
  async function adminAuth(c, next) {
    const header = c.req.header('Authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      c.header('WWW-Authenticate', 'Bearer realm="sharepulse admin"');
      throw new ApiError('unauthorized', 'Send Authorization: Bearer <ADMIN_TOKEN>.');
    }
    const refusal = await checkAdminToken(c, match[1]);
    if (refusal?.reason === 'too_many_failures') {
      c.header('Retry-After', String(refusal.retryAfterSeconds));
      throw new ApiError(
        'rate_limited',
        `Too many wrong admin tokens from this network: try again in ${refusal.retryAfterSeconds} seconds.`,
      );
    }
    if (refusal) throw new ApiError('forbidden', 'The admin token is not valid.');
    await next();
  };
