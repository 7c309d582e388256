import { runBatch } from './query';

/** A session as stored: never its id, only the id's hash (the table's key). */
export interface StoredSession {
  token_check: string;
  expires_at: number;
}

/** Stores a new session and, in the same transaction, deletes every expired one. */
export async function insertSession(
  db: D1Database,
  idHash: string,
  session: StoredSession,
  nowMs: number,
): Promise<void> {
  await runBatch(db, [
    { sql: 'DELETE FROM dashboard_sessions WHERE expires_at <= ?', params: [nowMs] },
    {
      sql: 'INSERT INTO dashboard_sessions (id_hash, token_check, expires_at) VALUES (?, ?, ?)',
      params: [idHash, session.token_check, session.expires_at],
    },
  ]);
}

/** The session under `idHash` if it has not expired at `nowMs`. */
export function findSession(db: D1Database, idHash: string, nowMs: number): Promise<StoredSession | null> {
  return db
    .prepare('SELECT token_check, expires_at FROM dashboard_sessions WHERE id_hash = ? AND expires_at > ?')
    .bind(idHash, nowMs)
    .first<StoredSession>();
}

export async function deleteSession(db: D1Database, idHash: string): Promise<void> {
  await db.prepare('DELETE FROM dashboard_sessions WHERE id_hash = ?').bind(idHash).run();
}

/** "Sign out everywhere": every session of every browser ends. */
export async function deleteAllSessions(db: D1Database): Promise<void> {
  await db.prepare('DELETE FROM dashboard_sessions').run();
}
