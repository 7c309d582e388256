import { env, runInDurableObject } from 'cloudflare:test';
import { onTestFinished, vi } from 'vitest';
import type { CounterShard, RecordRequest, ShardEvent } from '../../src/shard/counter-shard';
import { BROWSER_UA, createSite } from '../support/helpers';
import { loadStoredSite } from '../support/seed';

/** A site as the shard sees it: its id and first host, and the created_at its events carry. */
export interface ShardSite {
  id: string;
  host: string;
  createdAt: string;
}

/** Creates a site through the admin API, as createSite does. */
export async function createShardSite(): Promise<ShardSite> {
  const { id, host } = await createSite();
  return { id, host, createdAt: (await loadStoredSite(id)).created_at };
}

export const shardEvent = (site: ShardSite, url: string, extra: Partial<ShardEvent> = {}): ShardEvent => ({
  site: site.id,
  siteCreatedAt: site.createdAt,
  url,
  type: 'view',
  network: '',
  title: null,
  image: null,
  section: null,
  published: null,
  siteMaxPerSecond: 5000,
  siteMaxVisitorsPerIp: 20,
  ...extra,
});

export const beacon = (events: ShardEvent[], extra: Partial<RecordRequest> = {}): RecordRequest => ({
  receivedMs: Date.now(),
  ip: '198.51.100.9',
  userAgent: BROWSER_UA,
  events,
  ...extra,
});

/** A shard of its own per test, so alarms and storage of other tests do not interfere. */
export const isolatedShard = () => env.SHARDS.getByName(`test-${crypto.randomUUID()}`);

/** How many rows a table of the shard's storage holds. */
export const rowCount = (stub: DurableObjectStub<CounterShard>, table: string) =>
  runInDurableObject(
    stub,
    (_, state) => state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).one().n,
  );

/** Renames a D1 table away and back: a real D1 failure for whatever touches it meanwhile. */
export async function withD1Broken<T>(table: string, during: () => Promise<T>): Promise<T> {
  await env.DB.exec(`ALTER TABLE ${table} RENAME TO ${table}_away`);
  try {
    return await during();
  } finally {
    await env.DB.exec(`ALTER TABLE ${table}_away RENAME TO ${table}`);
  }
}

/**
 * Captures console.error for the rest of the test: the shard reports each
 * failed flush there. Answers what was logged, each message with its error's text.
 */
export function captureShardErrors() {
  const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
  onTestFinished(() => spy.mockRestore());
  return () => spy.mock.calls.map(([message, err]) => [message, String(err)]);
}
