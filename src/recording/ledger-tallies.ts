import { readConfig } from '../config';
import type { LedgerTally, NotCountedReason } from '../ledger/reasons';
import { TallyBook } from '../ledger/tally-book';
import { shardIndex, shardName } from '../shard/routing';
import { recordInShard } from '../shard/shard-client';

/** How long a site's tallies wait for a shard call of the site's own before they go on their own. */
export const TALLY_WAIT_MS = 5_000;
/** Sites whose tallies one isolate holds at once. */
const MAX_SITES = 1_000;

/**
 * What this isolate decided before any shard (bots, opt-outs, the flood
 * guard's refusals, disabled networks), waiting for a shard call to carry it
 * to the site's ledger: counted here, so that no such event costs a storage
 * write. Lost only if the isolate dies before a shard call carries it, at
 * most TALLY_WAIT_MS of the isolate's decisions.
 */
const book = new TallyBook(MAX_SITES, TALLY_WAIT_MS);

export type WaitUntil = (promise: Promise<unknown>) => void;

/** Counts `n` events of `site` (created at `siteCreatedAt`) received on UTC day `day` as not counted for `reason`. */
export function tally(
  site: string,
  siteCreatedAt: string,
  day: number,
  reason: NotCountedReason,
  n: number,
  nowMs: number,
): void {
  book.add(site, siteCreatedAt, day, reason, n, nowMs);
}

/**
 * The tallies a shard call about to be made can carry: every one of `sites`
 * (the call's own), and those of other sites that have waited long enough.
 */
export function takeTallies(sites: Iterable<string>, nowMs: number): LedgerTally[] {
  return [...[...sites].flatMap((site) => book.take(site)), ...book.takeDue(nowMs)];
}

/** Puts back tallies whose shard call failed, for a later one to carry. */
export function restoreTallies(tallies: readonly LedgerTally[], nowMs: number): void {
  book.restore(tallies, nowMs);
}

/**
 * Sends the tallies that have waited long enough in a shard call of their own,
 * after the response, so that a site whose traffic is all bots still gets its
 * ledger. Any shard adds tallies to any site's ledger; the first site's own
 * shard takes them.
 */
export function sendDueTallies(env: Env, waitUntil: WaitUntil, nowMs: number): void {
  const due = book.takeDue(nowMs);
  if (due.length === 0) return;
  const shard = shardName(shardIndex(due[0]!.site, '', readConfig(env).shardCount));
  const sent = recordInShard(env.SHARDS, shard, {
    receivedMs: nowMs,
    ip: '',
    userAgent: '',
    events: [],
    tallies: due,
  }).catch((err: unknown) => {
    restoreTallies(due, Date.now());
    console.error('ledger tallies not sent; kept for a later shard call', err);
  });
  waitUntil(sent);
}
