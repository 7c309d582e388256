import type { LedgerTally, NotCountedReason } from './reasons';

interface WaitingTallies {
  /** When the oldest of them was added. */
  since: number;
  /** By day and reason. */
  tallies: Map<string, LedgerTally>;
}

/**
 * Ledger tallies an isolate holds until a shard call carries them: per site,
 * per UTC day and reason, a count, so that no event costs a storage write of
 * its own. At most `maxSites` sites wait: past that the oldest is due at once,
 * as is any site whose tallies have waited `maxWaitMs`. A site holds a tally
 * per day and reason at most, so the book is bounded whatever its traffic.
 *
 * @example
 * const book = new TallyBook(1_000, 5_000);
 * book.add('news', '2026-11-01T08:00:00.000Z', 20_412, 'bot', 3, nowMs);
 * book.take('news'); // [{ site: 'news', siteCreatedAt: '2026-11-01T08:00:00.000Z', day: 20_412, reason: 'bot', n: 3 }]
 */
export class TallyBook {
  /** In insertion order, so oldest first: a site taken out and added again goes last. */
  private readonly bySite = new Map<string, WaitingTallies>();

  constructor(
    readonly maxSites: number,
    readonly maxWaitMs: number,
  ) {}

  get size(): number {
    return this.bySite.size;
  }

  add(site: string, siteCreatedAt: string, day: number, reason: NotCountedReason, n: number, nowMs: number): void {
    if (n <= 0) return;
    let waiting = this.bySite.get(site);
    if (!waiting) {
      waiting = { since: nowMs, tallies: new Map() };
      this.bySite.set(site, waiting);
    }
    const key = `${siteCreatedAt} ${day} ${reason}`;
    const tally = waiting.tallies.get(key);
    if (tally) tally.n += n;
    else waiting.tallies.set(key, { site, siteCreatedAt, day, reason, n });
  }

  /** Takes the tallies of `site` out of the book, for a shard call to carry. */
  take(site: string): LedgerTally[] {
    const waiting = this.bySite.get(site);
    if (!waiting) return [];
    this.bySite.delete(site);
    return [...waiting.tallies.values()];
  }

  /** Takes the tallies of every site that has waited long enough, or that the bound pushes out. */
  takeDue(nowMs: number): LedgerTally[] {
    const due: string[] = [];
    let over = this.bySite.size - this.maxSites;
    for (const [site, { since }] of this.bySite) {
      if (over <= 0 && nowMs - since < this.maxWaitMs) break;
      due.push(site);
      over--;
    }
    return due.flatMap((site) => this.take(site));
  }

  /** Puts back tallies whose shard call failed, to go with a later one. */
  restore(tallies: readonly LedgerTally[], nowMs: number): void {
    for (const { site, siteCreatedAt, day, reason, n } of tallies) this.add(site, siteCreatedAt, day, reason, n, nowMs);
  }
}
