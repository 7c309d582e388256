import { env } from 'cloudflare:test';

/** One site_box_days row after site_id: impressions on position 0, clicks and quality clicks on 1..50. */
export type BoxDayRow = [
  day: number,
  list: string,
  position: number,
  impressions: number,
  clicks: number,
  quality: number,
];

/** Popular-box tallies straight into D1, as shard flushes leave them in site_box_days. */
export const seedBoxDays = (site: string, rows: BoxDayRow[]) =>
  env.DB.batch(
    rows.map((row) =>
      env.DB.prepare(
        `INSERT INTO site_box_days (site_id, day, list, position, impressions, clicks, quality_clicks)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).bind(site, ...row),
    ),
  );
