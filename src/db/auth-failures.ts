import { prepareQuery, type Query, runBatch } from './query';

/** A client's wrong admin tokens in its current window. */
export interface FailureWindow {
  window_start: number;
  failures: number;
}

/** `client`'s failures in a window that began after `sinceMs`, or null if it has none. */
export function readFailures(db: D1Database, client: string, sinceMs: number): Promise<FailureWindow | null> {
  return db
    .prepare('SELECT window_start, failures FROM auth_failures WHERE client = ? AND window_start > ?')
    .bind(client, sinceMs)
    .first<FailureWindow>();
}

/**
 * Counts one more failure of `client`, opening its window at `nowMs` if it
 * has none. Windows that began at or before `sinceMs` are over: deleted in the
 * same transaction, theirs and every other client's.
 */
export async function recordFailure(db: D1Database, client: string, nowMs: number, sinceMs: number): Promise<void> {
  await runBatch(db, [
    { sql: 'DELETE FROM auth_failures WHERE window_start <= ?', params: [sinceMs] },
    {
      sql: `INSERT INTO auth_failures (client, window_start, failures) VALUES (?, ?, 1)
            ON CONFLICT (client) DO UPDATE SET failures = failures + 1`,
      params: [client, nowMs],
    },
  ]);
}

/**
 * The client key's secret of UTC day `day`: the one stored, or `candidate`
 * when none is yet (the first isolate to ask stores it; every other one then
 * reads it, D1 being one database). Storing it deletes those of earlier days.
 */
export async function daySecret(db: D1Database, day: number, candidate: string): Promise<string> {
  const select: Query = { sql: 'SELECT secret FROM auth_client_keys WHERE day = ?', params: [day] };
  const stored = await prepareQuery(db, select).first<{ secret: string }>();
  if (stored) return stored.secret;
  const [, , chosen] = await runBatch<{ secret: string }>(db, [
    { sql: 'DELETE FROM auth_client_keys WHERE day < ?', params: [day] },
    {
      sql: 'INSERT INTO auth_client_keys (day, secret) VALUES (?, ?) ON CONFLICT (day) DO NOTHING',
      params: [day, candidate],
    },
    select,
  ]);
  return chosen!.results[0]!.secret;
}
