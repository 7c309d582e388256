/**
 * Why an accepted event was not counted: exactly the reasons of the counting
 * rules, in the order the ledger lists them. Every accepted event is counted
 * or has one of these.
 */
export const NOT_COUNTED_REASONS = [
  'bot',
  'repeat',
  'gpc',
  'ip_cap',
  'rate_limited',
  'site_ceiling',
  'unverified',
  'rejected',
  'new_article_budget',
  'network_disabled',
  'no_view',
] as const;
export type NotCountedReason = (typeof NOT_COUNTED_REASONS)[number];

/**
 * Events of one site and UTC day that the Worker decided about before any
 * shard (bots, opt-outs, the flood guard, disabled networks): tallied in the
 * isolate and carried to a shard with a later call, never a write per event.
 */
export interface LedgerTally {
  site: string;
  /** The site's created_at: tallies, like counts, belong to one incarnation of a site id. */
  siteCreatedAt: string;
  day: number;
  reason: NotCountedReason;
  n: number;
}
