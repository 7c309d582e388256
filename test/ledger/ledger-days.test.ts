import { describe, expect, it } from 'vitest';
import { everyDay, foldLedger, notCountedTotal, toLedgerDayBody } from '../../src/ledger/ledger-days';
import { NOT_COUNTED_REASONS } from '../../src/ledger/reasons';
import { boxOutcome } from '../../src/recirculation/box-tally';

const zeros = Object.fromEntries(NOT_COUNTED_REASONS.map((reason) => [reason, 0]));

describe('foldLedger', () => {
  it('should fold rows into days, oldest first, counted views, shares and reads apart and every reason present', () => {
    const days = foldLedger([
      { day: 11, outcome: 'view', n: 2 },
      { day: 10, outcome: 'share', n: 1 },
      { day: 10, outcome: 'view', n: 5 },
      { day: 10, outcome: 'read', n: 3 },
      { day: 10, outcome: 'repeat', n: 3 },
      { day: 10, outcome: 'bot', n: 4 },
      { day: 10, outcome: 'no_view', n: 2 },
    ]);
    expect(days).toEqual([
      { day: 10, views: 5, shares: 1, reads: 3, notCounted: { ...zeros, repeat: 3, bot: 4, no_view: 2 } },
      { day: 11, views: 2, shares: 0, reads: 0, notCounted: zeros },
    ]);
    expect(Object.keys(days[0]!.notCounted)).toEqual([...NOT_COUNTED_REASONS]);
    expect(NOT_COUNTED_REASONS.at(-1)).toBe('no_view');
  });

  it('should leave out an outcome that is no reason', () => {
    const rows = [{ day: 1, outcome: 'gone', n: 9 }] as unknown as Parameters<typeof foldLedger>[0];
    expect(foldLedger(rows)).toEqual([{ day: 1, views: 0, shares: 0, reads: 0, notCounted: zeros }]);
  });

  it('should leave out the popular boxes\u2019 tallies, which are no events', () => {
    const days = foldLedger([
      { day: 1, outcome: 'view', n: 4 },
      { day: 1, outcome: boxOutcome({ kind: 'impression', list: 'views-24h', position: 0 }), n: 4 },
      { day: 1, outcome: boxOutcome({ kind: 'click', list: 'views-24h', position: 3 }), n: 2 },
      { day: 1, outcome: boxOutcome({ kind: 'quality', list: 'views-24h', position: 3 }), n: 1 },
    ]);
    expect(days).toEqual([{ day: 1, views: 4, shares: 0, reads: 0, notCounted: zeros }]);
    expect(toLedgerDayBody(days[0]!)).toMatchObject({ received: 4, counted: 4 });
  });
});

describe('everyDay', () => {
  it('should give each day of the span once, zeros where there are no rows', () => {
    const days = everyDay([{ day: 12, outcome: 'ip_cap', n: 2 }], { from: 11, to: 13 });
    expect(days.map((d) => [d.day, notCountedTotal(d)])).toEqual([
      [11, 0],
      [12, 2],
      [13, 0],
    ]);
  });
});

describe('toLedgerDayBody', () => {
  it('should answer received as counted (views, shares and reads) plus every reason not counted', () => {
    const [day] = foldLedger([
      { day: 20_412, outcome: 'view', n: 5 },
      { day: 20_412, outcome: 'share', n: 2 },
      { day: 20_412, outcome: 'read', n: 3 },
      { day: 20_412, outcome: 'gpc', n: 1 },
      { day: 20_412, outcome: 'site_ceiling', n: 4 },
      { day: 20_412, outcome: 'no_view', n: 2 },
    ]);
    expect(toLedgerDayBody(day!)).toEqual({
      date: '2025-11-20',
      received: 17,
      counted: 10,
      not_counted: { ...zeros, gpc: 1, site_ceiling: 4, no_view: 2 },
    });
  });
});
