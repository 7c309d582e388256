// Runs before `npm run dev`: creates .dev.vars from the example when missing,
// applies the local D1 migrations and seeds the demo site, in `page` mode: the
// dev server checks the demo's pages against itself, as sharepulse checks a
// publisher's. The seed is made for the paper's own address
// (src/demo/paper.json), which its pages give as their canonical URL on any
// host and port: npm hands `npm run dev -- --port …` to wrangler dev only, so
// this script cannot know where the pages will be served.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { demoSeedSql } from './demo-seed.mjs';

const wrangler = (...args) => {
  // stdin not a TTY: wrangler then applies migrations without asking to confirm.
  const result = spawnSync(process.execPath, ['node_modules/wrangler/bin/wrangler.js', ...args], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

if (!existsSync('.dev.vars')) {
  copyFileSync('.dev.vars.example', '.dev.vars');
  console.log('Created .dev.vars from .dev.vars.example (local admin token inside).');
}

wrangler('d1', 'migrations', 'apply', 'DB', '--local');

const articles = JSON.parse(readFileSync('src/demo/articles.json', 'utf8'));
const paper = JSON.parse(readFileSync('src/demo/paper.json', 'utf8'));
mkdirSync('.wrangler', { recursive: true });
writeFileSync('.wrangler/demo-seed.sql', demoSeedSql(articles, paper.origin, Date.now(), { articleSource: 'page' }));
wrangler('d1', 'execute', 'DB', '--local', '--file', '.wrangler/demo-seed.sql');
