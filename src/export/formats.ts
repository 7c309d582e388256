import { DAY_MS } from '../time';

export const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8; header=present',
  json: 'application/json; charset=utf-8',
};

/** A UTC day number as `YYYY-MM-DD`. */
export const isoDate = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/**
 * `sharepulse-<site>-<date>.<format>`: sortable, and safe in a header as is,
 * since site ids are `[a-z0-9-]`.
 */
export const exportFilename = (site: string, nowMs: number, format: ExportFormat): string =>
  `sharepulse-${site}-${isoDate(Math.floor(nowMs / DAY_MS))}.${format}`;
