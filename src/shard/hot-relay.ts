import { DurableObject } from 'cloudflare:workers';
import type { RecordRequest, ShardAnswer } from './counter-shard';
import { hotArticlesOf, recordInShard } from './shard-client';

/**
 * How long a relay retries its shard: half a beacon's retry time, so that the
 * isolate that called it still has time to try another relay.
 */
export const RELAY_RETRY_MS = 5_000;

/**
 * A relay of hot articles (./hot-articles.ts). The beacons of one article
 * arrive through hundreds of isolates in production, each with its own RPC,
 * where group commit (./shard-client.ts) only merges one isolate's: a relay
 * is one more place for group commit, shared by every isolate that picks it,
 * so that the article's shard gets at most one RPC in flight per relay. It
 * stores nothing: the shard dedups and stores every event before its relay
 * answers, so a visitor is deduped in one place whichever relay carried the
 * beacon, also when the article became hot during the day.
 */
export class HotRelay extends DurableObject<Env> {
  /** Records `request` in shard `home`; answers as the shard would, with the request's articles hot there. */
  async record(home: string, request: RecordRequest): Promise<ShardAnswer> {
    const counted = await recordInShard(this.env.SHARDS, home, request, undefined, RELAY_RETRY_MS);
    return { counted: [counted], hot: hotArticlesOf(request, Date.now()) };
  }
}
