import { isoDate } from '../export/formats';
import type { LedgerDayBody } from '../openapi/schemas';
import type { BoxOutcome } from '../recirculation/box-tally';
import type { Span } from '../time';
import { NOT_COUNTED_REASONS, type NotCountedReason } from './reasons';

/**
 * What became of an accepted event: counted as a view, a share or a read, or
 * not counted for a reason; or a recirculation tally riding in the same buffers.
 */
export type LedgerOutcome = 'view' | 'share' | 'read' | NotCountedReason | BoxOutcome;

/** One row of a site's ledger: the events of one UTC day with one outcome. */
export interface LedgerRow {
  day: number;
  outcome: LedgerOutcome;
  n: number;
}

/** A site's ledger for one UTC day: events counted (views, shares, reads) and not counted, per reason. */
export interface LedgerDay {
  day: number;
  views: number;
  shares: number;
  reads: number;
  notCounted: Record<NotCountedReason, number>;
}

const isReason = (outcome: string): outcome is NotCountedReason =>
  (NOT_COUNTED_REASONS as readonly string[]).includes(outcome);

const emptyDay = (day: number): LedgerDay => ({
  day,
  views: 0,
  shares: 0,
  reads: 0,
  notCounted: Object.fromEntries(NOT_COUNTED_REASONS.map((reason) => [reason, 0])) as Record<NotCountedReason, number>,
});

/**
 * The days that have rows, oldest first, each with every reason (0 where none).
 * The popular boxes' tallies among the rows are no events, and are left out.
 *
 * @example
 * foldLedger([{ day: 9, outcome: 'view', n: 3 }, { day: 9, outcome: 'repeat', n: 1 }])
 * // [{ day: 9, views: 3, shares: 0, reads: 0, notCounted: { bot: 0, repeat: 1, … } }]
 */
export function foldLedger(rows: readonly LedgerRow[]): LedgerDay[] {
  const days = new Map<number, LedgerDay>();
  for (const { day, outcome, n } of rows) {
    let found = days.get(day);
    if (!found) {
      found = emptyDay(day);
      days.set(day, found);
    }
    if (outcome === 'view') found.views += n;
    else if (outcome === 'share') found.shares += n;
    else if (outcome === 'read') found.reads += n;
    // An outcome no reason names any more is left out rather than answered.
    else if (isReason(outcome)) found.notCounted[outcome] += n;
  }
  return [...days.values()].sort((a, b) => a.day - b.day);
}

/** Every day of `span`, oldest first, days without rows as zeros. */
export function everyDay(rows: readonly LedgerRow[], span: Span): LedgerDay[] {
  const folded = new Map(foldLedger(rows).map((day) => [day.day, day]));
  const days: LedgerDay[] = [];
  for (let day = span.from; day <= span.to; day++) days.push(folded.get(day) ?? emptyDay(day));
  return days;
}

/** Events of a day not counted, whatever the reason. */
export const notCountedTotal = (day: LedgerDay): number =>
  NOT_COUNTED_REASONS.reduce((sum, reason) => sum + day.notCounted[reason], 0);

/** A ledger day as the API answers it: received = counted + not counted. */
export function toLedgerDayBody(day: LedgerDay): LedgerDayBody {
  const counted = day.views + day.shares + day.reads;
  return {
    date: isoDate(day.day),
    received: counted + notCountedTotal(day),
    counted,
    not_counted: { ...day.notCounted },
  };
}
