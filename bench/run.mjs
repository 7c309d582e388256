// npm run bench: builds the Worker, runs it in Miniflare on 127.0.0.1 and
// measures it against baselines of the same run. Prints a table and writes
// bench/results/latest.json. `--smoke` runs each part for a moment only, to
// keep the benchmark working (npm test runs it so).
import { mkdirSync, writeFileSync } from 'node:fs';
import { benchIngest } from './ingest.mjs';
import { buildWorker } from './lib/worker.mjs';

const smoke = process.argv.includes('--smoke');
const seconds = smoke ? 1 : 10;
const connections = smoke ? 8 : 32;

const ratio = (a, b) => (b > 0 ? a / b : 0);
const fixed = (n, digits = 0) => n.toFixed(digits);

const scriptPath = buildWorker();
const ingest = await benchIngest({ scriptPath, seconds, connections });

const rows = [
  ['ingest POST /api/v1/events', ingest.ingest, [['× /healthz', ratio(ingest.ingest.rps, ingest.healthz.rps), 0.8], ['× naive', ratio(ingest.ingest.rps, ingest.naive.rps), 3]]],
  ['baseline GET /healthz', ingest.healthz, []],
  ['baseline naive D1 upsert', ingest.naive, []],
];

console.log(`\nsharepulse bench (${smoke ? 'smoke' : 'full'}: ${seconds}s per run, ${connections} connections, 127.0.0.1)\n`);
console.log('| what | req/s | p50 ms | p99 ms | ratios (target) |');
console.log('| --- | ---: | ---: | ---: | --- |');
let missed = 0;
for (const [name, r, ratios] of rows) {
  const text = ratios
    .map(([label, value, target]) => {
      if (value < target) missed++;
      return `${fixed(value, 2)} ${label} (≥ ${target})${value < target ? ' MISSED' : ''}`;
    })
    .join(', ');
  console.log(`| ${name} | ${fixed(r.rps)} | ${r.p50} | ${r.p99} | ${text} |`);
}
const { exactness } = ingest;
console.log(`\ningest exactness: ${exactness.accepted} accepted, ${exactness.stored} in D1, ${exactness.lost} lost, ${exactness.doubled} doubled`);

mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/latest.json', JSON.stringify({ date: new Date().toISOString(), smoke, seconds, connections, ingest }, null, 2));

const failed = exactness.lost > 0 || exactness.doubled > 0 || exactness.accepted === 0 || ingest.ingest.errors > 0;
if (failed) {
  console.error('FAILED: increments lost or doubled, or requests failed');
  process.exit(1);
}
if (missed > 0 && !smoke) console.log(`\n${missed} target(s) missed: see bench/README.md`);
