// What the runtime itself allows a beacon endpoint here: a bare Worker whose
// only work per request is a hop a beacon endpoint may make.
// POST /shard: one RPC to one of 16 SQLite Durable Objects (by the first hex
// digit of a random key), writing one row (the durable write before 202);
// POST /limiter: one Rate Limiting call (the flood guard sharepulse dropped
// for an in-memory one, on this measure);
// POST /both: the two; GET /noop: nothing.
import { DurableObject } from 'cloudflare:workers';

export class Shard extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY) WITHOUT ROWID');
  }

  record(key) {
    return this.ctx.storage.sql.exec('INSERT OR IGNORE INTO seen (key) VALUES (?)', key).rowsWritten;
  }
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === '/noop') return new Response('ok');
    const key = crypto.randomUUID();
    if (pathname === '/limiter' || pathname === '/both') await env.LIMITER.limit({ key });
    if (pathname === '/shard' || pathname === '/both')
      await env.SHARDS.getByName(`shard-${parseInt(key[0], 16)}`).record(key);
    return new Response(null, { status: 202 });
  },
};
