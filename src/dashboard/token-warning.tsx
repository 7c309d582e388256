import type { MiddlewareHandler } from 'hono';
import { isWeakAdminToken, MIN_ADMIN_TOKEN_LENGTH } from '../auth/admin-token';
import type { AppEnv } from '../env';
import { Notice } from './views/layout';

const WEAK_TOKEN_NOTICE = String(
  <Notice kind="error">
    {`ADMIN_TOKEN is shorter than ${MIN_ADMIN_TOKEN_LENGTH} characters: whoever guesses it controls this dashboard and the admin API. ` +
      'Set a long random one: openssl rand -base64 32 | npx wrangler secret put ADMIN_TOKEN'}
  </Notice>,
);

/**
 * Every dashboard page, the sign-in form included, opens with a warning while
 * ADMIN_TOKEN is too short, outside `wrangler dev` on this machine. Added to
 * the finished page, so that no view has to know of it.
 */
export const warnOfWeakToken = (): MiddlewareHandler<AppEnv> =>
  async function warnOfWeakToken(c, next) {
    await next();
    if (!isWeakAdminToken(c.env.ADMIN_TOKEN, new URL(c.req.url))) return;
    if (!c.res.headers.get('Content-Type')?.startsWith('text/html')) return;
    c.res = new HTMLRewriter()
      .on('main', { element: (main) => void main.prepend(WEAK_TOKEN_NOTICE, { html: true }) })
      .transform(c.res);
  };
