import { describe, expect, it } from 'vitest';
import { shardIndex } from '../../src/shard/routing';

describe('shardIndex', () => {
  it('should send an article to the same shard every time', () => {
    expect(shardIndex('news', 'https://n.example/a', 16)).toBe(shardIndex('news', 'https://n.example/a', 16));
  });

  it('should stay within the shard count', () => {
    for (let i = 0; i < 500; i++) {
      const index = shardIndex('news', `https://n.example/${i}`, 7);
      expect(index).toBeGreaterThanOrEqual(0);
      expect(index).toBeLessThan(7);
    }
  });

  it('should spread articles over every shard', () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 1600; i++) counts[shardIndex('news', `https://n.example/story-${i}`, 16)]!++;
    // 100 expected per shard; a skewed hash would leave some nearly empty.
    for (const count of counts) expect(count).toBeGreaterThan(60);
  });

  it('should depend on the site as well as the URL', () => {
    const differing = Array.from({ length: 50 }, (_, i) => `https://n.example/${i}`).filter(
      (url) => shardIndex('a', url, 16) !== shardIndex('b', url, 16),
    );
    expect(differing.length).toBeGreaterThan(30);
  });
});
