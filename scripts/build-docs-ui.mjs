// Bundles docs-ui/ (the /docs page's "Try it" script) into src/generated/docs-ui.ts.
// Runs before dev, test, test:e2e and deploy (npm pre-scripts).
import { join } from 'node:path';
import { bundle, contentHash, root, writeGenerated } from './lib/bundle.mjs';

const [script] = await bundle('docs-ui/src/try-it.ts', { tsconfig: join(root, 'docs-ui/tsconfig.json') });
const hash = contentHash(script.text);
const output = writeGenerated('docs-ui', 'docs-ui/', { DOCS_JS: script.text, DOCS_JS_HASH: hash });
console.log(`docs.${hash}.js: ${script.text.length} bytes -> ${output}`);
