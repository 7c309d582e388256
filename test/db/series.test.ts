import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { periodSpan, readSiteSeries, readSiteTotals, spanBuckets } from '../../src/db/series';
import { bucketOf } from '../../src/time';
import { createSite } from '../support/helpers';

const DAY_MS = 86_400_000;
const dayOf = (iso: string) => Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
const bucketAt = (iso: string) => bucketOf(Date.parse(iso));

/** Hours with views, and reads when given: reads sum into local days like views. */
async function seedSiteHours(site: string, rows: [iso: string, views: number, reads?: number][]) {
  await env.DB.batch(
    rows.map(([iso, views, reads = 0]) =>
      env.DB.prepare('INSERT INTO site_hours (site_id, bucket, views, shares, reads) VALUES (?, ?, ?, 0, ?)').bind(
        site,
        bucketAt(iso),
        views,
        reads,
      ),
    ),
  );
}

describe('series by local day', () => {
  it("should end a period with the site's current local day, not the UTC one", () => {
    // 23:30 UTC on 14 July is already 15 July in Paris.
    const bucket = bucketAt('2026-07-14T23:30:00Z');
    expect(periodSpan('30d', bucket, 'Europe/Paris')).toMatchObject({ step: 'day', to: dayOf('2026-07-15') });
    expect(periodSpan('30d', bucket, 'UTC')).toMatchObject({ step: 'day', to: dayOf('2026-07-14') });
  });

  it('should cut Paris days at local midnight, 23- and 25-hour days included', async () => {
    const { id } = await createSite();
    await seedSiteHours(id, [
      ['2026-03-28T22:00:00Z', 1], // 23:00 on the 28th in Paris (UTC+1)
      ['2026-03-28T23:00:00Z', 2, 1], // midnight: the 29th, the day clocks go forward
      ['2026-03-29T21:00:00Z', 4, 3], // 23:00 on the 29th (UTC+2): its last hour
      ['2026-03-29T22:00:00Z', 8], // midnight: the 30th
    ]);
    const span = { step: 'day' as const, from: dayOf('2026-03-28'), to: dayOf('2026-03-30'), zone: 'Europe/Paris' };
    expect(spanBuckets(span)).toEqual([bucketAt('2026-03-27T23:00:00Z'), bucketAt('2026-03-30T21:00:00Z')]);
    expect(await readSiteSeries(env.DB, id, span)).toEqual({
      step: 'day',
      zone: 'Europe/Paris',
      times: ['2026-03-27T23:00:00Z', '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z'].map(
        (iso) => Date.parse(iso) / 1000,
      ),
      views: [1, 6, 8],
      shares: [0, 0, 0],
      reads: [0, 4, 0],
    });
    expect(await readSiteTotals(env.DB, id, { ...span, from: span.to - 1, to: span.to - 1 })).toEqual({
      views: 6,
      shares: 0,
      reads: 4,
    });
  });

  it('should count each hour in the day it starts in, in Asia/Kolkata', async () => {
    const { id } = await createSite();
    await seedSiteHours(id, [
      ['2026-07-14T18:00:00Z', 1], // 23:30 to 00:30 local: the 14th
      ['2026-07-14T19:00:00Z', 2], // 00:30 local: the 15th
    ]);
    const span = { step: 'day' as const, from: dayOf('2026-07-14'), to: dayOf('2026-07-15'), zone: 'Asia/Kolkata' };
    const series = await readSiteSeries(env.DB, id, span);
    expect(series.views).toEqual([1, 2]);
    expect(series.times.at(-1)).toBe(Date.parse('2026-07-14T19:00:00Z') / 1000);
  });
});
