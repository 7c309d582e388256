import { describe, expect, it } from 'vitest';
import { bucketOf, firstBucketOfLocalDay, localDayOfBucket, zoneOffsetMinutes } from '../src/time';

const DAY_MS = 86_400_000;
const dayOf = (iso: string) => Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
const bucketAt = (iso: string) => bucketOf(Date.parse(iso));

describe('zone offsets', () => {
  it('should give the offset in force at an instant, DST included, and any quarter hour', () => {
    expect(zoneOffsetMinutes(Date.parse('2026-01-15T12:00:00Z'), 'Europe/Paris')).toBe(60);
    expect(zoneOffsetMinutes(Date.parse('2026-07-15T12:00:00Z'), 'Europe/Paris')).toBe(120);
    expect(zoneOffsetMinutes(Date.parse('2026-07-15T12:00:00Z'), 'Asia/Kolkata')).toBe(330);
    expect(zoneOffsetMinutes(Date.parse('2026-07-15T12:00:00Z'), 'Asia/Kathmandu')).toBe(345);
    expect(zoneOffsetMinutes(Date.parse('2026-07-15T12:00:00Z'), 'America/St_Johns')).toBe(-150);
    expect(zoneOffsetMinutes(Date.parse('2026-07-15T12:00:00Z'), 'UTC')).toBe(0);
  });
});

describe('local days of UTC hours', () => {
  it('should start a Paris day at 23:00 UTC in winter and 22:00 UTC in summer', () => {
    expect(firstBucketOfLocalDay(dayOf('2026-01-15'), 'Europe/Paris')).toBe(bucketAt('2026-01-14T23:00:00Z'));
    expect(firstBucketOfLocalDay(dayOf('2026-07-15'), 'Europe/Paris')).toBe(bucketAt('2026-07-14T22:00:00Z'));
    expect(localDayOfBucket(bucketAt('2026-07-14T22:00:00Z'), 'Europe/Paris')).toBe(dayOf('2026-07-15'));
    expect(localDayOfBucket(bucketAt('2026-07-14T21:00:00Z'), 'Europe/Paris')).toBe(dayOf('2026-07-14'));
  });

  it('should make the days clocks change on 23 and 25 hours long', () => {
    const hours = (iso: string, zone: string) =>
      firstBucketOfLocalDay(dayOf(iso) + 1, zone) - firstBucketOfLocalDay(dayOf(iso), zone);
    expect(hours('2026-03-29', 'Europe/Paris')).toBe(23);
    expect(hours('2026-10-25', 'Europe/Paris')).toBe(25);
    expect(hours('2026-03-08', 'America/New_York')).toBe(23);
    expect(hours('2026-07-15', 'Europe/Paris')).toBe(24);
  });

  it('should count each UTC hour in the local day it starts in, in a zone a half or quarter hour off', () => {
    // Asia/Kolkata is UTC+5:30: the hour from 18:00 UTC starts at 23:30 local, the next at 00:30.
    expect(localDayOfBucket(bucketAt('2026-07-14T18:00:00Z'), 'Asia/Kolkata')).toBe(dayOf('2026-07-14'));
    expect(firstBucketOfLocalDay(dayOf('2026-07-15'), 'Asia/Kolkata')).toBe(bucketAt('2026-07-14T19:00:00Z'));
    // Asia/Kathmandu is UTC+5:45: the hour from 19:00 UTC starts at 00:45 local, the first of the day.
    expect(firstBucketOfLocalDay(dayOf('2026-07-15'), 'Asia/Kathmandu')).toBe(bucketAt('2026-07-14T19:00:00Z'));
    expect(firstBucketOfLocalDay(dayOf('2026-07-15'), 'UTC')).toBe(dayOf('2026-07-15') * 24);
  });
});
