import { describe, expect, it } from 'vitest';
import { ipScope } from '../../src/ingest/ip-scope';

describe('ipScope', () => {
  it('should keep an IPv4 address whole', () => {
    expect(ipScope('198.51.100.7')).toBe('198.51.100.7');
    expect(ipScope(' 198.51.100.7 ')).toBe('198.51.100.7');
  });

  it('should reduce an IPv6 address to its /64, whatever the spelling', () => {
    const scope = '2001:0db8:0000:0001::/64';
    for (const ip of [
      '2001:db8:0:1::1',
      '2001:DB8:0:1:ffff:ffff:ffff:ffff',
      '2001:0db8:0000:0001:0:0:0:9',
      '[2001:db8:0:1::abcd]',
    ]) {
      expect(ipScope(ip)).toBe(scope);
    }
    expect(ipScope('2001:db8:0:2::1')).not.toBe(scope);
    expect(ipScope('::1')).toBe('0000:0000:0000:0000::/64');
    expect(ipScope('fe80::1%eth0')).toBe('fe80:0000:0000:0000::/64');
  });

  it('should take an IPv4-mapped IPv6 address for the IPv4 client it maps', () => {
    expect(ipScope('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(ipScope('::ffff:c633:6407')).toBe('198.51.100.7');
  });

  it('should keep anything that is not an address as sent', () => {
    for (const ip of ['', 'unknown', '1:2:3', '1::2::3', '2001:db8::1::', '::ffff:300.1.1.1', '12345::']) {
      expect(ipScope(ip)).toBe(ip.trim());
    }
  });
});
