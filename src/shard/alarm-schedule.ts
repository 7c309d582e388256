import { DAY_MS, dayOf } from '../time';

const FIRST_RETRY_MS = 2_000;
const MAX_RETRY_MS = 5 * 60_000;

/** What a shard holds, as far as its next alarm depends on it. */
export interface ShardBacklog {
  /** A sealed batch waits to go to D1. */
  hasOutbox: boolean;
  /** Increments or metadata wait to be sealed into a batch. */
  hasPending: boolean;
  /** A salt is left, to be dropped when it expires. */
  hasSalts: boolean;
}

/** How long to wait after the `failedFlushes`-th failed flush in a row (from 1): doubling from 2 s, at most 5 min. */
export const retryDelayMs = (failedFlushes: number): number =>
  Math.min(FIRST_RETRY_MS * 2 ** (failedFlushes - 1), MAX_RETRY_MS);

/**
 * When the alarm after a flush at `nowMs` is due, or null for none: at once
 * for an outbox left (after a backoff if flushes fail), `flushMs` on for
 * pending rows, and at midnight UTC for salts.
 */
export function nextAlarmAt(
  nowMs: number,
  flushMs: number,
  failedFlushes: number,
  backlog: ShardBacklog,
): number | null {
  if (backlog.hasOutbox) return failedFlushes > 0 ? nowMs + retryDelayMs(failedFlushes) : nowMs;
  if (backlog.hasPending) return nowMs + flushMs;
  // Wake at midnight UTC to drop expired salts and dedup keys even when idle.
  if (backlog.hasSalts) return (dayOf(nowMs) + 1) * DAY_MS;
  return null;
}

/** Whether an alarm at `alarmAt` (null: none) must be moved to fire by `dueMs`. */
export const alarmIsLate = (alarmAt: number | null, dueMs: number): boolean => alarmAt === null || alarmAt > dueMs;
