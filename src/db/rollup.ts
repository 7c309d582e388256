import { planRollup, type RollupInput, type RollupPlan } from '../retention/rollup-plan';
import type { Site } from '../sites/site-schema';
import { bucketOf, HOURS_PER_DAY } from '../time';
import { type Query, runBatch } from './query';
import { listSites } from './sites';
import { advanceWindowQueries } from './window-totals';

type StoredState = Pick<RollupInput, 'rolledThroughDay' | 'oldestHour' | 'oldestDay'>;

/** A site's watermark and oldest rows: three index lookups, no scan. */
export async function readRollupState(db: D1Database, site: string): Promise<StoredState> {
  const row = await db
    .prepare(
      `SELECT (SELECT rolled_through_day FROM rollup_state WHERE site_id = ?1) AS rolledThroughDay,
              (SELECT min(bucket) FROM article_hours WHERE site_id = ?1) AS oldestHour,
              (SELECT min(day) FROM article_days WHERE site_id = ?1) AS oldestDay`,
    )
    .bind(site)
    .first<StoredState>();
  return row ?? { rolledThroughDay: null, oldestHour: null, oldestDay: null };
}

/**
 * The statements of one site's run, to commit as one D1 batch: the daily rows
 * and the watermark that makes readers use them appear together, and hourly
 * rows are deleted only after (or with) the rollup of their day.
 */
export function rollupQueries(site: string, plan: RollupPlan): Query[] {
  return [
    {
      // The days after the watermark have no daily rows yet (late writes to a
      // rolled day go through the trigger instead), so a replayed run that
      // sets the sums again changes nothing.
      sql: `INSERT INTO article_days (site_id, day, url, views, shares, reads)
            SELECT site_id, bucket / 24, url, sum(views), sum(shares), sum(reads) FROM article_hours
            WHERE site_id = ?1 AND bucket BETWEEN ?2 AND ?3
            GROUP BY bucket / 24, url
            ON CONFLICT (site_id, day, url) DO UPDATE
              SET views = excluded.views, shares = excluded.shares, reads = excluded.reads`,
      params: [site, plan.roll.from * HOURS_PER_DAY, (plan.roll.to + 1) * HOURS_PER_DAY - 1],
    },
    {
      sql: `INSERT INTO rollup_state (site_id, rolled_through_day) VALUES (?1, ?2)
            ON CONFLICT (site_id) DO UPDATE SET rolled_through_day = max(rolled_through_day, excluded.rolled_through_day)`,
      params: [site, plan.rolledThroughDay],
    },
    {
      sql: 'DELETE FROM article_hours WHERE site_id = ?1 AND bucket BETWEEN ?2 AND ?3',
      params: [site, plan.deleteHours.from, plan.deleteHours.to],
    },
    {
      sql: 'DELETE FROM article_days WHERE site_id = ?1 AND day BETWEEN ?2 AND ?3',
      params: [site, plan.deleteDays.from, plan.deleteDays.to],
    },
  ];
}

/**
 * Rolls up one site's finished days and applies its retention, as of `nowMs`,
 * after bringing its running totals to the hour (a site without traffic has no
 * flush to do it), so that retention never deletes an hour they still hold.
 */
export async function rollUpSite(db: D1Database, site: Site, nowMs: number): Promise<RollupPlan> {
  const plan = planRollup({
    ...(await readRollupState(db, site.id)),
    currentBucket: bucketOf(nowMs),
    hourlyRetentionDays: site.settings.hourly_retention_days,
    dailyRetentionDays: site.settings.daily_retention_days,
  });
  const queries = [...advanceWindowQueries([site.id], bucketOf(nowMs)), ...rollupQueries(site.id, plan)];
  await runBatch(db, queries);
  return plan;
}

/**
 * The cron's work: every site in turn. One site failing does not stop the
 * others; the run then fails as a whole so that the failure is visible.
 */
export async function rollUpAllSites(db: D1Database, nowMs: number): Promise<void> {
  const failures: unknown[] = [];
  for (const site of await listSites(db)) {
    try {
      await rollUpSite(db, site, nowMs);
    } catch (err) {
      console.error('rollup failed', site.id, err);
      failures.push(err);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `Rollup failed for ${failures.length} site(s).`);
}
