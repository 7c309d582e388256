import { describe, expect, it } from 'vitest';
import { beaconMetadata, MAX_CHECK_ATTEMPTS, retryAt } from '../../src/articles/article-rules';

const policy = { hosts: ['news.example', 'www.news.example'], imageHosts: ['cdn.example'] };
const none = { title: null, image: null, section: null, published: null };

describe('beaconMetadata', () => {
  it('should keep a picture on the site\u2019s hosts or image_hosts', () => {
    for (const image of ['https://www.news.example/a.jpg', 'https://cdn.example/a.jpg']) {
      expect(beaconMetadata(policy, { ...none, title: 'T', image })).toEqual({ ...none, title: 'T', image });
    }
  });

  it('should drop a picture anywhere else, keeping the rest', () => {
    expect(beaconMetadata(policy, { ...none, title: 'T', image: 'https://evil.example/x.jpg' })).toEqual({
      ...none,
      title: 'T',
    });
    expect(
      beaconMetadata(policy, { ...none, section: 'City', image: 'https://news.example.evil.example/x.jpg' }),
    ).toEqual({ ...none, section: 'City' });
  });

  it('should answer null when nothing is left to keep', () => {
    expect(beaconMetadata(policy, none)).toBeNull();
    expect(beaconMetadata(policy, { ...none, image: 'https://evil.example/x.jpg' })).toBeNull();
  });
});

describe('retryAt', () => {
  it('should wait one minute, then twice as long each time, and give up after the last attempt', () => {
    const waits = Array.from({ length: MAX_CHECK_ATTEMPTS }, (_, i) => retryAt(1_000, i + 1));
    expect(waits).toEqual([61_000, 121_000, 241_000, 481_000, null]);
  });
});
