import type { ExportDay, ExportTotal } from '../db/export';
import { type LedgerDay, notCountedTotal } from '../ledger/ledger-days';
import { isoDate } from './formats';

// Spreadsheets run a cell starting with one of these as a formula (OWASP "CSV
// Injection"); tab and carriage return are included as some apps strip them first.
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV field: numbers as they are; text neutralised against formula
 * injection (a leading `'`, which spreadsheets show as text and hide), then
 * quoted as RFC 4180 asks when it holds a comma, a quote or a line break.
 *
 * @example
 * csvCell('=HYPERLINK("x")') // `"'=HYPERLINK(""x"")"`
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, CRLF-terminated as RFC 4180 says. */
const csvLine = (cells: readonly (string | number | null)[]): string => `${cells.map(csvCell).join(',')}\r\n`;

// reads comes last, after the columns that were there before it, so that sheets reading them by position still do.
const CSV_COLUMNS = [
  'type',
  'date',
  'url',
  'title',
  'section',
  'published',
  'views',
  'shares',
  'not_counted',
  'reads',
] as const;

/** An article's row of the export: its counts of a day, or all time; `not_counted` is the site's, left empty. */
const articleLine = (type: 'day' | 'total', date: string | null, row: ExportTotal): string =>
  csvLine([type, date, row.url, row.title, row.section, row.published, row.views, row.shares, null, row.reads]);

/**
 * The export as one CSV table: a header, a `day` row per article per UTC day
 * (oldest first), then a `total` row per article with its all-time counts and
 * no date, then a `ledger` row per UTC day of the whole site (oldest first):
 * the views, shares and reads counted that day and the events accepted and not
 * counted (`not_counted`, empty on article rows: bots and the like are the
 * site's, not an article's). One table, so that a spreadsheet filters on
 * `type` rather than opening three files; the rows of a type never overlap,
 * so their sums are exact.
 */
export async function* csvExport(
  days: AsyncIterable<ExportDay>,
  totals: AsyncIterable<ExportTotal>,
  ledger: AsyncIterable<LedgerDay>,
): AsyncGenerator<string> {
  yield csvLine(CSV_COLUMNS);
  for await (const row of days) yield articleLine('day', isoDate(row.day), row);
  for await (const row of totals) yield articleLine('total', null, row);
  for await (const day of ledger) {
    yield csvLine([
      'ledger',
      isoDate(day.day),
      null,
      null,
      null,
      null,
      day.views,
      day.shares,
      notCountedTotal(day),
      day.reads,
    ]);
  }
}
