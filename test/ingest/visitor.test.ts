import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/hashing/hex';
import { dedupKey, newSalt, visitorHash } from '../../src/ingest/visitor';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0';

describe('visitorHash', () => {
  it('should be stable for the same salt, site, IP and User-Agent', async () => {
    const salt = newSalt();
    expect(await visitorHash(salt, 'news', '198.51.100.1', UA)).toBe(
      await visitorHash(salt, 'news', '198.51.100.1', UA),
    );
  });

  it('should change with each of its inputs', async () => {
    const salt = newSalt();
    const base = await visitorHash(salt, 'news', '198.51.100.1', UA);
    const variants = await Promise.all([
      visitorHash(newSalt(), 'news', '198.51.100.1', UA),
      visitorHash(salt, 'other', '198.51.100.1', UA),
      visitorHash(salt, 'news', '198.51.100.2', UA),
      visitorHash(salt, 'news', '198.51.100.1', `${UA} x`),
    ]);
    expect(new Set([base, ...variants]).size).toBe(5);
  });

  it('should keep its parts apart (no ambiguity from concatenation)', async () => {
    const salt = newSalt();
    expect(await visitorHash(salt, 'ab', 'c', UA)).not.toBe(await visitorHash(salt, 'a', 'bc', UA));
  });

  it('should not contain the IP or the User-Agent', async () => {
    const hash = await visitorHash(newSalt(), 'news', '198.51.100.1', UA);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('dedupKey', () => {
  it('should be the first 128 bits of its SHA-256, as shards have always stored it', async () => {
    const parts = ['v', 'https://n.example/a', 'view', ''];
    const whole = toHex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(parts))));
    expect(await dedupKey('v', 'https://n.example/a', 'view', '')).toBe(whole.slice(0, 32));
  });

  it('should differ per article, per type and per network', async () => {
    const keys = await Promise.all([
      dedupKey('v', 'https://n.example/a', 'view', ''),
      dedupKey('v', 'https://n.example/b', 'view', ''),
      dedupKey('v', 'https://n.example/a', 'share', 'x'),
      dedupKey('v', 'https://n.example/a', 'share', 'facebook'),
      dedupKey('w', 'https://n.example/a', 'view', ''),
      dedupKey('v', 'https://n.example/a', 'read', ''),
      dedupKey('v', 'https://n.example/a', 'click', 'views-24h.3'),
      dedupKey('v', 'https://n.example/a', 'click', 'views-24h.4'),
    ]);
    expect(new Set(keys).size).toBe(8);
  });
});

describe('newSalt', () => {
  it('should make 32 random bytes each time', () => {
    const a = newSalt();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(newSalt()).not.toBe(a);
  });
});
