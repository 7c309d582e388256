import { env, listDurableObjectIds, runInDurableObject, SELF } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { ipScope } from '../../src/ingest/ip-scope';
import wranglerToml from '../../wrangler.toml?raw';
import { SEEN_ROWS } from '../shard/shard-support';
import { createSite, flushAllShards, postEvents } from '../support/helpers';

const MARKER_IP = '203.0.113.199';
const MARKER_IPV6 = '2001:db8:beef::1234';
const MARKER_UA = 'Mozilla/5.0 (X11; Linux x86_64) MarkerBrowser/9.9.9 (KHTML, like Gecko) Chrome/140.0 Safari/537.36';

/** Every value of every table of a SQLite database, as one string. */
function dumpSql(tables: string[], read: (table: string) => unknown[]): string {
  return tables.map((table) => JSON.stringify(read(table))).join('\n');
}

async function dumpD1(): Promise<string> {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
  ).all<{ name: string }>();
  const dumps = await Promise.all(
    results.map(async ({ name }) => JSON.stringify((await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results)),
  );
  return dumps.join('\n');
}

async function dumpShards(): Promise<string> {
  const ids = await listDurableObjectIds(env.SHARDS);
  expect(ids.length).toBeGreaterThan(0);
  const dumps = await Promise.all(
    ids.map((id) =>
      runInDurableObject(env.SHARDS.get(id), (_, state) => {
        const sql = state.storage.sql;
        const tables = sql
          .exec<{ name: string }>(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%'",
          )
          .toArray()
          .map((r) => r.name);
        return dumpSql(tables, (table) => sql.exec(`SELECT * FROM "${table}"`).toArray());
      }),
    ),
  );
  return dumps.join('\n');
}

async function dumpKv(): Promise<string> {
  const { keys } = await env.CACHE.list();
  const values = await Promise.all(keys.map(async ({ name }) => `${name}=${await env.CACHE.get(name)}`));
  return values.join('\n');
}

const expectNoRawVisitorData = (dump: string) => {
  expect(dump).not.toContain(MARKER_IP);
  expect(dump).not.toContain(MARKER_IPV6);
  // The per-IP cap keys by an address's scope: its /64 for IPv6.
  expect(dump).not.toContain(ipScope(MARKER_IPV6));
  expect(dump).not.toContain(ipScope(MARKER_IPV6).replace('::/64', ''));
  expect(dump).not.toContain('MarkerBrowser');
};

/** The per-IP cap's counts in every shard: what the dumps must cover. */
async function ipVisitorRows(): Promise<number> {
  const ids = await listDurableObjectIds(env.SHARDS);
  const counts = await Promise.all(
    ids.map((id) =>
      runInDurableObject(
        env.SHARDS.get(id),
        (_, state) =>
          state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${SEEN_ROWS} WHERE cap IS NOT NULL`).one().n,
      ),
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

it('should keep no raw IP or User-Agent in D1, Durable Object storage or KV', async () => {
  const { id, host } = await createSite();
  const origin = `https://${host}`;
  for (const ip of [MARKER_IP, MARKER_IPV6]) {
    const events = [
      { site: id, type: 'view', url: `${origin}/a`, title: 'A story', section: 'City' },
      { site: id, type: 'share', url: `${origin}/a`, network: 'x' },
      { site: id, type: 'view', url: `${origin}/b` },
    ];
    expect((await postEvents(events, { origin, ip, userAgent: MARKER_UA })).status).toBe(202);
  }
  // A read fills the KV cache with the article's counts.
  expect((await SELF.fetch(`https://api.test/api/v1/sites/${id}/counts?url=${origin}/a`)).status).toBe(200);

  // Buffered in the shards, before the flush, the per-IP counts with them...
  expect(await ipVisitorRows()).toBeGreaterThan(0);
  expectNoRawVisitorData(await dumpShards());
  await flushAllShards();
  // ...and everywhere once flushed.
  const all = [await dumpD1(), await dumpShards(), await dumpKv()].join('\n');
  // The dumps do see the stored data: articles in D1, cached counts in KV.
  expect(all).toContain(`${origin}/a`);
  expect(all).toContain(`counts:${id}:`);
  expectNoRawVisitorData(all);
});

/** The `key = value` lines of one table of a TOML file: enough of TOML for wrangler.toml's flat tables. */
function tomlTable(toml: string, name: string): Record<string, string> {
  const table: Record<string, string> = {};
  let inside = false;
  for (const line of toml.split('\n').map((l) => l.replace(/#.*$/, '').trim())) {
    const header = /^\[\[?([^\]]+)\]\]?$/.exec(line);
    if (header) inside = header[1] === name;
    else if (inside && line.includes('=')) {
      const at = line.indexOf('=');
      table[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
  }
  return table;
}

it("should keep no Cloudflare log or trace of a request's headers (IP, User-Agent, Referer)", () => {
  // Workers Logs stay on for what the code itself writes.
  expect(tomlTable(wranglerToml, 'observability').enabled).toBe('true');
  expect(tomlTable(wranglerToml, 'observability.logs')).toMatchObject({ enabled: 'true', invocation_logs: 'false' });
  expect(tomlTable(wranglerToml, 'observability.traces').enabled).toBe('false');
});
