import { parseFrom } from '../../common/box-list';

/**
 * What the popular box brought on one site and UTC day, counted by the shard
 * that counted the view or read (API.md "Recirculation"): an `impression` of a
 * list (a counted page view that showed it), a `click` at a position of it (a
 * counted view opened from it), a `quality` click (that view's read counted).
 */
export type BoxKind = 'impression' | 'click' | 'quality';

/** One tally's key; impressions are of the whole list, at position 0. */
export interface BoxTally {
  list: string;
  position: number;
  kind: BoxKind;
}

/**
 * A tally as an outcome of the shards' ledger buffers: recirculation figures
 * travel with the ledger's rows (durable, flushed under flush_log), and the
 * flush moves them to their own table (src/shard/batch.ts).
 */
export type BoxOutcome = `box:${string}`;

const KINDS: readonly BoxKind[] = ['impression', 'click', 'quality'];

/** @example boxOutcome({ kind: 'click', list: 'views-24h', position: 3 }) // 'box:click:views-24h:3' */
export const boxOutcome = ({ kind, list, position }: BoxTally): BoxOutcome => `box:${kind}:${list}:${position}`;

/** The tally a box outcome names, or null for any other outcome. */
export function parseBoxOutcome(outcome: string): BoxTally | null {
  const [prefix, kind, list, position, ...rest] = outcome.split(':');
  if (prefix !== 'box' || rest.length > 0 || !list || !KINDS.includes(kind as BoxKind)) return null;
  return position !== undefined && /^(?:0|[1-9]\d*)$/.test(position)
    ? { kind: kind as BoxKind, list, position: Number(position) }
    : null;
}

/** What boxTallies reads of an event. */
export interface BoxedEvent {
  type: 'view' | 'share' | 'read';
  /** The `sp_from` value the page was opened with, or null. */
  from: string | null;
  /** The lists of the popular boxes the page shows. */
  boxes: readonly string[];
}

/**
 * The tallies of an event that passed dedup and the per-IP cap (counted, or
 * held while its page is checked): for a view, an impression of each list its
 * page shows, and a click at its `from` when `click` says that click is new;
 * for a read with `from`, a quality click there when `click` says the
 * visitor's view counted that click. A share brings none.
 *
 * @example
 * boxTallies({ type: 'read', from: 'views-24h.3', boxes: [] }, true)
 * // [{ kind: 'quality', list: 'views-24h', position: 3 }]
 */
export function boxTallies({ type, from, boxes }: BoxedEvent, click: boolean): BoxTally[] {
  // `?? …`: during a rollout a Worker of the release before sends events without these fields.
  const opened = from == null ? null : parseFrom(from);
  const tallies: BoxTally[] = [];
  if (type === 'view') {
    for (const list of boxes ?? []) tallies.push({ kind: 'impression', list, position: 0 });
    if (opened && click) tallies.push({ kind: 'click', ...opened });
  } else if (type === 'read' && opened && click) {
    tallies.push({ kind: 'quality', ...opened });
  }
  return tallies;
}
