// Bundles the browser code of client/ (the widget, the dashboard's script and
// stylesheet, the /docs page's "Try it" script) into src/generated/<name>.ts
// (gitignored), each exporting its files and their content hashes: the Worker
// serves them itself, never from a CDN. Runs before dev, test, test:e2e and
// deploy (npm pre-scripts, via build:assets); `node scripts/build-client.mjs` by hand too.
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle, contentHash, root, writeGenerated } from './lib/bundle.mjs';

/**
 * An esbuild plugin failing the build when the bundle would take in a file
 * outside `folders` (repo-relative, ending in /): a browser bundle never
 * imports server code, only its own folder, common/ and the packages named.
 */
const onlyFrom = (...folders) => ({
  name: 'only-from',
  setup(build) {
    build.onLoad({ filter: /.*/ }, ({ path }) => {
      const file = relative(root, path).split(sep).join('/');
      // A package is matched by its folder wherever node_modules lives (a symlink, a hoisted install).
      const allowed = (folder) =>
        folder.startsWith('node_modules/') ? file.includes(folder) : file.startsWith(folder);
      if (folders.some(allowed)) return undefined;
      return {
        errors: [{ text: `${file} is outside ${folders.join(' and ')}: a browser bundle imports no server module` }],
      };
    });
  },
});

/** The minified widget and the first 16 hex digits of its SHA-256. */
export async function buildWidget() {
  const [script] = await bundle('client/widget/index.ts', {
    tsconfig: join(root, 'client/widget/tsconfig.json'),
    plugins: [onlyFrom('client/widget/', 'common/')],
  });
  return { code: script.text, hash: contentHash(script.text) };
}

async function buildDashboard() {
  // With an outdir, the stylesheets main.ts imports come out as main.css beside it.
  const files = await bundle('client/dashboard/main.ts', {
    tsconfig: join(root, 'client/dashboard/tsconfig.json'),
    outdir: join(root, 'src/generated'),
    plugins: [onlyFrom('client/dashboard/', 'common/', 'node_modules/uplot/')],
  });
  const text = (ext) => files.find((file) => file.path.endsWith(ext)).text;
  const [js, css] = [text('.js'), text('.css')];
  const [jsHash, cssHash] = [contentHash(js), contentHash(css)];
  writeGenerated('dashboard', 'client/dashboard/', {
    DASHBOARD_JS: js,
    DASHBOARD_JS_HASH: jsHash,
    DASHBOARD_CSS: css,
    DASHBOARD_CSS_HASH: cssHash,
  });
  return `dashboard.${jsHash}.js: ${js.length} bytes, dashboard.${cssHash}.css: ${css.length} bytes`;
}

async function buildDocs() {
  const [script] = await bundle('client/docs/try-it.ts', {
    tsconfig: join(root, 'client/docs/tsconfig.json'),
    plugins: [onlyFrom('client/docs/', 'common/')],
  });
  const hash = contentHash(script.text);
  writeGenerated('docs-ui', 'client/docs/', { DOCS_JS: script.text, DOCS_JS_HASH: hash });
  return `docs.${hash}.js: ${script.text.length} bytes`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { code, hash } = await buildWidget();
  writeGenerated('widget', 'client/widget/', { WIDGET_JS: code, WIDGET_HASH: hash });
  const lines = [`widget.${hash}.js: ${code.length} bytes`, await buildDashboard(), await buildDocs()];
  console.log(`${lines.join('\n')}\n-> src/generated/`);
}
