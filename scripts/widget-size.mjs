// Prints the widget's size, raw and gzipped, and fails when the gzipped size
// is over the budget (6 KiB with every network in). `npm run size:widget`.
import { gzipSync } from 'node:zlib';
import { buildWidget } from './build-client.mjs';

const BUDGET_BYTES = 6 * 1024;

const { code, hash } = await buildWidget();
const raw = Buffer.byteLength(code);
const gzipped = gzipSync(code, { level: 9 }).length;
console.log(`widget.${hash}.js: ${raw} bytes, ${gzipped} bytes gzipped (budget ${BUDGET_BYTES})`);
if (gzipped > BUDGET_BYTES) {
  console.error(`Over budget by ${gzipped - BUDGET_BYTES} bytes.`);
  process.exit(1);
}
