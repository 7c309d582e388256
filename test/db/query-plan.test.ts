import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { rankingQuery } from '../../src/db/popular';
import type { Query } from '../../src/db/query';
import { rollupQueries } from '../../src/db/rollup';
import { advanceWindowQueries } from '../../src/db/window-totals';
import type { PopularRequest } from '../../src/ranking/popular-request';
import { planRollup } from '../../src/retention/rollup-plan';

const C = 20_000 * 24 + 10;
// Excluded paths too, so that every plan is of the query with all its filters.
const SETTINGS = { share_weight: 5, half_life_hours: 12, exclude_paths: ['/', '/tag/*'] };

async function planOf({ sql, params }: Query): Promise<string[]> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return results.map((row) => row.detail);
}

const ranking = (request: Partial<PopularRequest>, totalsThroughBucket: number | null = null) =>
  planOf(
    rankingQuery('s', SETTINGS, { window: '24h', by: 'views', limit: 10, section: null, exclude: [], ...request }, C, {
      rolledThroughDay: 20_000 - 1,
      totalsThroughBucket,
    }),
  );

/** No step reads a whole table, or every row of a site where an index narrows it further. */
const expectNoFullScan = (plan: string[]) => {
  for (const step of plan) expect(step).not.toMatch(/^SCAN (article_hours|article_days|articles|a|h)\b/);
};

describe('query plans', () => {
  it('should read a window’s edge hours from the covering index and its whole days by day range', async () => {
    for (const by of ['score', 'reads'] as const) {
      const plan = await ranking({ window: '30d', by });
      expect(plan).toContain(
        'SEARCH article_hours USING COVERING INDEX article_hours_by_bucket (site_id=? AND bucket>? AND bucket<?)',
      );
      expect(plan).toContain('SEARCH article_days USING PRIMARY KEY (site_id=? AND day>? AND day<?)');
      // Metadata is looked up only for the articles counted in the window.
      expect(plan).toContain('SEARCH a USING PRIMARY KEY (site_id=? AND url=?)');
      expectNoFullScan(plan);
    }
  });

  it('should read trending’s 168 hours by bucket range', async () => {
    const plan = await ranking({ by: 'trending', section: 'City', exclude: ['https://n.example/a'] });
    expect(plan).toContain(
      'SEARCH article_hours USING COVERING INDEX article_hours_by_bucket (site_id=? AND bucket>? AND bucket<?)',
    );
    expect(plan).toContain('SEARCH a USING PRIMARY KEY (site_id=? AND url=?)');
    expectNoFullScan(plan);
  });

  it('should read current running totals by views, shares and reads in index order, without summing or sorting', async () => {
    for (const window of ['24h', '7d'] as const) {
      for (const by of ['views', 'shares', 'reads'] as const) {
        const plan = await ranking({ window, by, section: 'City', exclude: ['https://n.example/a'] }, C);
        expect(plan).toContain(
          `SEARCH window_totals USING INDEX window_totals_by_${by} (site_id=? AND hours=? AND ${by}>?)`,
        );
        expect(plan.join('\n')).not.toMatch(/article_hours|TEMP B-TREE/);
      }
    }
  });

  it('should correct totals at another hour with the hours between, read by bucket range', async () => {
    for (const through of [C - 2, C + 1]) {
      const plan = await ranking({}, through);
      expect(plan).toContain('SEARCH window_totals USING PRIMARY KEY (site_id=? AND hours=?)');
      expect(plan.filter((step) => step === 'SEARCH s USING PRIMARY KEY (site_id=? AND hours=?)')).toHaveLength(3);
      expect(
        plan.filter((step) =>
          step.startsWith('SEARCH h USING COVERING INDEX article_hours_by_bucket (site_id=? AND bucket>?'),
        ),
      ).toHaveLength(3);
      expectNoFullScan(plan);
    }
  });

  it('should advance running totals by key and bucket range', async () => {
    for (const query of advanceWindowQueries(['s', 't'], C)) {
      const plan = await planOf(query);
      for (const step of plan) expect(step).not.toMatch(/^SCAN (?!json_each|2-ROW VALUES)/);
    }
  });

  it('should read `all` by views, shares and reads in index order, without sorting', async () => {
    for (const by of ['views', 'shares', 'reads'] as const) {
      const plan = await ranking({ window: 'all', by });
      expect(plan).toContain(`SEARCH a USING INDEX articles_by_${by} (site_id=? AND ${by}>?)`);
      expect(plan.join('\n')).not.toContain('TEMP B-TREE FOR ORDER BY');
    }
  });

  it('should read `all` by score from the site’s own articles only', async () => {
    // The score's weight is a per-site setting, so no index can hold its order: a bounded top-N sort.
    const plan = await ranking({ window: 'all', by: 'score' });
    expect(plan).toContain('SEARCH a USING PRIMARY KEY (site_id=?)');
    expectNoFullScan(plan);
  });

  it('should roll up and delete by bucket and day range', async () => {
    const plan = planRollup({
      currentBucket: C,
      rolledThroughDay: 20_000 - 2,
      oldestHour: C - 800,
      oldestDay: 20_000 - 500,
      hourlyRetentionDays: 31,
      dailyRetentionDays: 400,
    });
    const [roll, , deleteHours, deleteDays] = await Promise.all(rollupQueries('s', plan).map(planOf));
    expect(roll).toContain(
      'SEARCH article_hours USING COVERING INDEX article_hours_by_bucket (site_id=? AND bucket>? AND bucket<?)',
    );
    expect(deleteHours).toEqual([
      'SEARCH article_hours USING COVERING INDEX article_hours_by_bucket (site_id=? AND bucket>? AND bucket<?)',
    ]);
    expect(deleteDays).toEqual(['SEARCH article_days USING PRIMARY KEY (site_id=? AND day>? AND day<?)']);
  });
});
