import { describe, expect, it } from 'vitest';
import { DAYS_PER_RUN, planRollup, type RollupInput } from '../../src/retention/rollup-plan';
import { EMPTY_SPAN } from '../../src/time';

const D = 20_000; // today
const at = (day: number, hour: number) => day * 24 + hour;
const input = (overrides: Partial<RollupInput> = {}): RollupInput => ({
  currentBucket: at(D, 0) + 7,
  rolledThroughDay: D - 2,
  oldestHour: at(D - 20, 3),
  oldestDay: D - 20,
  hourlyRetentionDays: 31,
  dailyRetentionDays: 400,
  ...overrides,
});

describe('planRollup', () => {
  it('should roll up yesterday once it has ended', () => {
    expect(planRollup(input())).toMatchObject({ roll: { from: D - 1, to: D - 1 }, rolledThroughDay: D - 1 });
  });

  it('should roll nothing when every finished day is rolled up, and keep the watermark', () => {
    expect(planRollup(input({ rolledThroughDay: D - 1 }))).toMatchObject({ roll: EMPTY_SPAN, rolledThroughDay: D - 1 });
  });

  it('should never roll up today', () => {
    const plan = planRollup(input({ currentBucket: at(D, 23), rolledThroughDay: D - 1 }));
    expect(plan.roll).toEqual(EMPTY_SPAN);
  });

  it('should start a new site at its oldest hourly row', () => {
    expect(planRollup(input({ rolledThroughDay: null, oldestHour: at(D - 2, 17) }))).toMatchObject({
      roll: { from: D - 2, to: D - 1 },
      rolledThroughDay: D - 1,
    });
  });

  it('should mark every finished day rolled up for a site with no rows', () => {
    expect(planRollup(input({ rolledThroughDay: null, oldestHour: null, oldestDay: null }))).toEqual({
      roll: EMPTY_SPAN,
      rolledThroughDay: D - 1,
      deleteHours: EMPTY_SPAN,
      deleteDays: EMPTY_SPAN,
    });
  });

  it('should catch up at most DAYS_PER_RUN days per run', () => {
    const plan = planRollup(input({ rolledThroughDay: D - 10 }));
    expect(plan).toMatchObject({
      roll: { from: D - 9, to: D - 9 + DAYS_PER_RUN - 1 },
      rolledThroughDay: D - 9 + DAYS_PER_RUN - 1,
    });
  });

  it('should not roll up days past daily retention', () => {
    const plan = planRollup(input({ rolledThroughDay: null, oldestHour: at(D - 500, 0), dailyRetentionDays: 40 }));
    expect(plan.roll).toEqual({ from: D - 39, to: D - 39 + DAYS_PER_RUN - 1 });
  });

  it('should delete hourly rows past retention only in rolled-up days', () => {
    // 31 days of hours are kept: buckets from at(D, 7) - 743 on.
    const caughtUp = planRollup(input({ oldestHour: at(D - 31, 2) }));
    expect(caughtUp.deleteHours).toEqual({ from: at(D - 31, 2), to: at(D, 7) - 744 });

    // Behind on rollup: the hours of days not yet rolled up stay, whatever their age.
    const behind = planRollup(input({ rolledThroughDay: D - 60, oldestHour: at(D - 59, 0) }));
    expect(behind.rolledThroughDay).toBe(D - 60 + DAYS_PER_RUN);
    expect(behind.deleteHours).toEqual({ from: at(D - 59, 0), to: at(D - 60 + DAYS_PER_RUN + 1, 0) - 1 });
  });

  it('should keep the last hourly_retention_days days of hours', () => {
    const plan = planRollup(input({ rolledThroughDay: D - 1, oldestHour: at(D - 200, 0), hourlyRetentionDays: 45 }));
    expect(plan.deleteHours).toEqual({ from: at(D - 200, 0), to: at(D - 200, 0) + DAYS_PER_RUN * 24 - 1 });
    const nearlyDone = planRollup(
      input({ rolledThroughDay: D - 1, oldestHour: at(D - 45, 0), hourlyRetentionDays: 45 }),
    );
    expect(nearlyDone.deleteHours).toEqual({ from: at(D - 45, 0), to: at(D, 7) - 45 * 24 });
  });

  it('should delete daily rows past daily retention, a bounded chunk at a time', () => {
    expect(planRollup(input({ oldestDay: D - 400 })).deleteDays).toEqual({ from: D - 400, to: D - 400 });
    expect(planRollup(input({ oldestDay: D - 399 })).deleteDays).toEqual(EMPTY_SPAN);
    expect(planRollup(input({ oldestDay: D - 1000 })).deleteDays).toEqual({
      from: D - 1000,
      to: D - 1000 + DAYS_PER_RUN - 1,
    });
  });

  it('should never move the watermark back, even for an earlier clock', () => {
    expect(planRollup(input({ rolledThroughDay: D + 5 })).rolledThroughDay).toBe(D + 5);
  });
});
