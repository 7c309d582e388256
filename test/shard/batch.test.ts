import { describe, expect, it } from 'vitest';
import type { LedgerDelta } from '../../src/db/counts';
import { boxOutcome } from '../../src/recirculation/box-tally';
import { READ_COUNTER, toFlushBatch } from '../../src/shard/batch';

const s1 = { site: 's', siteCreatedAt: '2026-11-20T10:00:00.000Z' };

describe('toFlushBatch', () => {
  it('should fold views and shares into totals, hours and networks', () => {
    const batch = toFlushBatch(
      [
        { ...s1, url: 'u', bucket: 10, network: '', n: 3 },
        { ...s1, url: 'u', bucket: 11, network: '', n: 2 },
        { ...s1, url: 'u', bucket: 11, network: 'x', n: 4 },
        { ...s1, url: 'u', bucket: 10, network: 'facebook', n: 1 },
        { ...s1, url: 'v', bucket: 11, network: 'x', n: 5 },
      ],
      [],
    );
    expect(batch.articles).toEqual([
      { ...s1, url: 'u', views: 5, shares: 5, reads: 0, firstBucket: 10 },
      { ...s1, url: 'v', views: 0, shares: 5, reads: 0, firstBucket: 11 },
    ]);
    expect(batch.hours).toEqual([
      { ...s1, url: 'u', bucket: 10, views: 3, shares: 1, reads: 0 },
      { ...s1, url: 'u', bucket: 11, views: 2, shares: 4, reads: 0 },
      { ...s1, url: 'v', bucket: 11, views: 0, shares: 5, reads: 0 },
    ]);
    expect(batch.networks).toEqual([
      { ...s1, url: 'u', network: 'x', shares: 4 },
      { ...s1, url: 'u', network: 'facebook', shares: 1 },
      { ...s1, url: 'v', network: 'x', shares: 5 },
    ]);
    expect(batch.siteHours).toEqual([
      { ...s1, bucket: 10, views: 3, shares: 1, reads: 0 },
      { ...s1, bucket: 11, views: 2, shares: 9, reads: 0 },
    ]);
    expect(batch.siteNetworkHours).toEqual([
      { ...s1, bucket: 11, network: 'x', shares: 9 },
      { ...s1, bucket: 10, network: 'facebook', shares: 1 },
    ]);
  });

  it('should keep an article’s first bucket, in whatever order its rows come', () => {
    const batch = toFlushBatch(
      [
        { ...s1, url: 'u', bucket: 12, network: '', n: 1 },
        { ...s1, url: 'u', bucket: 9, network: 'x', n: 1 },
        { ...s1, url: 'u', bucket: 11, network: '', n: 1 },
      ],
      [],
    );
    expect(batch.articles).toEqual([{ ...s1, url: 'u', views: 2, shares: 1, reads: 0, firstBucket: 9 }]);
  });

  it('should pass the ledger rows as they are, also without counts', () => {
    const ledger = [{ ...s1, day: 20_000, outcome: 'bot' as const, n: 3 }];
    expect(toFlushBatch([], ledger)).toEqual({
      articles: [],
      hours: [],
      networks: [],
      siteHours: [],
      siteNetworkHours: [],
      ledger,
      boxes: [],
    });
  });

  it('should fold reads into the reads of totals and hours, and into no network', () => {
    const batch = toFlushBatch(
      [
        { ...s1, url: 'u', bucket: 10, network: '', n: 3 },
        { ...s1, url: 'u', bucket: 10, network: READ_COUNTER, n: 2 },
        { ...s1, url: 'u', bucket: 11, network: READ_COUNTER, n: 1 },
      ],
      [],
    );
    expect(batch.articles).toEqual([{ ...s1, url: 'u', views: 3, shares: 0, reads: 3, firstBucket: 10 }]);
    expect(batch.hours).toEqual([
      { ...s1, url: 'u', bucket: 10, views: 3, shares: 0, reads: 2 },
      { ...s1, url: 'u', bucket: 11, views: 0, shares: 0, reads: 1 },
    ]);
    expect(batch.siteHours).toEqual([
      { ...s1, bucket: 10, views: 3, shares: 0, reads: 2 },
      { ...s1, bucket: 11, views: 0, shares: 0, reads: 1 },
    ]);
    expect(batch.networks).toEqual([]);
    expect(batch.siteNetworkHours).toEqual([]);
  });

  it('should move the popular box’s tallies out of the ledger rows, summed per day, list and position', () => {
    const row = (day: number, outcome: LedgerDelta['outcome'], n: number): LedgerDelta => ({ ...s1, day, outcome, n });
    const batch = toFlushBatch(
      [],
      [
        row(20, 'view', 4),
        row(20, boxOutcome({ kind: 'impression', list: 'views-24h', position: 0 }), 4),
        row(20, boxOutcome({ kind: 'click', list: 'views-24h', position: 3 }), 2),
        row(20, boxOutcome({ kind: 'quality', list: 'views-24h', position: 3 }), 1),
        row(21, boxOutcome({ kind: 'click', list: 'views-24h', position: 3 }), 1),
        row(20, 'read', 1),
      ],
    );
    expect(batch.ledger).toEqual([row(20, 'view', 4), row(20, 'read', 1)]);
    const box = { ...s1, list: 'views-24h', impressions: 0, clicks: 0, qualityClicks: 0 };
    expect(batch.boxes).toEqual([
      { ...box, day: 20, position: 0, impressions: 4 },
      { ...box, day: 20, position: 3, clicks: 2, qualityClicks: 1 },
      { ...box, day: 21, position: 3, clicks: 1 },
    ]);
  });

  it('should keep sites apart', () => {
    const batch = toFlushBatch(
      [
        { site: 'a', siteCreatedAt: '', url: 'u', bucket: 1, network: '', n: 1 },
        { site: 'b', siteCreatedAt: '', url: 'u', bucket: 1, network: '', n: 1 },
      ],
      [],
    );
    expect(batch.articles.map((a) => a.site)).toEqual(['a', 'b']);
  });

  it('should keep the rows of a site and of an earlier site of its id apart', () => {
    const s0 = { site: 's', siteCreatedAt: '2026-11-19T08:00:00.000Z' };
    const batch = toFlushBatch(
      [
        { ...s0, url: 'u', bucket: 1, network: 'x', n: 2 },
        { ...s1, url: 'u', bucket: 1, network: 'x', n: 1 },
      ],
      [],
    );
    expect(batch.articles.map((a) => [a.siteCreatedAt, a.shares])).toEqual([
      [s0.siteCreatedAt, 2],
      [s1.siteCreatedAt, 1],
    ]);
    for (const rows of [batch.hours, batch.networks, batch.siteHours, batch.siteNetworkHours]) {
      expect(rows.map((r) => r.siteCreatedAt)).toEqual([s0.siteCreatedAt, s1.siteCreatedAt]);
    }
  });
});
