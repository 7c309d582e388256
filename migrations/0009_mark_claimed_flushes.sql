-- What a flush_log row stands for. 'applied': the batch committed (or its one
-- row was set aside). 'claimed': a shard gave up sending the batch as it was
-- (src/shard/outbox.ts) and took its key, so that no attempt still on its way
-- can commit it, before moving its rows into new batches. A shard that finds
-- its batch claimed, not applied, goes on with that split instead of clearing
-- the batch as if its counts were in D1. Rows from before, and rows a Worker
-- deployed before this migration still inserts, take 'applied', as that
-- Worker reads every row.
ALTER TABLE flush_log ADD COLUMN kind TEXT NOT NULL DEFAULT 'applied' CHECK (kind IN ('applied', 'claimed'));
