import { describe, expect, it } from 'vitest';
import { type BoxRow, recirculationLists } from '../../src/recirculation/recirculation-figures';

const row = (list: string, position: number, impressions: number, clicks: number, qualityClicks: number): BoxRow => ({
  list,
  position,
  impressions,
  clicks,
  qualityClicks,
});

describe('recirculationLists', () => {
  it("should total each list and give each position's click-through against the list's impressions", () => {
    expect(
      recirculationLists([
        row('views-24h', 3, 0, 5, 2),
        row('views-24h', 0, 200, 0, 0),
        row('views-24h', 1, 0, 20, 12),
      ]),
    ).toEqual([
      {
        list: 'views-24h',
        impressions: 200,
        clicks: 25,
        quality_clicks: 14,
        click_through: 0.125,
        positions: [
          { position: 1, clicks: 20, quality_clicks: 12, click_through: 0.1 },
          { position: 3, clicks: 5, quality_clicks: 2, click_through: 0.025 },
        ],
      },
    ]);
  });

  it('should order lists by impressions, most first, then by list id', () => {
    const lists = recirculationLists([
      row('views-24h', 0, 10, 0, 0),
      row('trending', 0, 40, 0, 0),
      row('reads-7d', 0, 10, 0, 0),
      row('score-all', 0, 90, 0, 0),
      row('shares-1h', 2, 0, 3, 0),
    ]);
    expect(lists.map((list) => [list.list, list.impressions])).toEqual([
      ['score-all', 90],
      ['trending', 40],
      ['reads-7d', 10],
      ['views-24h', 10],
      ['shares-1h', 0],
    ]);
  });

  it('should answer a click-through of 0 for clicks without impressions, as from an iframe box', () => {
    expect(recirculationLists([row('views-24h', 2, 0, 4, 1)])).toEqual([
      {
        list: 'views-24h',
        impressions: 0,
        clicks: 4,
        quality_clicks: 1,
        click_through: 0,
        positions: [{ position: 2, clicks: 4, quality_clicks: 1, click_through: 0 }],
      },
    ]);
  });

  it('should list only the positions that had clicks, and a list shown but never clicked with none', () => {
    const [list] = recirculationLists([
      row('reads-24h', 0, 50, 0, 0),
      row('reads-24h', 4, 0, 0, 0),
      row('reads-24h', 2, 0, 1, 0),
    ]);
    expect(list!.positions.map((p) => p.position)).toEqual([2]);
    expect(recirculationLists([row('trending', 0, 8, 0, 0)])).toEqual([
      { list: 'trending', impressions: 8, clicks: 0, quality_clicks: 0, click_through: 0, positions: [] },
    ]);
  });
});
