// Bundles the dashboard's browser code (src/dashboard/: its script with uPlot,
// its stylesheet with uPlot's) into src/generated/dashboard.ts, exporting each
// file and its content hash. The Worker serves them itself, never from a CDN.
// Runs before dev, test, test:e2e and deploy (npm pre-scripts, via build:assets).
import { join } from 'node:path';
import { bundle, contentHash, root, writeGenerated } from './lib/bundle.mjs';

// With an outdir, the stylesheets main.js imports come out as main.css beside it.
const files = await bundle('src/dashboard/main.js', { outdir: join(root, 'src/generated') });
const text = (ext) => files.find((file) => file.path.endsWith(ext)).text;
const js = text('.js');
const css = text('.css');
const [jsHash, cssHash] = [contentHash(js), contentHash(css)];
const output = writeGenerated('dashboard', 'src/dashboard/', {
  DASHBOARD_JS: js,
  DASHBOARD_JS_HASH: jsHash,
  DASHBOARD_CSS: css,
  DASHBOARD_CSS_HASH: cssHash,
});
console.log(`dashboard.${jsHash}.js: ${js.length} bytes, dashboard.${cssHash}.css: ${css.length} bytes -> ${output}`);
