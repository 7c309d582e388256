import { describe, expect, it } from 'vitest';
import {
  boxList,
  FROM_PARAMETER,
  fromValue,
  isBoxList,
  MAX_POSITION,
  parseFrom,
  withFrom,
} from '../../common/box-list';
import { RANK_BY, WINDOWS } from '../../src/ranking/windows';

describe('boxList', () => {
  it('should name a list by its by and window, with the popular endpoint’s defaults', () => {
    expect(boxList('reads', '7d')).toBe('reads-7d');
    expect(boxList(undefined, undefined)).toBe('views-24h');
    expect(boxList('shares', undefined)).toBe('shares-24h');
    expect(boxList(undefined, 'all')).toBe('views-all');
    // A data attribute left empty is no value either.
    expect(boxList('', '')).toBe('views-24h');
  });

  it('should name trending alone, whatever its window', () => {
    expect(boxList('trending', '7d')).toBe('trending');
    expect(boxList('trending', undefined)).toBe('trending');
  });

  it('should make a list id isBoxList takes for every by and window of the popular endpoint', () => {
    for (const by of RANK_BY) for (const window of WINDOWS) expect(isBoxList(boxList(by, window))).toBe(true);
  });
});

describe('isBoxList', () => {
  it.each(['views-1h', 'shares-30d', 'score-all', 'reads-24h', 'trending'])('should take %s', (list) => {
    expect(isBoxList(list)).toBe(true);
  });

  it.each(['', 'views', 'views-2h', 'likes-24h', 'trending-24h', 'Views-24h', ' views-24h', 'views-24h.3'])(
    'should refuse %j',
    (list) => {
      expect(isBoxList(list)).toBe(false);
    },
  );
});

describe('fromValue and parseFrom', () => {
  it('should be the sp_from parameter', () => {
    expect(FROM_PARAMETER).toBe('sp_from');
  });

  it('should read back the list and position of every link a box can have', () => {
    expect(fromValue('views-24h', 3)).toBe('views-24h.3');
    for (const list of ['views-24h', 'reads-all', 'score-1h', 'trending']) {
      for (let position = 1; position <= MAX_POSITION; position++) {
        expect(parseFrom(fromValue(list, position))).toEqual({ list, position });
      }
    }
  });

  it.each([
    ['position 0', 'views-24h.0'],
    ['position 51', 'views-24h.51'],
    ['position 99', 'views-24h.99'],
    ['a leading zero', 'views-24h.03'],
    ['three digits', 'views-24h.100'],
    ['no position', 'views-24h.'],
    ['no list', '.3'],
    ['a list alone', 'views-24h'],
    ['an unknown list', 'likes-24h.3'],
    ['trending with a window', 'trending-24h.3'],
    ['a negative position', 'views-24h.-3'],
    ['a fraction', 'views-24h.3.5'],
    ['trailing text', 'views-24h.3x'],
    ['a line break after it', 'views-24h.3\n'],
    ['garbage', '<script>'],
    ['the empty string', ''],
  ])('should refuse %s', (_, value) => {
    expect(parseFrom(value)).toBeNull();
  });
});

describe('withFrom', () => {
  it('should take every sp_from pair out of a query, the rest as written', () => {
    expect(withFrom('?flag&sp_from=views-24h.3&q=a%20b')).toBe('?flag&q=a%20b');
    expect(withFrom('?sp_from=views-24h.3')).toBe('');
    expect(withFrom('?sp_from=a&x=1&sp_from')).toBe('?x=1');
    expect(withFrom('?xsp_from=1&sp_fromx=2')).toBe('?xsp_from=1&sp_fromx=2');
    expect(withFrom('')).toBe('');
  });

  it('should append sp_from=<from> when given one', () => {
    expect(withFrom('', 'trending.1')).toBe(`?${FROM_PARAMETER}=trending.1`);
    expect(withFrom('?', 'trending.1')).toBe('?sp_from=trending.1');
    expect(withFrom('?id=7&sp_from=reads-7d.9', 'reads-7d.1')).toBe('?id=7&sp_from=reads-7d.1');
  });
});
