import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { ApiError } from '../errors';

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

/** `Authorization: Bearer <ADMIN_TOKEN>`: 401 without it, 403 when wrong. */
export const adminAuth = (): MiddlewareHandler<AppEnv> =>
  async function adminAuth(c, next) {
    const header = c.req.header('Authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      c.header('WWW-Authenticate', 'Bearer realm="sharepulse admin"');
      throw new ApiError('unauthorized', 'Send Authorization: Bearer <ADMIN_TOKEN>.');
    }
    const expected = c.env.ADMIN_TOKEN;
    if (!expected || !(await secretsEqual(match[1], expected))) {
      throw new ApiError('forbidden', 'The admin token is not valid.');
    }
    await next();
  };
