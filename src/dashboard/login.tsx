import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { validate } from '../http/validation';
import { errors, html } from '../openapi/describe';
import { ASSETS, dashboardPage, describeDashboard } from './page';
import { LOGIN_PATH } from './paths';
import { readPostedForm } from './posted-form';
import { safeNext, signIn, signOut } from './session';
import { LoginPage } from './views/login';

const loginQuery = z.object({ next: z.string().max(2048).optional().catch(undefined) });

/** The posted form; a field missing, repeated or too long reads as a wrong token, shown on the form. */
const loginForm = z.object({
  token: z.string().max(1024).catch(''),
  next: z.string().max(2048).optional().catch(undefined),
});

/** Sign-out's one field: the "Sign out everywhere" button sends it. */
const logoutForm = z.object({ everywhere: z.literal('1').optional().catch(undefined) });

const UNREADABLE = { reason: 'unreadable_form' } as const;

const STATUS = { no_token_configured: 403, wrong_token: 401, too_many_failures: 429 } as const;

/** The routes in the OpenAPI document. */
const DOCS = {
  form: describeDashboard('The sign-in form', { 200: html('The form') }, 'public'),
  signIn: describeDashboard(
    'Sign in with the admin token (form post)',
    {
      303: { description: 'Signed in: sets the session cookie, redirects to `next`' },
      400: html('A body that is not a form: the form again, saying so'),
      401: html('Wrong token: the form again, saying so'),
      429: html('Too many wrong tokens from this network: the form again, with `Retry-After`'),
      ...errors(403, 413),
    },
    'public',
  ),
  signOut: describeDashboard(
    'Sign out: this session, or every session with `everywhere=1`',
    {
      303: { description: 'Ends the session(s), clears the cookie, redirects to sign in' },
      400: html('A body that is not a form: the sign-in form, saying so; nothing ended'),
      ...errors(403, 413),
    },
    'public',
  ),
};

/**
 * Sign-in and sign-out. The token is checked in constant time, throttled per
 * client; the session cookie is then a random id kept server-side (session.ts),
 * never the token.
 */
export const dashboardLoginRoutes = new Hono<AppEnv>()
  .get('/login', DOCS.form, validate('query', loginQuery), (c) =>
    dashboardPage(c, <LoginPage assets={ASSETS} next={safeNext(c.req.valid('query').next)} problem={null} />),
  )
  .post('/login', DOCS.signIn, async (c) => {
    const posted = await readPostedForm(c);
    if (!posted) {
      return dashboardPage(c, <LoginPage assets={ASSETS} next={safeNext(undefined)} problem={UNREADABLE} />, 400);
    }
    const form = loginForm.parse(posted);
    const next = safeNext(form.next);
    const refusal = await signIn(c, form.token);
    if (refusal) {
      if (refusal.reason === 'too_many_failures') c.header('Retry-After', String(refusal.retryAfterSeconds));
      return dashboardPage(c, <LoginPage assets={ASSETS} next={next} problem={refusal} />, STATUS[refusal.reason]);
    }
    return c.redirect(next, 303);
  })
  .post('/logout', DOCS.signOut, async (c) => {
    const posted = await readPostedForm(c);
    if (!posted) {
      return dashboardPage(c, <LoginPage assets={ASSETS} next={safeNext(undefined)} problem={UNREADABLE} />, 400);
    }
    await signOut(c, logoutForm.parse(posted).everywhere === '1');
    return c.redirect(LOGIN_PATH, 303);
  });
