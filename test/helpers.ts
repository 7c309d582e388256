import { env, runDurableObjectAlarm, SELF } from 'cloudflare:test';
import { readConfig } from '../src/config';
import { shardName } from '../src/shard/routing';

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
    body: JSON.stringify({ id, name: `Site ${id}`, hosts, settings }),
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
export function postEvents(body: unknown, { origin, ip = '203.0.113.7', userAgent = BROWSER_UA, headers = {}, contentType = 'text/plain;charset=UTF-8' }: BeaconOptions = {}) {
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
