// Bundles widget/ into one minified script and writes it where the Worker can
// import it: src/generated/widget.ts (gitignored), exporting the code and its
// content hash. Runs before dev, test, test:e2e and deploy (npm pre-scripts), so
// the Worker never serves a stale widget; `node scripts/build-widget.mjs` by hand too.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle, contentHash, root, writeGenerated } from './lib/bundle.mjs';

/** The minified widget and the first 16 hex digits of its SHA-256. */
export async function buildWidget() {
  const [script] = await bundle('widget/src/index.ts', { tsconfig: join(root, 'widget/tsconfig.json') });
  return { code: script.text, hash: contentHash(script.text) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { code, hash } = await buildWidget();
  const output = writeGenerated('widget', 'widget/', { WIDGET_JS: code, WIDGET_HASH: hash });
  console.log(`widget.${hash}.js: ${code.length} bytes -> ${output}`);
}
