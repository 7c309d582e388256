import { env, SELF } from 'cloudflare:test';
import { expect } from 'vitest';
import { newSession, SESSION_COOKIE } from '../../src/dashboard/session';

/** The dashboard's own origin, where its forms post from. */
export const ORIGIN = 'https://dash.test';

/** A new signed-in session's cookie. */
export const sessionCookie = async (): Promise<string> =>
  `${SESSION_COOKIE}=${await newSession(env.DB, env.ADMIN_TOKEN, Date.now())}`;

/** A dashboard page, signed in, its redirects not followed. */
export const dashboard = async (path: string): Promise<Response> =>
  SELF.fetch(`${ORIGIN}${path}`, { redirect: 'manual', headers: { Cookie: await sessionCookie() } });

/** Expects the dashboard page at `path`, which names the site no-such-site, to answer 404 and say there is no such site. */
export async function expectNoSuchSitePage(path: string) {
  const response = await dashboard(path);
  expect(response.status).toBe(404);
  expect(await response.text()).toContain('There is no site <code>no-such-site</code>');
}

/** The JSON block a page hands to its script. */
export const jsonBlock = (html: string, id: string): unknown =>
  JSON.parse(new RegExp(`<script type="application/json" id="${id}">(.*?)</script>`, 's').exec(html)![1]!);

/** Rows of one site straight into a D1 table, as flushes leave them: `columns` after site_id, a row their values. */
export async function insertRows(table: string, columns: string[], site: string, rows: (string | number)[][]) {
  const statement = env.DB.prepare(
    `INSERT INTO ${table} (site_id, ${columns.join(', ')}) VALUES (?${', ?'.repeat(columns.length)})`,
  );
  await env.DB.batch(rows.map((row) => statement.bind(site, ...row)));
}
