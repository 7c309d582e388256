// Widget: the gzipped size of /widget.js as the Worker serves it, beside
// Shariff's published front end (script, CSS and the icon fonts its buttons
// use), read from the `shariff` npm package, fetched at bench time with
// `npm pack` into node_modules/.cache (never committed).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startSharepulse } from './lib/worker.mjs';

export const WIDGET_BUDGET_BYTES = 6 * 1024;
const SHARIFF = 'shariff@3.3.0';
const CACHE_DIR = 'node_modules/.cache/sharepulse-bench';
/**
 * What a page with Shariff's buttons loads: the self-contained script and CSS
 * (jQuery and Font Awesome's CSS inside), and the WOFF2 fonts its icons are
 * drawn from (brands for the networks, solid for mail, info and print).
 */
const SHARIFF_FILES = ['shariff.complete.js', 'shariff.complete.css', 'fa-brands-400.woff2', 'fa-solid-900.woff2'];

const gzipped = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** Shariff's dist/ folder, unpacked from the npm package once per machine. */
function shariffDist(timeoutMs) {
  const dist = join(CACHE_DIR, 'shariff', 'package', 'dist');
  if (SHARIFF_FILES.every((f) => existsSync(join(dist, f)))) return dist;
  mkdirSync(join(CACHE_DIR, 'shariff'), { recursive: true });
  const pack = spawnSync('npm', ['pack', SHARIFF, '--pack-destination', CACHE_DIR, '--silent'], {
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  if (pack.status !== 0) throw new Error(`npm pack ${SHARIFF} failed: ${pack.stderr}`);
  const tarball = join(CACHE_DIR, pack.stdout.trim().split('\n').pop());
  const untar = spawnSync('tar', ['-xzf', tarball, '-C', join(CACHE_DIR, 'shariff')], { encoding: 'utf8' });
  if (untar.status !== 0) throw new Error(`tar: ${untar.stderr}`);
  return dist;
}

export async function benchWidget({ scriptPath, fetchTimeoutMs = 120_000 }) {
  const sharepulse = await startSharepulse(scriptPath);
  let widget;
  try {
    const response = await fetch(`${sharepulse.url}/widget.js`);
    if (response.status !== 200) throw new Error(`/widget.js: ${response.status}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    widget = { raw: bytes.length, gzipped: gzipped(bytes) };
  } finally {
    await sharepulse.mf.dispose();
  }
  let shariff;
  try {
    const dist = shariffDist(fetchTimeoutMs);
    const files = Object.fromEntries(
      SHARIFF_FILES.map((f) => {
        const bytes = readFileSync(join(dist, f));
        return [f, { raw: bytes.length, gzipped: gzipped(bytes) }];
      }),
    );
    const total = Object.values(files).reduce((sum, f) => sum + f.gzipped, 0);
    shariff = { version: SHARIFF, files, gzipped: total };
  } catch (err) {
    shariff = { error: String(err.message ?? err) };
  }
  return { widget, shariff, budget: WIDGET_BUDGET_BYTES };
}
