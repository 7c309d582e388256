import type { FC } from 'hono/jsx';
import { DashboardLayout, Notice, type Assets } from './layout';

/** Why the sign-in page is shown again. */
export type LoginProblem = 'wrong_token' | 'no_token_configured' | null;

const MESSAGES: Record<Exclude<LoginProblem, null>, string> = {
  wrong_token: 'That is not the admin token. Check ADMIN_TOKEN and try again.',
  no_token_configured: 'This Worker has no ADMIN_TOKEN yet: set it with `wrangler secret put ADMIN_TOKEN`.',
};

/** The sign-in form: the admin token, posted to this origin only; `next` is where to go afterwards. */
export const LoginPage: FC<{ assets: Assets; next: string; problem: LoginProblem }> = ({ assets, next, problem }) => (
  <DashboardLayout title="Sign in" assets={assets}>
    <section class="card login" aria-labelledby="login-heading">
      <h1 id="login-heading">Sign in</h1>
      <p class="muted">The dashboard is behind the admin token (ADMIN_TOKEN).</p>
      {problem ? <Notice kind="error">{MESSAGES[problem]}</Notice> : null}
      <form method="post" action="/dashboard/login">
        <input type="hidden" name="next" value={next} />
        <div class="field">
          <label for="token">Admin token</label>
          <input
            id="token"
            name="token"
            type="password"
            required
            autocomplete="current-password"
            autofocus
            aria-invalid={problem === 'wrong_token' ? 'true' : undefined}
          />
        </div>
        <button type="submit">Sign in</button>
      </form>
    </section>
  </DashboardLayout>
);
