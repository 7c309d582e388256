-- The dashboard's install check (issue 18): per site, page host and UTC day,
-- when a beacon from that host was last accepted, and how many were refused,
-- with the last refusal's code and message. The host is the beacon's Origin
-- (else Referer) host, lower-cased, '' when it sent neither; no address, no
-- User-Agent. Isolates add what they saw at most once a minute per site
-- (src/recording/install-check.ts); the hourly cron keeps the last days only.
CREATE TABLE install_checks (
  site_id TEXT NOT NULL,
  day INTEGER NOT NULL,
  host TEXT NOT NULL,
  -- Milliseconds since the epoch; NULL while that day's beacons from the host were all refused.
  last_accepted_at INTEGER,
  refused INTEGER NOT NULL,
  -- NULL while none was refused.
  last_refused_at INTEGER,
  last_refusal_code TEXT,
  last_refusal_message TEXT,
  PRIMARY KEY (site_id, day, host)
) STRICT, WITHOUT ROWID;
