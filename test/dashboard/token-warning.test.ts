import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { isWeakAdminToken, MIN_ADMIN_TOKEN_LENGTH } from '../../src/auth/admin-token';
import { newSession, SESSION_COOKIE } from '../../src/dashboard/session';

const WARNING = `ADMIN_TOKEN is shorter than ${MIN_ADMIN_TOKEN_LENGTH} characters`;

describe('isWeakAdminToken', () => {
  it('should call a token under 32 characters weak, except on this machine', () => {
    const deployed = new URL('https://news.example/dashboard');
    expect(isWeakAdminToken('x'.repeat(MIN_ADMIN_TOKEN_LENGTH - 1), deployed)).toBe(true);
    expect(isWeakAdminToken('x'.repeat(MIN_ADMIN_TOKEN_LENGTH), deployed)).toBe(false);
    expect(isWeakAdminToken(undefined, deployed)).toBe(false); // no token: sign-in says so instead
    for (const local of ['http://localhost:8787/dashboard', 'http://127.0.0.1:8787/dashboard', 'http://[::1]:8787/']) {
      expect(isWeakAdminToken('dev-admin-token', new URL(local))).toBe(false);
    }
  });
});

describe('the dashboard with a weak ADMIN_TOKEN', () => {
  // The tests' token, test-admin-token, is itself too short for a deployed Worker.
  it('should warn at the top of every page, the sign-in form included, outside local development', async () => {
    const cookie = `${SESSION_COOKIE}=${await newSession(env.DB, env.ADMIN_TOKEN, Date.now())}`;
    for (const [path, headers] of [
      ['/dashboard/login', {}],
      ['/dashboard/sites', { Cookie: cookie }],
      ['/dashboard', { Cookie: cookie }],
    ] as const) {
      const response = await SELF.fetch(`https://dash.test${path}`, { headers });
      expect(response.status, path).toBe(200);
      const html = await response.text();
      expect(html, path).toMatch(new RegExp(`<main><div class="notice error" role="alert">${WARNING}`));
      expect(html).toContain('openssl rand -base64 32 | npx wrangler secret put ADMIN_TOKEN');
    }
  });

  it('should not warn under wrangler dev, nor with a long token', async () => {
    const local = await SELF.fetch('http://localhost:8787/dashboard/login');
    expect(local.status).toBe(200);
    expect(await local.text()).not.toContain(WARNING);
    const strong = await createApp().request(
      'https://dash.test/dashboard/login',
      {},
      {
        ...env,
        ADMIN_TOKEN: 'x'.repeat(MIN_ADMIN_TOKEN_LENGTH),
      },
    );
    expect(strong.status).toBe(200);
    expect(await strong.text()).not.toContain(WARNING);
  });
});
