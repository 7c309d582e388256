import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { validate } from '../http/validation';
import { errors, html } from '../openapi/describe';
import { ASSETS, dashboardPage, describeDashboard } from './page';
import { LOGIN_PATH } from './paths';
import { safeNext, signIn, signOut } from './session';
import { LoginPage } from './views/login';

const loginQuery = z.object({ next: z.string().max(2048).optional().catch(undefined) });

/** The posted form; a field missing or too long reads as a wrong token, shown on the form. */
const loginForm = z.object({
  token: z.string().max(1024).catch(''),
  next: z.string().max(2048).optional().catch(undefined),
});

/** The routes in the OpenAPI document. */
const DOCS = {
  form: describeDashboard('The sign-in form', { 200: html('The form') }, 'public'),
  signIn: describeDashboard(
    'Sign in with the admin token (form post)',
    {
      303: { description: 'Signed in: sets the session cookie, redirects to `next`' },
      401: html('Wrong token: the form again, saying so'),
      ...errors(403, 413),
    },
    'public',
  ),
  signOut: describeDashboard(
    'Sign out',
    { 303: { description: 'Clears the session cookie, redirects to sign in' }, ...errors(403) },
    'public',
  ),
};

/**
 * Sign-in and sign-out. The token is checked in constant time; the session
 * cookie is then an HMAC keyed by it (session.ts), never the token.
 */
export const dashboardLoginRoutes = new Hono<AppEnv>()
  .get('/login', DOCS.form, validate('query', loginQuery), (c) =>
    dashboardPage(c, <LoginPage assets={ASSETS} next={safeNext(c.req.valid('query').next)} problem={null} />),
  )
  .post('/login', DOCS.signIn, async (c) => {
    const form = loginForm.parse(await c.req.parseBody());
    const next = safeNext(form.next);
    const refusal = await signIn(c, form.token);
    if (refusal) {
      return dashboardPage(
        c,
        <LoginPage assets={ASSETS} next={next} problem={refusal} />,
        refusal === 'no_token_configured' ? 403 : 401,
      );
    }
    return c.redirect(next, 303);
  })
  .post('/logout', DOCS.signOut, (c) => {
    signOut(c);
    return c.redirect(LOGIN_PATH, 303);
  });
