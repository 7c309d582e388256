import { zonedParts } from '../../common/time-zone';

const numbers = new Intl.NumberFormat('en');
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/** 12,345 */
export const formatNumber = (n: number) => numbers.format(n);

/** 12.3K, for axis labels. */
export const formatCompact = (n: number) => compact.format(n);

const pad = (n: number) => String(n).padStart(2, '0');

/** A time on the site's clock as `YYYY-MM-DD HH:MM` (or only the date). */
export function formatZoned(date: Date, zone: string, withTime: boolean) {
  const { year, month, day, hour, minute } = zonedParts(date.getTime(), zone);
  const date10 = `${year}-${pad(month)}-${pad(day)}`;
  return withTime ? `${date10} ${pad(hour)}:${pad(minute)}` : date10;
}
