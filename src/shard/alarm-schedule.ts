import { DAY_MS, dayOf } from '../time';
import { DEDUP_GRACE_MS } from './dedup';

const FIRST_RETRY_MS = 2_000;
const MAX_RETRY_MS = 5 * 60_000;

/** What a shard holds, as far as its next alarm depends on it. */
export interface ShardBacklog {
  /** A sealed batch waits to go to D1. */
  hasOutbox: boolean;
  /** Increments or metadata wait to be sealed into a batch. */
  hasPending: boolean;
  /** A salt (and maybe dedup keys) is left, to be dropped when it expires. */
  hasSalts: boolean;
}

/** How long to wait after the `failedFlushes`-th failed flush in a row (from 1): doubling from 2 s, at most 5 min. */
export const retryDelayMs = (failedFlushes: number): number =>
  Math.min(FIRST_RETRY_MS * 2 ** (failedFlushes - 1), MAX_RETRY_MS);

/**
 * The next time after `nowMs` that something expires: DEDUP_GRACE_MS after
 * midnight UTC, when yesterday's dedup keys go, or the next midnight, when a
 * salt does.
 */
export function nextExpiryAt(nowMs: number): number {
  const midnight = dayOf(nowMs) * DAY_MS;
  return nowMs < midnight + DEDUP_GRACE_MS ? midnight + DEDUP_GRACE_MS : midnight + DAY_MS;
}

/**
 * When the alarm after a flush at `nowMs` is due, or null for none: at once
 * for an outbox left (after a backoff if flushes fail), `flushMs` on for
 * pending rows, and when salts or dedup keys expire otherwise.
 */
export function nextAlarmAt(
  nowMs: number,
  flushMs: number,
  failedFlushes: number,
  backlog: ShardBacklog,
): number | null {
  if (backlog.hasOutbox) return failedFlushes > 0 ? nowMs + retryDelayMs(failedFlushes) : nowMs;
  if (backlog.hasPending) return nowMs + flushMs;
  // Wake to drop expired salts and dedup keys even when idle.
  if (backlog.hasSalts) return nextExpiryAt(nowMs);
  return null;
}

/**
 * Whether a beacon's rows must move the alarm (at `alarmAt`, null: none) to
 * fire by `dueMs`: a missing alarm or a later one moves, but not the retry
 * alarm of a shard backing off after `failedFlushes` failed flushes, as
 * pulling it forward would cancel the backoff.
 */
export const beaconMovesAlarm = (alarmAt: number | null, dueMs: number, failedFlushes: number): boolean =>
  alarmAt === null || (failedFlushes === 0 && alarmAt > dueMs);
