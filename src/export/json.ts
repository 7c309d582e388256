import type { ExportDay, ExportTotal } from '../db/export';
import { isoDate } from './formats';

/**
 * The export as one JSON document, written piece by piece so that a large
 * site's export streams instead of being held in memory:
 * `{"site", "generated_at", "days": [{"date", "url", "views", "shares"}],
 *   "totals": [{"url", "title", "section", "published", "views", "shares"}]}`.
 * Day rows name only the URL: the article's metadata is in its total.
 */
export async function* jsonExport(
  site: string,
  generatedAt: string,
  days: AsyncIterable<ExportDay>,
  totals: AsyncIterable<ExportTotal>,
): AsyncGenerator<string> {
  yield `{"site":${JSON.stringify(site)},"generated_at":${JSON.stringify(generatedAt)},"days":[`;
  let separator = '';
  for await (const row of days) {
    yield separator + JSON.stringify({ date: isoDate(row.day), url: row.url, views: row.views, shares: row.shares });
    separator = ',';
  }
  yield '],"totals":[';
  separator = '';
  for await (const row of totals) {
    const { url, title, section, published, views, shares } = row;
    yield separator + JSON.stringify({ url, title, section, published, views, shares });
    separator = ',';
  }
  yield ']}';
}
