import type { RecirculationListBody } from '../openapi/schemas';

/** One list and position's tallies summed over some days, as site_box_days keeps them: impressions at position 0. */
export interface BoxRow {
  list: string;
  position: number;
  impressions: number;
  clicks: number;
  qualityClicks: number;
}

/** Clicks per impression of the list; 0 without impressions (an iframe box's clicks have none). */
const clickThrough = (clicks: number, impressions: number): number => (impressions === 0 ? 0 : clicks / impressions);

const byListId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The popular box's figures per list (API.md "Recirculation"): most
 * impressions first, then by list id; each list's positions that had clicks,
 * first position first, each with its click-through against the list's
 * impressions.
 *
 * @example
 * recirculationLists([
 *   { list: 'views-24h', position: 0, impressions: 40, clicks: 0, qualityClicks: 0 },
 *   { list: 'views-24h', position: 3, impressions: 0, clicks: 2, qualityClicks: 1 },
 * ])
 * // [{ list: 'views-24h', impressions: 40, clicks: 2, quality_clicks: 1, click_through: 0.05,
 * //    positions: [{ position: 3, clicks: 2, quality_clicks: 1, click_through: 0.05 }] }]
 */
export function recirculationLists(rows: readonly BoxRow[]): RecirculationListBody[] {
  const lists = new Map<string, { impressions: number; clicks: number; qualityClicks: number; positions: BoxRow[] }>();
  for (const row of rows) {
    let list = lists.get(row.list);
    if (!list) {
      list = { impressions: 0, clicks: 0, qualityClicks: 0, positions: [] };
      lists.set(row.list, list);
    }
    list.impressions += row.impressions;
    list.clicks += row.clicks;
    list.qualityClicks += row.qualityClicks;
    if (row.position > 0 && row.clicks > 0) list.positions.push(row);
  }
  return [...lists]
    .map(([list, { impressions, clicks, qualityClicks, positions }]) => ({
      list,
      impressions,
      clicks,
      quality_clicks: qualityClicks,
      click_through: clickThrough(clicks, impressions),
      positions: positions
        .sort((a, b) => a.position - b.position)
        .map((row) => ({
          position: row.position,
          clicks: row.clicks,
          quality_clicks: row.qualityClicks,
          click_through: clickThrough(row.clicks, impressions),
        })),
    }))
    .sort((a, b) => b.impressions - a.impressions || byListId(a.list, b.list));
}
