import { describe, expect, it } from 'vitest';
import { type BoxTally, boxOutcome, boxTallies, parseBoxOutcome } from '../../src/recirculation/box-tally';

describe('boxOutcome and parseBoxOutcome', () => {
  it('should spell a tally as box:<kind>:<list>:<position>, and read it back', () => {
    const tallies: BoxTally[] = [
      { kind: 'impression', list: 'views-24h', position: 0 },
      { kind: 'click', list: 'reads-7d', position: 3 },
      { kind: 'quality', list: 'trending', position: 50 },
    ];
    expect(tallies.map(boxOutcome)).toEqual([
      'box:impression:views-24h:0',
      'box:click:reads-7d:3',
      'box:quality:trending:50',
    ]);
    expect(tallies.map(boxOutcome).map(parseBoxOutcome)).toEqual(tallies);
  });

  it.each([
    'view',
    'no_view',
    'box:hover:views-24h:1',
    'box:click:views-24h',
    'box:click:views-24h:-1',
    'box:click::1',
    'box:click:views-24h:1:2',
    'box:click:views-24h:1.5',
    'box:click:views-24h:',
    'box:click:views-24h:01',
  ])('should read %j as no tally', (outcome) => {
    expect(parseBoxOutcome(outcome)).toBeNull();
  });
});

describe('boxTallies', () => {
  const view = { type: 'view' as const, from: null, boxes: [] };

  it('should give a view an impression of each list its page shows', () => {
    expect(boxTallies({ ...view, boxes: ['views-24h', 'trending'] }, false)).toEqual([
      { kind: 'impression', list: 'views-24h', position: 0 },
      { kind: 'impression', list: 'trending', position: 0 },
    ]);
    expect(boxTallies(view, false)).toEqual([]);
  });

  it('should give a view opened from a box a click at its position, only when the click is new', () => {
    const opened = { ...view, from: 'shares-7d.3', boxes: ['views-24h'] };
    expect(boxTallies(opened, true)).toEqual([
      { kind: 'impression', list: 'views-24h', position: 0 },
      { kind: 'click', list: 'shares-7d', position: 3 },
    ]);
    expect(boxTallies(opened, false)).toEqual([{ kind: 'impression', list: 'views-24h', position: 0 }]);
  });

  it('should give a read opened from a box a quality click, only when its view counted that click', () => {
    const read = { type: 'read' as const, from: 'trending.12', boxes: [] };
    expect(boxTallies(read, true)).toEqual([{ kind: 'quality', list: 'trending', position: 12 }]);
    expect(boxTallies(read, false)).toEqual([]);
    expect(boxTallies({ ...read, from: null }, true)).toEqual([]);
  });

  it('should give a share nothing', () => {
    expect(boxTallies({ type: 'share', from: null, boxes: [] }, true)).toEqual([]);
  });

  it('should take an event of the release before, without from and boxes, as one from no box', () => {
    const older = { type: 'view' } as Parameters<typeof boxTallies>[0];
    expect(boxTallies(older, true)).toEqual([]);
  });
});
