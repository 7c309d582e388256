import { describe, expect, it } from 'vitest';
import { TallyBook } from '../../src/ledger/tally-book';

const DAY = 20_412;
const CREATED = '2026-11-01T08:00:00.000Z';
const T0 = DAY * 86_400_000 + 3_600_000;

describe('TallyBook', () => {
  it('should sum tallies per site, day and reason, and hand a site its own', () => {
    const book = new TallyBook(10, 5_000);
    book.add('news', CREATED, DAY, 'bot', 2, T0);
    book.add('news', CREATED, DAY, 'bot', 3, T0 + 1);
    book.add('news', CREATED, DAY, 'gpc', 1, T0 + 2);
    book.add('news', CREATED, DAY + 1, 'bot', 1, T0 + 3);
    book.add('other', CREATED, DAY, 'bot', 7, T0 + 4);
    expect(book.take('news')).toEqual([
      { site: 'news', siteCreatedAt: CREATED, day: DAY, reason: 'bot', n: 5 },
      { site: 'news', siteCreatedAt: CREATED, day: DAY, reason: 'gpc', n: 1 },
      { site: 'news', siteCreatedAt: CREATED, day: DAY + 1, reason: 'bot', n: 1 },
    ]);
    expect(book.take('news')).toEqual([]);
    expect(book.take('other')).toEqual([{ site: 'other', siteCreatedAt: CREATED, day: DAY, reason: 'bot', n: 7 }]);
    expect(book.size).toBe(0);
  });

  it('should keep nothing for a tally of no events', () => {
    const book = new TallyBook(10, 5_000);
    book.add('news', CREATED, DAY, 'bot', 0, T0);
    expect(book.size).toBe(0);
  });

  it('should make due the sites whose tallies have waited the longest, once they have waited enough', () => {
    const book = new TallyBook(10, 5_000);
    book.add('early', CREATED, DAY, 'bot', 1, T0);
    book.add('late', CREATED, DAY, 'gpc', 1, T0 + 3_000);
    // A later tally of a waiting site does not make it wait longer.
    book.add('early', CREATED, DAY, 'bot', 1, T0 + 4_000);
    expect(book.takeDue(T0 + 4_999)).toEqual([]);
    expect(book.takeDue(T0 + 5_000)).toEqual([
      { site: 'early', siteCreatedAt: CREATED, day: DAY, reason: 'bot', n: 2 },
    ]);
    expect(book.takeDue(T0 + 7_999)).toEqual([]);
    expect(book.takeDue(T0 + 8_000)).toEqual([{ site: 'late', siteCreatedAt: CREATED, day: DAY, reason: 'gpc', n: 1 }]);
  });

  it('should hold at most maxSites sites: the oldest beyond them are due at once', () => {
    const book = new TallyBook(3, 5_000);
    for (const [i, site] of ['a', 'b', 'c', 'd', 'e'].entries()) book.add(site, CREATED, DAY, 'bot', 1, T0 + i);
    expect(book.takeDue(T0 + 5).map((t) => t.site)).toEqual(['a', 'b']);
    expect(book.size).toBe(3);
  });

  it('should start a site taken out and put back again as a new wait', () => {
    const book = new TallyBook(10, 5_000);
    book.add('news', CREATED, DAY, 'rate_limited', 4, T0);
    const carried = book.take('news');
    book.restore(carried, T0 + 6_000);
    book.add('news', CREATED, DAY, 'rate_limited', 1, T0 + 6_001);
    expect(book.takeDue(T0 + 10_999)).toEqual([]);
    expect(book.takeDue(T0 + 11_000)).toEqual([
      { site: 'news', siteCreatedAt: CREATED, day: DAY, reason: 'rate_limited', n: 5 },
    ]);
  });
});
