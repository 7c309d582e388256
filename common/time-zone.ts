/** A time's parts on a zone's clock, as numbers: year, month (1–12), day, hour (0–23), minute. */
export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** One formatter per zone: making one is far dearer than using it. */
const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * The parts of the time `ms` on `zone`'s clock (an IANA name), for the server's
 * local days and the dashboard's axes alike.
 *
 * @example
 * zonedParts(Date.UTC(2026, 6, 1, 22, 30), 'Europe/Paris') // { year: 2026, month: 7, day: 2, hour: 0, minute: 30 }
 */
export function zonedParts(ms: number, zone: string): ZonedParts {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formats.set(zone, format);
  }
  const parts = format.formatToParts(ms);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return { year: part('year'), month: part('month'), day: part('day'), hour: part('hour'), minute: part('minute') };
}
