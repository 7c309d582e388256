import { everyDay, foldLedger, type LedgerDay, type LedgerRow } from '../ledger/ledger-days';
import type { Span } from '../time';

/** Days of the export's ledger read per statement: a bounded answer (at most a row per outcome and day). */
const EXPORT_DAYS_PER_PAGE = 100;

/** A site's ledger rows for the UTC days of `days`, by day: one index range of site_ledger. */
export async function readLedgerRows(db: D1Database, site: string, days: Span): Promise<LedgerRow[]> {
  const { results } = await db
    .prepare('SELECT day, outcome, n FROM site_ledger WHERE site_id = ? AND day BETWEEN ? AND ? ORDER BY day, outcome')
    .bind(site, days.from, days.to)
    .all<LedgerRow>();
  return results;
}

/** A site's ledger for every UTC day of `days`, oldest first, days without events as zeros. */
export async function readLedger(db: D1Database, site: string, days: Span): Promise<LedgerDay[]> {
  return everyDay(await readLedgerRows(db, site, days), days);
}

/** The first and last UTC day of a site's ledger; null when it has none. */
async function readLedgerSpan(db: D1Database, site: string): Promise<Span | null> {
  const row = await db
    .prepare('SELECT min(day) AS first, max(day) AS last FROM site_ledger WHERE site_id = ?')
    .bind(site)
    .first<{ first: number | null; last: number | null }>();
  return row?.first == null || row.last == null ? null : { from: row.first, to: row.last };
}

/** Every day of a site's ledger that has rows, oldest first, a page of days per statement. */
export async function* exportLedger(db: D1Database, site: string): AsyncGenerator<LedgerDay> {
  const span = await readLedgerSpan(db, site);
  if (!span) return;
  for (let from = span.from; from <= span.to; from += EXPORT_DAYS_PER_PAGE) {
    const to = Math.min(from + EXPORT_DAYS_PER_PAGE - 1, span.to);
    yield* foldLedger(await readLedgerRows(db, site, { from, to }));
  }
}
