import { describe, expect, it } from 'vitest';
import { FloodGuard, floodGuardKey } from '../../src/recording/flood-guard';

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
const IP = '198.51.100.23';

const events = (site: string, n: number) => new Map([[site, n]]);

describe('floodGuardKey', () => {
  it('should keep sites and addresses apart, even parts a plain separator would run together', () => {
    const keys = new Set([
      floodGuardKey('news', IP),
      floodGuardKey('other', IP),
      floodGuardKey('news', '198.51.100.24'),
      floodGuardKey('news\n198', '.51.100.23'),
    ]);
    expect(keys.size).toBe(4);
  });

  it('should key an IPv6 client by its /64, in any spelling', () => {
    const key = floodGuardKey('news', '2001:db8:1:2::1');
    expect(floodGuardKey('news', '2001:DB8:1:2:aaaa:bbbb:cccc:dddd')).toBe(key);
    expect(floodGuardKey('news', '2001:0db8:0001:0002::ffff')).toBe(key);
    expect(floodGuardKey('news', '2001:db8:1:3::1')).not.toBe(key);
  });
});

describe('FloodGuard', () => {
  it('should count events, not requests: two arrays of 20 fill a bound of 40', () => {
    const guard = new FloodGuard(40, 100);
    expect(guard.check(IP, events('news', 20), T0)).toBeNull();
    expect(guard.check(IP, events('news', 20), T0 + 1_000)).toBeNull();
    expect(guard.check(IP, events('news', 1), T0 + 2_000)).toBe(58);
  });

  it('should take a request whole or not at all, across its sites', () => {
    const guard = new FloodGuard(40, 100);
    expect(guard.check(IP, events('a', 30), T0)).toBeNull();
    // 'b' has room, 'a' does not: the request is refused, and 'b' keeps its room.
    expect(
      guard.check(
        IP,
        new Map([
          ['b', 30],
          ['a', 11],
        ]),
        T0,
      ),
    ).not.toBeNull();
    expect(guard.check(IP, events('b', 40), T0)).toBeNull();
    expect(guard.check(IP, events('a', 10), T0)).toBeNull();
  });

  it('should guard two addresses of one /64 together, and two /64s apart', () => {
    const guard = new FloodGuard(40, 100);
    expect(guard.check('2001:db8:1:2::1', events('news', 40), T0)).toBeNull();
    expect(guard.check('2001:db8:1:2:9a3f:1c:2b:77', events('news', 1), T0)).not.toBeNull();
    expect(guard.check('2001:db8:1:3::1', events('news', 40), T0)).toBeNull();
  });

  it('should keep each site and each IPv4 address apart', () => {
    const guard = new FloodGuard(40, 100);
    expect(guard.check(IP, events('news', 40), T0)).toBeNull();
    expect(guard.check(IP, events('news', 1), T0)).not.toBeNull();
    expect(guard.check(IP, events('other', 40), T0)).toBeNull();
    expect(guard.check('198.51.100.24', events('news', 40), T0)).toBeNull();
  });

  it('should start every minute afresh, and say how long until the next one', () => {
    const guard = new FloodGuard(40, 100);
    expect(guard.check(IP, events('news', 40), T0 + 59_000)).toBeNull();
    expect(guard.check(IP, events('news', 1), T0 + 59_001)).toBe(1);
    expect(guard.check(IP, events('news', 40), T0 + 60_000)).toBeNull();
  });

  it('should hold at most maxKeys addresses, forgetting the least recent', () => {
    const guard = new FloodGuard(40, 2);
    guard.check('198.51.100.1', events('news', 40), T0);
    guard.check('198.51.100.2', events('news', 40), T0);
    guard.check('198.51.100.3', events('news', 40), T0);
    // The first was pushed out, so starts again; the last is still full.
    expect(guard.check('198.51.100.1', events('news', 40), T0)).toBeNull();
    expect(guard.check('198.51.100.3', events('news', 1), T0)).not.toBeNull();
  });
});
