import { prepareQuery, type Query, runBatch } from './query';

/** A client's admin-token attempts in its current window. */
export interface FailureWindow {
  window_start: number;
  /** Wrong tokens, and tokens being compared right now: a right one is withdrawn once known. */
  failures: number;
}

/** The outcome of counting one attempt of a client. */
export interface CountedAttempt {
  /** False when the window already held `limit` attempts: this one was not counted. */
  counted: boolean;
  /** The client's window after the attempt. */
  window: FailureWindow;
}

/**
 * Counts one attempt of `client` unless its window already holds `limit`: the
 * check and the increment are one statement, so concurrent attempts cannot all
 * see room under the limit. A window that began at or before `sinceMs` is over
 * and starts again at `nowMs` with this attempt.
 */
export async function countAttempt(
  db: D1Database,
  client: string,
  nowMs: number,
  sinceMs: number,
  limit: number,
): Promise<CountedAttempt> {
  const [counted, current] = await runBatch<FailureWindow>(db, [
    {
      // In SET and WHERE, bare columns are the stored row's values, before this update.
      sql: `INSERT INTO auth_failures (client, window_start, failures) VALUES (?1, ?2, 1)
            ON CONFLICT (client) DO UPDATE SET
              window_start = CASE WHEN window_start <= ?3 THEN excluded.window_start ELSE window_start END,
              failures = CASE WHEN window_start <= ?3 THEN 1 ELSE failures + 1 END
            WHERE window_start <= ?3 OR failures < ?4
            RETURNING window_start, failures`,
      params: [client, nowMs, sinceMs, limit],
    },
    { sql: 'SELECT window_start, failures FROM auth_failures WHERE client = ?', params: [client] },
  ]);
  return { counted: counted!.results.length > 0, window: current!.results[0]! };
}

/**
 * Takes back an attempt of `client` counted in the window that began at
 * `windowStart` (its token was right); a window left with none is deleted.
 */
export async function withdrawAttempt(db: D1Database, client: string, windowStart: number): Promise<void> {
  await runBatch(db, [
    {
      sql: 'UPDATE auth_failures SET failures = failures - 1 WHERE client = ? AND window_start = ?',
      params: [client, windowStart],
    },
    { sql: 'DELETE FROM auth_failures WHERE client = ? AND failures = 0', params: [client] },
  ]);
}

/**
 * Deletes every window that began at or before `sinceMs` and the client-key
 * secrets of days before `day`: once a day's secret is gone, no row of that
 * day can be tied back to an IP, even by trying every IPv4 address.
 */
export async function deleteExpiredFailures(db: D1Database, sinceMs: number, day: number): Promise<void> {
  await runBatch(db, [
    { sql: 'DELETE FROM auth_failures WHERE window_start <= ?', params: [sinceMs] },
    { sql: 'DELETE FROM auth_client_keys WHERE day < ?', params: [day] },
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
