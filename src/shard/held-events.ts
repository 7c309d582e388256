import type { LedgerDelta, SiteIncarnation } from '../db/counts';
import type { LedgerOutcome } from '../ledger/ledger-days';
import { dayOfBucket } from '../time';
import { addEventCount, type HourNetworkCount, oneEventAdder } from './outbox';

/** Holds one event of a URL whose page is being checked: counted or dropped when the check ends. */
export const bufferHeld = oneEventAdder('held');

/** A URL with held events, named with its site. */
export interface HeldUrl extends SiteIncarnation {
  url: string;
}

/** Up to `limit` URLs whose events are held. */
export const heldUrls = (sql: SqlStorage, limit: number): HeldUrl[] =>
  sql
    .exec<{ site: string; siteCreatedAt: string; url: string }>(
      'SELECT DISTINCT site, site_created_at AS siteCreatedAt, url FROM held LIMIT ?',
      limit,
    )
    .toArray();

/**
 * Ends the hold of `held`'s events: moved to the pending increments of
 * `canonical` when its page passed, each under its own counter (a view's, a
 * read's, a share's network), dropped with `reason` when not. Answers
 * the ledger's corrections: the events were tallied `unverified` when held,
 * and are now counted (the flush of their increments tallies them) or
 * refused, each on its own day.
 */
export function releaseHeld(
  sql: SqlStorage,
  held: HeldUrl,
  decision: { canonical: string } | { reason: LedgerOutcome },
): LedgerDelta[] {
  const where = 'WHERE site = ? AND site_created_at = ? AND url = ?';
  const rows = sql
    .exec<HourNetworkCount>(`SELECT bucket, network, n FROM held ${where}`, held.site, held.siteCreatedAt, held.url)
    .toArray();
  const ledger = new Map<string, LedgerDelta>();
  const add = (day: number, outcome: LedgerOutcome, n: number) => {
    const key = `${day}\n${outcome}`;
    const row = ledger.get(key) ?? { site: held.site, siteCreatedAt: held.siteCreatedAt, day, outcome, n: 0 };
    row.n += n;
    ledger.set(key, row);
  };
  for (const count of rows) {
    const { bucket, n } = count;
    const day = dayOfBucket(bucket);
    add(day, 'unverified', -n);
    if ('reason' in decision) {
      add(day, decision.reason, n);
      continue;
    }
    // Counted as its increment: the ledger takes it from the batch it is flushed in.
    addEventCount(sql, 'pending', held, decision.canonical, count);
  }
  sql.exec(`DELETE FROM held ${where}`, held.site, held.siteCreatedAt, held.url);
  return [...ledger.values()];
}
