import { describe, expect, it } from 'vitest';
import {
  beaconMovesAlarm,
  nextAlarmAt,
  nextExpiryAt,
  retryDelayMs,
  type ShardBacklog,
} from '../../src/shard/alarm-schedule';
import { DEDUP_GRACE_MS } from '../../src/shard/dedup';
import { DAY_MS, HOUR_MS } from '../../src/time';

const NOW = 20_000 * DAY_MS + 13 * HOUR_MS;
const FLUSH_MS = 10_000;
const idle: ShardBacklog = { hasOutbox: false, hasPending: false, hasSalts: false };

describe('retryDelayMs', () => {
  it('should double from 2 s after each failed flush', () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([2_000, 4_000, 8_000, 16_000]);
  });

  it('should wait at most 5 minutes however long D1 is down', () => {
    expect(retryDelayMs(9)).toBe(5 * 60_000);
    expect(retryDelayMs(1_000)).toBe(5 * 60_000);
  });
});

describe('nextAlarmAt', () => {
  it('should send a batch left in the outbox at once while flushes succeed', () => {
    expect(nextAlarmAt(NOW, FLUSH_MS, 0, { ...idle, hasOutbox: true, hasPending: true, hasSalts: true })).toBe(NOW);
  });

  it('should back off before sending the outbox again after failed flushes', () => {
    expect(nextAlarmAt(NOW, FLUSH_MS, 1, { ...idle, hasOutbox: true })).toBe(NOW + 2_000);
    expect(nextAlarmAt(NOW, FLUSH_MS, 3, { ...idle, hasOutbox: true, hasPending: true })).toBe(NOW + 8_000);
  });

  it('should flush pending rows one flush interval on', () => {
    expect(nextAlarmAt(NOW, FLUSH_MS, 0, { ...idle, hasPending: true, hasSalts: true })).toBe(NOW + FLUSH_MS);
    // Failures count only while a batch waits in the outbox.
    expect(nextAlarmAt(NOW, FLUSH_MS, 2, { ...idle, hasPending: true })).toBe(NOW + FLUSH_MS);
  });

  it('should wake an otherwise idle shard at midnight UTC and just after, to drop expired salts and dedup keys', () => {
    expect(nextAlarmAt(NOW, FLUSH_MS, 0, { ...idle, hasSalts: true })).toBe(20_001 * DAY_MS);
    expect(nextAlarmAt(20_001 * DAY_MS, FLUSH_MS, 0, { ...idle, hasSalts: true })).toBe(
      20_001 * DAY_MS + DEDUP_GRACE_MS,
    );
  });

  it('should set no alarm for an empty shard', () => {
    expect(nextAlarmAt(NOW, FLUSH_MS, 0, idle)).toBeNull();
  });
});

describe('nextExpiryAt', () => {
  const midnight = 20_001 * DAY_MS;

  it('should be midnight UTC, then DEDUP_GRACE_MS later, when yesterday\u2019s dedup keys go', () => {
    expect(nextExpiryAt(midnight - 1)).toBe(midnight);
    expect(nextExpiryAt(midnight)).toBe(midnight + DEDUP_GRACE_MS);
    expect(nextExpiryAt(midnight + DEDUP_GRACE_MS - 1)).toBe(midnight + DEDUP_GRACE_MS);
    expect(nextExpiryAt(midnight + DEDUP_GRACE_MS)).toBe(midnight + DAY_MS);
  });
});

describe('beaconMovesAlarm', () => {
  it('should move a missing alarm or one later than due, and keep an earlier one', () => {
    expect(beaconMovesAlarm(null, NOW, 0)).toBe(true);
    expect(beaconMovesAlarm(NOW + 1, NOW, 0)).toBe(true);
    expect(beaconMovesAlarm(NOW, NOW, 0)).toBe(false);
    expect(beaconMovesAlarm(NOW - 1, NOW, 0)).toBe(false);
  });

  it('should keep the retry alarm of a shard backing off, however late', () => {
    // After 8 failed flushes the retry is 5 minutes on, while a beacon's rows are due in 10 s.
    expect(beaconMovesAlarm(NOW + retryDelayMs(8), NOW + FLUSH_MS, 8)).toBe(false);
    expect(beaconMovesAlarm(NOW + retryDelayMs(1), NOW + 1_000, 1)).toBe(false);
    // With no alarm at all, the rows still get one.
    expect(beaconMovesAlarm(null, NOW + FLUSH_MS, 8)).toBe(true);
  });
});
