import { describe, expect, it } from 'vitest';
import { WINDOW_HOURS, windowRows } from '../../src/ranking/windows';
import { dayOfBucket, EMPTY_SPAN, type Span } from '../../src/time';

const D = 20_000; // a UTC day number
const at = (day: number, hour: number) => day * 24 + hour;

/** Every bucket the rows of a window cover, days expanded to their 24 hours. */
const coveredBuckets = ({ hours, days }: ReturnType<typeof windowRows>): number[] => {
  const range = ({ from, to }: Span) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
  return [
    ...range(hours[0]),
    ...range(days).flatMap((d) => range({ from: d * 24, to: d * 24 + 23 })),
    ...range(hours[1]),
  ].sort((a, b) => a - b);
};

describe('WINDOW_HOURS', () => {
  it('should span 1, 24, 168 and 720 hours', () => {
    expect(WINDOW_HOURS).toEqual({ '1h': 1, '24h': 24, '7d': 168, '30d': 720 });
  });
});

describe('dayOfBucket', () => {
  it('should put hours 0–23 of a day in that day', () => {
    expect(dayOfBucket(at(D, 0))).toBe(D);
    expect(dayOfBucket(at(D, 23))).toBe(D);
    expect(dayOfBucket(at(D, 24))).toBe(D + 1);
  });
});

describe('windowRows', () => {
  it('should read the current hour alone for 1h', () => {
    expect(windowRows(1, at(D, 10), D - 1)).toEqual({
      hours: [{ from: at(D, 10), to: at(D, 10) }, EMPTY_SPAN],
      days: EMPTY_SPAN,
    });
  });

  it('should hold the current bucket and the N-1 before it, no more', () => {
    const c = at(D, 10);
    expect(windowRows(24, c, null)).toEqual({ hours: [{ from: c - 23, to: c }, EMPTY_SPAN], days: EMPTY_SPAN });
    expect(windowRows(720, c, null).hours[0]).toEqual({ from: c - 719, to: c });
  });

  it('should read whole rolled-up days from daily rows and the edges from hourly rows', () => {
    // 7 days ending at 10:00 on day D: 13 hours of day D-7, days D-6..D-1, 11 hours of day D.
    expect(windowRows(168, at(D, 10), D - 1)).toEqual({
      hours: [
        { from: at(D - 7, 11), to: at(D - 7, 23) },
        { from: at(D, 0), to: at(D, 10) },
      ],
      days: { from: D - 6, to: D - 1 },
    });
  });

  it('should take days after the watermark from hourly rows', () => {
    expect(windowRows(720, at(D, 5), D - 3)).toEqual({
      hours: [
        { from: at(D - 30, 6), to: at(D - 30, 23) },
        { from: at(D - 2, 0), to: at(D, 5) },
      ],
      days: { from: D - 29, to: D - 3 },
    });
  });

  it('should use no daily rows when no whole day of the window is rolled up', () => {
    expect(windowRows(168, at(D, 10), D - 8)).toEqual({
      hours: [{ from: at(D - 7, 11), to: at(D, 10) }, EMPTY_SPAN],
      days: EMPTY_SPAN,
    });
    expect(windowRows(24, at(D, 10), D - 1)).toEqual({
      hours: [{ from: at(D - 1, 11), to: at(D, 10) }, EMPTY_SPAN],
      days: EMPTY_SPAN,
    });
  });

  it('should need no older edge when the window starts at midnight', () => {
    // 30 days ending at 23:00 on day D start at 00:00 on day D-29.
    expect(windowRows(720, at(D, 23), D - 1)).toEqual({
      hours: [EMPTY_SPAN, { from: at(D, 0), to: at(D, 23) }],
      days: { from: D - 29, to: D - 1 },
    });
  });

  it('should cover exactly the window’s buckets for every hour of the day and every watermark', () => {
    for (const [, hours] of Object.entries(WINDOW_HOURS)) {
      for (let hour = 0; hour < 24; hour++) {
        const c = at(D, hour);
        const expected = Array.from({ length: hours }, (_, i) => c - hours + 1 + i);
        for (const watermark of [null, D - 40, D - 10, D - 2, D - 1]) {
          expect(coveredBuckets(windowRows(hours, c, watermark))).toEqual(expected);
        }
      }
    }
  });
});
