import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { readBoxRows } from '../../src/db/recirculation';
import { seedBoxDays } from '../recirculation/box-support';
import { createSite } from '../support/helpers';

const byListAndPosition = <T extends { list: string; position: number }>(rows: T[]) =>
  rows.toSorted((a, b) => a.list.localeCompare(b.list) || a.position - b.position);

describe('readBoxRows', () => {
  it("should sum a site's tallies per list and position over the days asked, those days only", async () => {
    const { id } = await createSite();
    const other = await createSite();
    await seedBoxDays(id, [
      [99, 'views-24h', 0, 1000, 0, 0],
      [100, 'views-24h', 0, 30, 0, 0],
      [100, 'views-24h', 2, 0, 4, 1],
      [101, 'views-24h', 0, 20, 0, 0],
      [101, 'views-24h', 2, 0, 3, 3],
      [102, 'trending', 5, 0, 1, 0],
      [103, 'trending', 5, 0, 100, 100],
    ]);
    await seedBoxDays(other.id, [[101, 'views-24h', 0, 500, 0, 0]]);

    expect(byListAndPosition(await readBoxRows(env.DB, id, { from: 100, to: 102 }))).toEqual([
      { list: 'trending', position: 5, impressions: 0, clicks: 1, qualityClicks: 0 },
      { list: 'views-24h', position: 0, impressions: 50, clicks: 0, qualityClicks: 0 },
      { list: 'views-24h', position: 2, impressions: 0, clicks: 7, qualityClicks: 4 },
    ]);
    expect(await readBoxRows(env.DB, id, { from: 104, to: 110 })).toEqual([]);
  });
});
