import { z } from 'zod';
import type { ExportDay, ExportTotal } from '../db/export';
import { type LedgerDay, toLedgerDayBody } from '../ledger/ledger-days';
import { ledgerDayBody } from '../openapi/schemas';
import { isoDate } from './formats';

/** The JSON export's shape, for the OpenAPI document; `jsonExport` writes it. */
export const exportBody = z
  .object({
    site: z.string(),
    generated_at: z.string().describe('ISO-8601'),
    days: z.array(
      z.object({
        date: z.string().describe('UTC day, YYYY-MM-DD'),
        url: z.string(),
        views: z.number().int(),
        shares: z.number().int(),
        reads: z.number().int(),
      }),
    ),
    totals: z.array(
      z.object({
        url: z.string(),
        title: z.string().nullable(),
        section: z.string().nullable(),
        published: z.string().nullable(),
        views: z.number().int().describe('All time'),
        shares: z.number().int().describe('All time'),
        reads: z.number().int().describe('All time'),
      }),
    ),
    ledger: z
      .array(ledgerDayBody)
      .describe("The site's ledger, as GET …/ledger answers it: each UTC day that has one, oldest first"),
  })
  .meta({ id: 'Export' });
type ExportBody = z.infer<typeof exportBody>;

/**
 * The export as one JSON document, written piece by piece so that a large
 * site's export streams instead of being held in memory:
 * `{"site", "generated_at", "days": [{"date", "url", "views", "shares", "reads"}],
 *   "totals": [{"url", "title", "section", "published", "views", "shares", "reads"}],
 *   "ledger": [{"date", "received", "counted", "not_counted": {…}}]}`.
 * Day rows name only the URL: the article's metadata is in its total.
 */
export async function* jsonExport(
  site: string,
  generatedAt: string,
  days: AsyncIterable<ExportDay>,
  totals: AsyncIterable<ExportTotal>,
  ledger: AsyncIterable<LedgerDay>,
): AsyncGenerator<string> {
  yield `{"site":${JSON.stringify(site)},"generated_at":${JSON.stringify(generatedAt)},"days":[`;
  let separator = '';
  for await (const row of days) {
    const day: ExportBody['days'][number] = {
      date: isoDate(row.day),
      url: row.url,
      views: row.views,
      shares: row.shares,
      reads: row.reads,
    };
    yield separator + JSON.stringify(day);
    separator = ',';
  }
  yield '],"totals":[';
  separator = '';
  for await (const row of totals) {
    const { url, title, section, published, views, shares, reads } = row;
    const total: ExportBody['totals'][number] = { url, title, section, published, views, shares, reads };
    yield separator + JSON.stringify(total);
    separator = ',';
  }
  yield '],"ledger":[';
  separator = '';
  for await (const day of ledger) {
    const entry: ExportBody['ledger'][number] = toLedgerDayBody(day);
    yield separator + JSON.stringify(entry);
    separator = ',';
  }
  yield ']}';
}
