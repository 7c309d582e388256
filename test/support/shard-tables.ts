/** A shard's storage tables as tests read them, whichever of its tables hold the rows. */

/** The shard's dedup rows of every day, whichever of its tables (src/shard/dedup.ts seenTable) holds them. */
export const SEEN_ROWS = '(SELECT * FROM seen_even UNION ALL SELECT * FROM seen_odd)';

/**
 * The shard's increments waiting to be sealed, in its pending rows or its
 * journal's open positions (src/shard/journal.ts), as one table.
 */
export const PENDING_ROWS = `(SELECT site, site_created_at, url, bucket, network, n FROM pending UNION ALL
  SELECT site, site_created_at, url, bucket, counter, count(*) FROM ${SEEN_ROWS}
  WHERE pos > coalesce((SELECT pos FROM state WHERE key = 'next_seq'), 0)
  GROUP BY site, site_created_at, url, bucket, counter)`;

/**
 * The shard's sealed increments by batch, in its outbox or its journal's
 * sealed parts, as one table: a part read as its whole range, which it is
 * while a flush seals fewer than 100 articles (src/shard/batch.ts
 * ARTICLES_PER_BATCH), as every test's does.
 */
export const OUTBOX_ROWS = `(SELECT seq, site, site_created_at, url, bucket, network, n FROM outbox UNION ALL
  SELECT b.seq, s.site, s.site_created_at, s.url, s.bucket, s.counter, count(*)
  FROM journal_batches AS b JOIN ${SEEN_ROWS} AS s ON s.pos > b.from_pos AND s.pos <= b.to_pos
  GROUP BY b.seq, s.site, s.site_created_at, s.url, s.bucket, s.counter)`;
