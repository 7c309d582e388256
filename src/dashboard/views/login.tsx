import type { FC } from 'hono/jsx';
import type { TokenRefusal } from '../../auth/admin-token';
import type { DashboardAssets } from '../assets';
import { LOGIN_PATH } from '../paths';
import { DashboardLayout, Notice } from './layout';

/** What the form says above its field: why the last post was refused. */
export type SignInProblem = TokenRefusal | { reason: 'unreadable_form' };

const minutes = (seconds: number) => Math.ceil(seconds / 60);

function message(problem: SignInProblem): string {
  switch (problem.reason) {
    case 'wrong_token':
      return 'That is not the admin token. Check ADMIN_TOKEN and try again.';
    case 'no_token_configured':
      return 'This Worker has no ADMIN_TOKEN yet: set it with `wrangler secret put ADMIN_TOKEN`.';
    case 'too_many_failures':
      return `Too many wrong tokens from your network. Try again in ${minutes(problem.retryAfterSeconds)} minute(s).`;
    case 'unreadable_form':
      return 'The form could not be read. Reload this page and send it again.';
  }
}

/** The sign-in form: the admin token, posted to this origin only; `next` is where to go afterwards. */
export const LoginPage: FC<{ assets: DashboardAssets; next: string; problem: SignInProblem | null }> = ({
  assets,
  next,
  problem,
}) => (
  <DashboardLayout title="Sign in" assets={assets}>
    <section class="card login" aria-labelledby="login-heading">
      <h1 id="login-heading">Sign in</h1>
      <p class="muted">The dashboard is behind the admin token (ADMIN_TOKEN).</p>
      {problem ? <Notice kind="error">{message(problem)}</Notice> : null}
      <form method="post" action={LOGIN_PATH}>
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
            aria-invalid={problem?.reason === 'wrong_token' ? 'true' : undefined}
          />
        </div>
        <button type="submit">Sign in</button>
      </form>
    </section>
  </DashboardLayout>
);
