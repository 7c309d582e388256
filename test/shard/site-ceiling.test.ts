import { describe, expect, it } from 'vitest';
import { SiteCeiling } from '../../src/shard/site-ceiling';

describe('SiteCeiling', () => {
  it('should admit at most maxPerSecond of a site\u2019s events in one second', () => {
    const ceiling = new SiteCeiling();
    const admitted = Array.from({ length: 5 }, () => ceiling.admit('a', 100, 3));
    expect(admitted).toEqual([true, true, true, false, false]);
  });

  it('should start over in the next second', () => {
    const ceiling = new SiteCeiling();
    expect(ceiling.admit('a', 100, 1)).toBe(true);
    expect(ceiling.admit('a', 100, 1)).toBe(false);
    expect(ceiling.admit('a', 101, 1)).toBe(true);
  });

  it('should keep sites apart', () => {
    const ceiling = new SiteCeiling();
    expect(ceiling.admit('a', 100, 1)).toBe(true);
    expect(ceiling.admit('b', 100, 1)).toBe(true);
    expect(ceiling.admit('a', 100, 1)).toBe(false);
  });
});
