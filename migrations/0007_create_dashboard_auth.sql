-- Dashboard sessions, kept server-side so that signing out revokes them: the
-- cookie holds a random id, this table only its SHA-256 (src/dashboard/session.ts).
-- D1 rather than KV: a deleted row is gone for every location at once, where
-- KV could still serve a revoked session for up to a minute.
CREATE TABLE dashboard_sessions (
  id_hash TEXT PRIMARY KEY, -- SHA-256 of the cookie's id, hex
  token_check TEXT NOT NULL, -- HMAC of ADMIN_TOKEN keyed by the id: a new token ends the session
  expires_at INTEGER NOT NULL -- Unix ms
) STRICT, WITHOUT ROWID;

CREATE INDEX dashboard_sessions_by_expiry ON dashboard_sessions (expires_at);

-- Wrong admin tokens per client, sign-in and bearer alike (src/auth/failure-throttle.ts).
-- A client is an HMAC of its IP scope with the day's key below, never the IP.
CREATE TABLE auth_failures (
  client TEXT PRIMARY KEY,
  window_start INTEGER NOT NULL, -- Unix ms of the window's first failure
  failures INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX auth_failures_by_window ON auth_failures (window_start);

-- One random key per UTC day for the client HMAC, deleted when the next day's
-- is made: a failure row of an earlier day can then no longer be tied to an IP.
CREATE TABLE auth_client_keys (
  day INTEGER PRIMARY KEY, -- UTC day number (src/time.ts dayOf)
  secret TEXT NOT NULL -- 32 random bytes, hex
) STRICT;
