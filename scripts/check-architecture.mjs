// Checks the import rules of README's "Layout": no import circle; routes import
// no other route and no view's types; the pure folders import no I/O; browser
// bundles import only themselves and common/; the server never imports a
// bundle. Part of `npm run lint`. Prints each breach and exits 1 on any.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['src', 'common', 'client'];
const EXTENSIONS = ['', '.ts', '.tsx', '/index.ts', '/index.tsx'];

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'generated') yield* walk(path);
    } else if (/\.tsx?$/.test(name)) yield path;
  }
}

// `import … from '…'`, `export … from '…'` and side-effect imports; `typeOnly`
// when the statement, or every name it takes, is a type.
const IMPORT = /^(?:import|export)\s+(?:(type\s+)?([^'";]*?)\s+from\s+)?['"]([^'"]+)['"]/gm;

function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map(([, type, names = '', spec]) => {
    const specifiers =
      /\{([^}]*)\}/
        .exec(names)?.[1]
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean) ?? [];
    const typeOnly = Boolean(type) || (specifiers.length > 0 && specifiers.every((s) => s.startsWith('type ')));
    return { spec, typeOnly, target: spec.startsWith('.') ? resolveLocal(file, spec) : null };
  });
}

function resolveLocal(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const ext of EXTENSIONS) if (existsSync(base + ext) && statSync(base + ext).isFile()) return base + ext;
  return null;
}

const rel = (path) => relative(root, path);
const under = (path, folder) => rel(path).startsWith(`${folder}/`);
const files = SOURCES.flatMap((folder) => [...walk(join(root, folder))]);
const graph = new Map(files.map((file) => [file, importsOf(file)]));
const breaches = [];

for (const [file, imports] of graph) {
  for (const { spec, typeOnly, target } of imports) {
    const where = `${rel(file)} imports ${spec}`;
    // src/generated/ is built (npm run build:assets), so a fresh clone has none yet.
    const built = spec.includes('/generated/');
    if (spec.startsWith('.') && target === null && !built && !spec.endsWith('.css') && !spec.endsWith('.json')) {
      breaches.push(`${where}: not found`);
    }
    if (under(file, 'src/routes') && target && under(target, 'src/routes'))
      breaches.push(`${where}: a route imports another route`);
    if (
      under(file, 'src/routes') &&
      target &&
      typeOnly &&
      (under(target, 'src/render') || target.includes('/views/'))
    ) {
      breaches.push(`${where}: a route takes its types from a view`);
    }
    if ((under(file, 'src/ingest') || under(file, 'src/ranking')) && /^(hono|cloudflare:)/.test(spec)) {
      breaches.push(`${where}: ingest/ and ranking/ are pure`);
    }
    if (
      (under(file, 'src/ingest') || under(file, 'src/ranking')) &&
      target &&
      /^src\/(db|cache|shard|routes)\//.test(rel(target))
    ) {
      breaches.push(`${where}: ingest/ and ranking/ are pure`);
    }
    if ((under(file, 'src/db') || under(file, 'src/cache')) && /^hono/.test(spec))
      breaches.push(`${where}: db/ and cache/ take bindings, not requests`);
    if (under(file, 'common') && (!target || !under(target, 'common')))
      breaches.push(`${where}: common/ imports only common/`);
    if (under(file, 'client')) {
      const bundle = rel(file).split('/').slice(0, 2).join('/');
      if (target && !under(target, bundle) && !under(target, 'common'))
        breaches.push(`${where}: a bundle imports only itself and common/`);
    }
    if (under(file, 'src') && target && under(target, 'client'))
      breaches.push(`${where}: the server never imports a bundle`);
  }
}

// Circles: a depth-first search over the local imports.
const state = new Map();
const stack = [];
function visit(file) {
  state.set(file, 'open');
  stack.push(file);
  for (const { target } of graph.get(file) ?? []) {
    if (!target || !graph.has(target)) continue;
    if (state.get(target) === 'open') {
      breaches.push(`import circle: ${[...stack.slice(stack.indexOf(target)), target].map(rel).join(' -> ')}`);
    } else if (!state.has(target)) visit(target);
  }
  stack.pop();
  state.set(file, 'done');
}
for (const file of graph.keys()) if (!state.has(file)) visit(file);

if (breaches.length > 0) {
  console.error(breaches.join('\n'));
  process.exit(1);
}
console.log(`architecture: ${graph.size} modules, no breach`);
