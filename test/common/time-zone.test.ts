import { describe, expect, it } from 'vitest';
import { zonedParts } from '../../common/time-zone';

describe('zonedParts', () => {
  it("should give a time's parts on the zone's clock, across a change of day and of offset", () => {
    expect(zonedParts(Date.UTC(2026, 6, 1, 22, 30), 'Europe/Paris')).toEqual({
      year: 2026,
      month: 7,
      day: 2,
      hour: 0,
      minute: 30,
    });
    expect(zonedParts(Date.UTC(2026, 0, 1, 22, 30), 'Europe/Paris')).toMatchObject({ day: 1, hour: 23 });
    expect(zonedParts(Date.UTC(2026, 0, 1, 0, 0), 'Asia/Kathmandu')).toMatchObject({ hour: 5, minute: 45 });
    expect(zonedParts(Date.UTC(2026, 0, 1, 0, 0), 'UTC')).toMatchObject({ hour: 0, minute: 0 });
  });
});
