import { z } from 'zod';
import { exportDays, exportTotals } from '../db/export';
import { exportLedger } from '../db/ledger';
import { getSite } from '../db/sites';
import { unknownSite } from '../errors';
import { csvExport } from './csv';
import { EXPORT_CONTENT_TYPES, EXPORT_FORMATS, type ExportFormat, exportFilename } from './formats';
import { jsonExport } from './json';

export const exportQuery = z.object({ format: z.enum(EXPORT_FORMATS).default('json') });

export const CSV_DESCRIPTION =
  "Columns type,date,url,title,section,published,views,shares,not_counted,reads: a `day` row per article per UTC day, then a `total` row per article (all time, no date), then a `ledger` row per UTC day of the site: views, shares and reads counted, and events accepted and not counted (not_counted, empty on article rows). RFC 4180; text cells starting with = + - @ tab or CR are prefixed with '.";

/** Bytes gathered before a chunk is sent: one row per chunk would be thousands of tiny writes. */
const CHUNK_CHARS = 32 * 1024;

/** Streams the text pieces of `source`, gathered into chunks, as UTF-8. */
function textStream(source: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    async pull(controller) {
      let chunk = '';
      while (chunk.length < CHUNK_CHARS) {
        const next = await source.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += next.value;
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await source.return(undefined);
    },
  });
}

/**
 * A site's counts per article per day, totals and ledger, as a download. The site must
 * exist (checked before the first byte, so that an unknown one is a JSON 404);
 * rows are then read page by page while the body streams.
 */
export async function exportResponse(
  db: D1Database,
  siteId: string,
  format: ExportFormat,
  nowMs: number,
): Promise<Response> {
  const site = await getSite(db, siteId);
  if (!site) throw unknownSite({ id: siteId });
  const days = exportDays(db, site.id);
  const totals = exportTotals(db, site.id);
  const ledger = exportLedger(db, site.id);
  const body =
    format === 'csv'
      ? csvExport(days, totals, ledger)
      : jsonExport(site.id, new Date(nowMs).toISOString(), days, totals, ledger);
  return new Response(textStream(body), {
    headers: {
      'Content-Type': EXPORT_CONTENT_TYPES[format],
      'Content-Disposition': `attachment; filename="${exportFilename(site.id, nowMs, format)}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}
