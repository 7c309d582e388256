import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../src/cache/bounded-map';

const T0 = 1_000_000;

describe('BoundedMap', () => {
  it('should answer what was set, and nothing for a key never set', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1, T0);
    expect(map.get('a', T0)).toBe(1);
    expect(map.get('b', T0)).toBeUndefined();
  });

  it('should hold at most its bound, dropping the entry used longest ago', () => {
    const map = new BoundedMap<string, number>(3);
    for (const [i, key] of ['a', 'b', 'c'].entries()) map.set(key, i, T0);
    // Reading `a` makes `b` the one used longest ago.
    expect(map.get('a', T0)).toBe(0);
    map.set('d', 3, T0);
    expect(map.size).toBe(3);
    expect(map.get('b', T0)).toBeUndefined();
    expect([map.get('a', T0), map.get('c', T0), map.get('d', T0)]).toEqual([0, 2, 3]);
  });

  it('should count setting a key again as a use, without growing', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1, T0);
    map.set('b', 2, T0);
    map.set('a', 3, T0);
    map.set('c', 4, T0);
    expect(map.size).toBe(2);
    expect([map.get('a', T0), map.get('b', T0), map.get('c', T0)]).toEqual([3, undefined, 4]);
  });

  it('should stay within its bound whatever number of keys it is given', () => {
    const map = new BoundedMap<number, number>(100);
    for (let i = 0; i < 10_000; i++) map.set(i, i, T0);
    expect(map.size).toBe(100);
    expect(map.get(9_900, T0)).toBe(9_900);
    expect(map.get(9_899, T0)).toBeUndefined();
  });

  it('should forget an entry once its time to live has passed since it was set', () => {
    const map = new BoundedMap<string, number>(10, 15_000);
    map.set('a', 1, T0);
    expect(map.get('a', T0 + 14_999)).toBe(1);
    expect(map.get('a', T0 + 15_000)).toBeUndefined();
    // An expired entry no longer takes room.
    expect(map.size).toBe(0);
    map.set('a', 2, T0 + 20_000);
    expect(map.get('a', T0 + 34_999)).toBe(2);
  });

  it('should keep entries without a time to live until they are pushed out', () => {
    const map = new BoundedMap<string, number>(1);
    map.set('a', 1, T0);
    expect(map.get('a', T0 + 365 * 86_400_000)).toBe(1);
  });

  it('should delete one key, or all', () => {
    const map = new BoundedMap<string, number>(3);
    map.set('a', 1, T0);
    map.set('b', 2, T0);
    map.delete('a');
    expect([map.get('a', T0), map.get('b', T0)]).toEqual([undefined, 2]);
    map.clear();
    expect(map.size).toBe(0);
  });
});
