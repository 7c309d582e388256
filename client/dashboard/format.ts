const numbers = new Intl.NumberFormat('en');
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/** 12,345 */
export const formatNumber = (n: number) => numbers.format(n);

/** 12.3K, for axis labels. */
export const formatCompact = (n: number) => compact.format(n);

const pad = (n: number) => String(n).padStart(2, '0');

/** A UTC time as `YYYY-MM-DD HH:MM` (or only the date): the server's buckets are UTC hours and days. */
export function formatUtc(date: Date, withTime: boolean) {
  const day = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  return withTime ? `${day} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}` : day;
}
