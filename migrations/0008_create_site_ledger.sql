-- The ledger of API.md's counting rules: per site and UTC day, how many
-- accepted events were counted (outcome 'view' or 'share') and how many were
-- not, per reason (outcome 'bot', 'repeat', 'ip_cap', …; src/ledger/reasons.ts).
-- Shards add to it in their flush batches, under flush_log like the counts, so
-- each event is in it once; received = the sum of a day's rows.
CREATE TABLE site_ledger (
  site_id TEXT NOT NULL,
  day INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (site_id, day, outcome)
) STRICT, WITHOUT ROWID;
