import { env, runInDurableObject } from 'cloudflare:test';
import { onTestFinished, vi } from 'vitest';
import type { CounterShard, RecordRequest, ShardEvent } from '../../src/shard/counter-shard';
import { BROWSER_UA, createSite } from '../support/helpers';
import { loadStoredSite } from '../support/seed';
import { PENDING_ROWS } from '../support/shard-tables';

export { OUTBOX_ROWS, PENDING_ROWS, SEEN_ROWS } from '../support/shard-tables';

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
  from: null,
  boxes: [],
  title: null,
  image: null,
  section: null,
  published: null,
  siteMaxPerSecond: 5000,
  siteMaxVisitorsPerIp: 20,
  pageUrl: url,
  // Beacon mode: the shards' tests count events of pages that do not exist.
  articles: { source: 'beacon', maxNewPerHour: 100_000, hosts: [site.host], imageHosts: [] },
  ...extra,
});

export const beacon = (events: ShardEvent[], extra: Partial<RecordRequest> = {}): RecordRequest => ({
  receivedMs: Date.now(),
  ip: '198.51.100.9',
  userAgent: BROWSER_UA,
  events,
  ...extra,
});

/** A shard's buffered rows, as its storage holds them before a flush seals them. */
export interface BufferedRows {
  pending: Record<string, SqlStorageValue>[];
}

export const readBufferedRows = (stub: DurableObjectStub<CounterShard>): Promise<BufferedRows> =>
  runInDurableObject(stub, (_, state) => ({
    pending: state.storage.sql.exec(`SELECT * FROM ${PENDING_ROWS}`).toArray(),
  }));

/**
 * Puts back, as the last sealed outbox batch, rows a flush has just committed:
 * as if the shard died after D1's commit and before clearing its outbox. The
 * next alarm then replays that batch.
 */
export const putBackCommittedBatch = (stub: DurableObjectStub<CounterShard>, rows: BufferedRows) =>
  runInDurableObject(stub, async (_, state) => {
    const sql = state.storage.sql;
    const seq = sql.exec<{ value: number }>("SELECT value FROM state WHERE key = 'next_seq'").one().value - 1;
    for (const r of rows.pending) {
      sql.exec(
        'INSERT INTO outbox VALUES (?, ?, ?, ?, ?, ?, ?)',
        seq,
        r.site,
        r.site_created_at,
        r.url,
        r.bucket,
        r.network,
        r.n,
      );
    }
    await state.storage.setAlarm(Date.now());
  });

/** A shard of its own per test, so alarms and storage of other tests do not interfere. */
export const isolatedShard = () => env.SHARDS.getByName(`test-${crypto.randomUUID()}`);

/** A new site (createShardSite), with its id and host at hand, and a shard of its own (isolatedShard). */
export async function siteWithShard() {
  const site = await createShardSite();
  return { site, id: site.id, host: site.host, shard: isolatedShard() };
}

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
