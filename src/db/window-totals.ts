import { RUNNING_TOTAL_WINDOWS, WINDOW_HOURS } from '../ranking/windows';
import type { Query } from './query';

// Migration 0005 (its triggers carrying reads since 0012) keeps window_totals
// (site, hours, url) equal to the sum of the article's hourly rows with
// bucket > through_bucket - hours. Its triggers add every hourly write; these
// statements move through_bucket forward.
const RUNNING_HOURS = `(VALUES ${RUNNING_TOTAL_WINDOWS.map((window) => `(${WINDOW_HOURS[window]})`).join(', ')}) AS w`;

/** ?1: the sites, as a JSON array, so that any number of them takes the same statements. */
const SITES = 'SELECT value FROM json_each(?1)';

/**
 * The statements that bring the running totals of `sites` to `currentBucket`,
 * for the batch (one transaction) of a flush or of the hourly cron. A site
 * without totals yet gets them summed from its hourly rows; otherwise the hours
 * that left each window are subtracted, and rows left at zero deleted. Index
 * lookups only, changing nothing, when the totals are current or a site is gone.
 */
export function advanceWindowQueries(sites: string[], currentBucket: number): Query[] {
  const params = [JSON.stringify(sites), currentBucket];
  const behind = `SELECT site_id, hours FROM window_state WHERE site_id IN (${SITES}) AND through_bucket < ?2`;
  return [
    {
      sql: `INSERT INTO window_totals (site_id, hours, url, views, shares, reads)
            SELECT h.site_id, w.column1, h.url, sum(h.views), sum(h.shares), sum(h.reads)
            FROM sites CROSS JOIN ${RUNNING_HOURS} JOIN article_hours h ON h.site_id = sites.id AND h.bucket > ?2 - w.column1
            WHERE sites.id IN (${SITES})
              AND NOT EXISTS (SELECT 1 FROM window_state s WHERE s.site_id = sites.id AND s.hours = w.column1)
            GROUP BY h.site_id, w.column1, h.url
            ON CONFLICT (site_id, hours, url) DO UPDATE
              SET views = excluded.views, shares = excluded.shares, reads = excluded.reads`,
      params,
    },
    {
      sql: `INSERT INTO window_state (site_id, hours, through_bucket)
            SELECT sites.id, w.column1, ?2 FROM sites CROSS JOIN ${RUNNING_HOURS}
            WHERE sites.id IN (${SITES})
            ON CONFLICT (site_id, hours) DO NOTHING`,
      params,
    },
    {
      // Each hourly row subtracted here was added when it came in: its total row exists.
      sql: `INSERT INTO window_totals (site_id, hours, url, views, shares, reads)
            SELECT s.site_id, s.hours, h.url, -sum(h.views), -sum(h.shares), -sum(h.reads)
            FROM window_state s JOIN article_hours h
              ON h.site_id = s.site_id AND h.bucket > s.through_bucket - s.hours AND h.bucket <= ?2 - s.hours
            WHERE s.site_id IN (${SITES}) AND s.through_bucket < ?2
            GROUP BY s.site_id, s.hours, h.url
            ON CONFLICT (site_id, hours, url) DO UPDATE
              SET views = views + excluded.views, shares = shares + excluded.shares, reads = reads + excluded.reads`,
      params,
    },
    {
      sql: `DELETE FROM window_totals WHERE (site_id, hours) IN (${behind}) AND views = 0 AND shares = 0 AND reads = 0`,
      params,
    },
    {
      sql: `UPDATE window_state SET through_bucket = ?2 WHERE site_id IN (${SITES}) AND through_bucket < ?2`,
      params,
    },
  ];
}
