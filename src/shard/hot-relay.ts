import { DurableObject } from 'cloudflare:workers';
import type { RecordRequest } from './counter-shard';
import { answerInShard, isRetryableShardFailure, type RelayAnswer } from './shard-client';

/**
 * A relay of hot articles (./hot-articles.ts). The beacons of one article
 * arrive through hundreds of isolates in production, each with its own RPC,
 * where group commit (./shard-client.ts) only merges one isolate's: a relay
 * is one more place for group commit, shared by every isolate that picks it,
 * so that the article's shard gets at most one RPC in flight per relay. It
 * stores nothing: the shard dedups and stores every event before its relay
 * answers, so a visitor is deduped in one place whichever relay carried the
 * beacon, also when the article became hot during the day.
 *
 * A relay tries its shard again while the platform fails it, overloaded too,
 * which Cloudflare advises against for a caller of its own: a relay's retry
 * is one RPC for its whole batch, and at most RELAY_WIDTH are in flight, so
 * that a retry through relays takes load off the shard rather than adding it.
 */
export class HotRelay extends DurableObject<Env> {
  /**
   * Records `request` in shard `home`, answering as the shard did. It tries
   * for half of the `withinMs` its caller has left, so that the caller still
   * has time to try another relay.
   */
  async record(home: string, request: RecordRequest, withinMs: number): Promise<RelayAnswer> {
    try {
      return await answerInShard(this.env.SHARDS, home, request, { deadlineMs: Date.now() + withinMs / 2 });
    } catch (err) {
      if (isRetryableShardFailure(err)) return { shardFailed: true };
      throw err;
    }
  }
}
