import { describe, expect, it } from 'vitest';
import { sha256Hex, toHex } from '../../src/hashing/hex';

describe('toHex', () => {
  it('should write every byte as two lowercase digits, in order', () => {
    const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);
    const hex = toHex(everyByte);
    expect(hex).toHaveLength(512);
    for (let byte = 0; byte < 256; byte++)
      expect(hex.slice(2 * byte, 2 * byte + 2)).toBe(byte.toString(16).padStart(2, '0'));
    expect(toHex(new Uint8Array([0, 15, 16, 255]).buffer)).toBe('000f10ff');
  });

  it('should keep only the first bytes asked for, and never more than there are', () => {
    expect(toHex(new Uint8Array([1, 2, 3]), 2)).toBe('0102');
    expect(toHex(new Uint8Array([1, 2, 3]), 8)).toBe('010203');
  });
});

describe('sha256Hex', () => {
  it("should answer SHA-256's published digests (FIPS 180-2), whole or cut to its first bytes", async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Hex('abc', 16)).toBe('ba7816bf8f01cfea414140de5dae2223');
    // UTF-8, as the stored keys were always made.
    expect(await sha256Hex('é')).toBe(toHex(await crypto.subtle.digest('SHA-256', new Uint8Array([0xc3, 0xa9]))));
  });
});
