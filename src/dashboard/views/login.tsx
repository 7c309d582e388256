import type { FC } from 'hono/jsx';
import type { DashboardAssets } from '../assets';
import { LOGIN_PATH } from '../paths';
import type { SignInRefusal } from '../session';
import { DashboardLayout, Notice } from './layout';

const MESSAGES: Record<SignInRefusal, string> = {
  wrong_token: 'That is not the admin token. Check ADMIN_TOKEN and try again.',
  no_token_configured: 'This Worker has no ADMIN_TOKEN yet: set it with `wrangler secret put ADMIN_TOKEN`.',
};

/** The sign-in form: the admin token, posted to this origin only; `next` is where to go afterwards. */
export const LoginPage: FC<{ assets: DashboardAssets; next: string; problem: SignInRefusal | null }> = ({
  assets,
  next,
  problem,
}) => (
  <DashboardLayout title="Sign in" assets={assets}>
    <section class="card login" aria-labelledby="login-heading">
      <h1 id="login-heading">Sign in</h1>
      <p class="muted">The dashboard is behind the admin token (ADMIN_TOKEN).</p>
      {problem ? <Notice kind="error">{MESSAGES[problem]}</Notice> : null}
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
            aria-invalid={problem === 'wrong_token' ? 'true' : undefined}
          />
        </div>
        <button type="submit">Sign in</button>
      </form>
    </section>
  </DashboardLayout>
);
