import { describe, expect, it } from 'vitest';
import { articleRouteKey, HOT_FOR_MS, HotRoutes, HotTracker } from '../../src/shard/hot-articles';

const story = articleRouteKey('site', 'https://news.example/breaking');
const other = articleRouteKey('site', 'https://news.example/quiet');

describe('HotTracker', () => {
  it('should make an article hot once it takes the threshold of events in one second, and only it', () => {
    const tracker = new HotTracker(3);
    const t = 1_000_000;
    expect(tracker.note(story, t)).toBe(false);
    expect(tracker.note(other, t + 1)).toBe(false);
    expect(tracker.note(story, t + 2)).toBe(false);
    expect(tracker.note(story, t + 3)).toBe(true);
    expect(tracker.isHot(other, t + 3)).toBe(false);
  });

  it('should not add up events of different seconds', () => {
    const tracker = new HotTracker(3);
    const t = 1_000_000;
    tracker.note(story, t);
    tracker.note(story, t + 999);
    expect(tracker.note(story, t + 1000)).toBe(false);
  });

  it('should keep an article hot HOT_FOR_MS after its last hot second', () => {
    const tracker = new HotTracker(1);
    const t = 1_000_000;
    tracker.note(story, t);
    expect(tracker.isHot(story, t + HOT_FOR_MS - 1)).toBe(true);
    expect(tracker.isHot(story, t + HOT_FOR_MS)).toBe(false);
  });
});

describe('HotRoutes', () => {
  it('should route an article as hot from its shard saying so until HOT_FOR_MS after it last did', () => {
    const routes = new HotRoutes();
    const t = 1_000_000;
    expect(routes.isHot(story, t)).toBe(false);
    routes.heard([story], t);
    expect(routes.isHot(story, t + 1)).toBe(true);
    routes.heard([story], t + 10_000);
    expect(routes.isHot(story, t + HOT_FOR_MS + 5_000)).toBe(true);
    expect(routes.isHot(story, t + 10_000 + HOT_FOR_MS)).toBe(false);
    expect(routes.isHot(other, t + 1)).toBe(false);
  });

  it('should remember at most 1,000 articles, forgetting the oldest first', () => {
    const routes = new HotRoutes();
    const t = 1_000_000;
    routes.heard([story], t);
    routes.heard(
      Array.from({ length: 1000 }, (_, i) => articleRouteKey('site', `https://news.example/${i}`)),
      t + 1,
    );
    expect(routes.isHot(story, t + 2)).toBe(false);
    expect(routes.isHot(articleRouteKey('site', 'https://news.example/999'), t + 2)).toBe(true);
  });
});
