import { env, runDurableObjectAlarm, runInDurableObject, SELF } from 'cloudflare:test';
import { expect, vi } from 'vitest';
import { registryFor } from '../../src/articles/registry-client';
import { readConfig } from '../../src/config';
import { shardName } from '../../src/shard/routing';
import { OUTBOX_ROWS, PENDING_ROWS } from './shard-tables';

export const ADMIN = { Authorization: `Bearer ${env.ADMIN_TOKEN}` };
export const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';

let counter = 0;
/** A site id no other test of the file uses (storage is shared within a file). */
export const uniqueSiteId = (prefix = 's') => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

export async function createSite(
  id = uniqueSiteId(),
  { hosts = [`${id}.example`], settings = {} }: { hosts?: string[]; settings?: Record<string, unknown> } = {},
) {
  const response = await SELF.fetch('https://api.test/api/v1/admin/sites', {
    method: 'POST',
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    // Beacon mode unless a test says otherwise: most tests count events of pages that do not exist.
    body: JSON.stringify({ id, name: `Site ${id}`, hosts, settings: { article_source: 'beacon', ...settings } }),
  });
  if (response.status !== 201) throw new Error(`createSite ${id}: ${response.status} ${await response.text()}`);
  return { id, host: hosts[0]!, hosts };
}

export interface BeaconOptions {
  origin?: string | null;
  ip?: string;
  userAgent?: string | null;
  headers?: Record<string, string>;
  contentType?: string;
}

/** Sends a beacon the way a browser on `origin` does (text/plain, like navigator.sendBeacon). */
export function postEvents(
  body: unknown,
  {
    origin,
    ip = '203.0.113.7',
    userAgent = BROWSER_UA,
    headers = {},
    contentType = 'text/plain;charset=UTF-8',
  }: BeaconOptions = {},
) {
  const all: Record<string, string> = { 'Content-Type': contentType, 'CF-Connecting-IP': ip, ...headers };
  if (origin) all.Origin = origin;
  if (userAgent) all['User-Agent'] = userAgent;
  return SELF.fetch('https://api.test/api/v1/events', {
    method: 'POST',
    headers: all,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export const shardStub = (index: number) => env.SHARDS.getByName(shardName(index));

/** Runs every shard's alarm once, which flushes all it holds to D1. */
export async function flushAllShards(): Promise<void> {
  const { shardCount } = readConfig(env);
  for (let i = 0; i < shardCount; i++) await runDurableObjectAlarm(shardStub(i));
}

/**
 * Runs a site's article registry alarm once: the page checks due now (tests
 * set CHECK_SECONDS to an hour, so that no check runs on its own).
 */
export async function runPageChecks(siteId: string): Promise<void> {
  const site = await env.DB.prepare('SELECT id, created_at FROM sites WHERE id = ?')
    .bind(siteId)
    .first<{ id: string; created_at: string }>();
  if (!site) throw new Error(`runPageChecks: no site ${siteId}`);
  await runDurableObjectAlarm(registryFor(env, site));
}

export interface StoredTotals {
  views: number;
  shares: number;
}

/** An article's totals as stored in D1 (not through any cache). */
export async function storedTotals(site: string, url: string): Promise<StoredTotals> {
  const row = await env.DB.prepare('SELECT views, shares FROM articles WHERE site_id = ? AND url = ?')
    .bind(site, url)
    .first<StoredTotals>();
  return row ?? { views: 0, shares: 0 };
}

const SHARD_TABLES = [PENDING_ROWS, 'held', OUTBOX_ROWS] as const;

/** Rows a site has in any shard's buffers, not yet in D1. */
export async function bufferedRows(site: string): Promise<number> {
  const { shardCount } = readConfig(env);
  let rows = 0;
  for (let i = 0; i < shardCount; i++) {
    rows += await runInDurableObject(shardStub(i), (_, state) =>
      SHARD_TABLES.reduce(
        (sum, table) =>
          sum +
          state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE site = ?`, site).one().n,
        0,
      ),
    );
  }
  return rows;
}

/** Rows a site has in D1's article tables. */
export async function storedRows(site: string): Promise<number> {
  const tables = ['articles', 'article_hours', 'article_network_shares', 'window_totals', 'window_state'];
  let rows = 0;
  for (const table of tables) {
    rows += (await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE site_id = ?`)
      .bind(site)
      .first<{ n: number }>())!.n;
  }
  return rows;
}

/** Asserts that nothing of `site` is buffered in a shard or stored in D1, even after a flush. */
export async function expectNothingRecorded(site: string): Promise<void> {
  expect(await bufferedRows(site)).toBe(0);
  await flushAllShards();
  expect(await storedRows(site)).toBe(0);
}

/** The JSON error shape of API.md, with the given status and code. */
/** The sources of an answer's CSP `frame-ancestors`: who may frame it. */
export const frameAncestors = (response: Response): string[] | undefined =>
  /frame-ancestors ([^;]*)/.exec(response.headers.get('Content-Security-Policy') ?? '')?.[1]?.split(' ');

export async function expectError(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
  const body = await response.json<{ error: { code: string; message: string } }>();
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  expect(body.error.message.length).toBeGreaterThan(0);
}

/**
 * Freezes the clock just after a minute begins, so that nothing a minute
 * decides (the flood guard's window, the install check's writes) turns over
 * mid-test unless the test moves the clock. Answers the frozen time.
 */
export function freezeAtMinuteStart(): number {
  vi.useFakeTimers({ toFake: ['Date'] });
  const nowMs = (Math.floor(Date.now() / 60_000) + 1) * 60_000 + 500;
  vi.setSystemTime(nowMs);
  return nowMs;
}
