// Browser tests' world, all on loopback: `wrangler dev --local` on a free port
// of 127.0.0.1 with a fresh, migrated and seeded store, and a publisher's page
// server on another origin (http://localhost:<port>). The demo site, whose
// hosts these pages are on, is in `beacon` mode here: the tests send beacons
// for pages that do not exist, or say other things than the pages they name.
// Plain JavaScript, like scripts/, because it runs in Node and the project's
// type-check has no Node types.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ROOT, startLocalWorker } from '../../scripts/lib/local-worker.mjs';

export const FLUSH_SECONDS = 1;
// Given to wrangler dev here, as a fresh clone (CI) has no .dev.vars: the dashboard's sign-in needs it.
export const ADMIN_TOKEN = 'dev-admin-token';

const escapeHtml = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

const LINK_NETWORKS = [
  ['x', 'X'],
  ['facebook', 'Facebook'],
  ['linkedin', 'LinkedIn'],
  ['whatsapp', 'WhatsApp'],
  ['telegram', 'Telegram'],
  ['reddit', 'Reddit'],
  ['bluesky', 'Bluesky'],
  ['mastodon', 'Mastodon'],
  ['threads', 'Threads'],
  ['pinterest', 'Pinterest'],
  ['email', 'Email'],
];

/** A ` data-<name>="…"` attribute of the query option `option`, when it is given. */
const dataAttribute = (query, option, name = option) =>
  query.has(option) ? ` data-${name}="${escapeHtml(query.get(option))}"` : '';

/**
 * A publisher's article page, written as README tells publishers to: the
 * share bar's plain links, the popular box, one script tag, README's
 * stylesheet for the plain links. Query options: `lang`, `title`, `og=0` (no
 * og:title), `image=1` (an og:image: off by default, as the demo page's CSP
 * refuses this http picture once the article ranks in its popular box), `site`
 * (another site id), `scheme` (a color-scheme meta tag), `theme`,
 * `track=false`, `counts=0` (no counts on the buttons), `min` (their
 * data-min-count), `popular=0` (no popular box), `section`, `limit`,
 * `exclude`, `by` and `window` (of the popular box, whose window is 24h
 * otherwise), `long=1` (the story and its share bar in an `<article>` several
 * screens long, to scroll through).
 */
function articlePage(api, host, slug, query) {
  const url = `${host}/article/${slug}`;
  const title = query.get('title') ?? `Story ${slug}`;
  const siteId = query.get('site') ?? 'demo';
  const site = escapeHtml(siteId);
  const shareQuery = new URLSearchParams({ site: siteId, url, title }).toString();
  const track = query.get('track') === 'false' ? ' data-track="false"' : '';
  const counts = query.get('counts') === '0' ? '' : ' data-counts="true"';
  const theme = dataAttribute(query, 'theme');
  const links = LINK_NETWORKS.map(
    ([network, name]) =>
      `<li><a href="${api}/api/v1/share/${network}?${escapeHtml(shareQuery)}" rel="nofollow noopener" target="_blank">${name}</a></li>`,
  ).join('');
  const limit = escapeHtml(query.get('limit') ?? '5');
  const popular =
    query.get('popular') === '0'
      ? ''
      : `<aside><h2>Most popular</h2><div data-sharepulse="popular" data-site="${site}" data-window="${escapeHtml(query.get('window') ?? '24h')}" data-limit="${limit}"${dataAttribute(query, 'by')}${dataAttribute(query, 'section')}${dataAttribute(query, 'exclude')}${theme}>The most-read stories appear here.</div></aside>`;
  const ogTitle = query.get('og') === '0' ? '' : `<meta property="og:title" content="${escapeHtml(title)}">`;
  const scheme = query.has('scheme') ? `<meta name="color-scheme" content="${escapeHtml(query.get('scheme'))}">` : '';
  return `<!doctype html>
<html lang="${escapeHtml(query.get('lang') ?? 'en')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} | The Host Gazette</title>
<link rel="canonical" href="${escapeHtml(url)}">
${ogTitle}${scheme}
${query.get('image') === '1' ? `<meta property="og:image" content="${host}/thumb.svg">` : ''}
<meta property="article:section" content="Tests">
<meta property="article:published_time" content="2026-11-20T08:00:00Z">
<link rel="stylesheet" href="/article.css">
</head>
<body>
<main>
${query.get('long') === '1' ? '<article>' : ''}
<h1>${escapeHtml(title)}</h1>
<div data-sharepulse="share" data-site="${site}"${counts}${dataAttribute(query, 'min', 'min-count')}${theme}${track}>
<ul>${links}</ul>
</div>
<p>A story on a publisher's page, served from another origin than sharepulse.</p>
${query.get('long') === '1' ? `${LONG_STORY}</article>` : ''}
</main>
${popular}
<footer>The Host Gazette, under everything that might move.</footer>
<script src="${api}/widget.js" async></script>
</body>
</html>`;
}

/** A story's text several screens long, for a reader to scroll through to its end. */
const LONG_STORY = Array.from(
  { length: 60 },
  (_, i) =>
    `<p>Paragraph ${i + 1}: the council met again on the ferry timetable, and the harbour waited for its answer.</p>`,
).join('');

// An article column, and README's rules for the plain links and the popular
// box: the room of what the widget puts there, so that the page does not move.
const ARTICLE_CSS = `main, aside { max-width: 42rem; }
[data-sharepulse="share"] > ul { display: flex; flex-wrap: wrap; gap: .4em; margin: 0; padding: .1em; list-style: none; font-size: .875rem; line-height: 1.4; }
[data-sharepulse="share"] > ul a { display: inline-flex; align-items: center; justify-content: center; box-sizing: border-box; height: 2.6em; min-width: 5.5em; padding: 0 .7em; border: 1px solid; border-radius: 999px; }
[data-sharepulse="popular"] { min-height: calc(5 * 4.375rem); }
`;

const THUMB =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 3"><rect width="4" height="3" fill="#6a8caf"/></svg>';

function startHostServer(api, port) {
  const host = `http://localhost:${port}`;
  // The CSP README tells publishers to add for sharepulse, on top of a strict one.
  const csp = [
    "default-src 'self'",
    `script-src 'self' ${api}`,
    `connect-src 'self' ${api}`,
    "img-src 'self'",
    "style-src 'self'",
    `frame-src ${api}`,
    "base-uri 'self'",
  ].join('; ');
  const server = createServer((request, response) => {
    const url = new URL(request.url, host);
    const slug = /^\/article\/([a-z0-9-]+)$/.exec(url.pathname)?.[1];
    if (slug) {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': csp });
      response.end(articlePage(api, host, slug, url.searchParams));
    } else if (url.pathname === '/article.css') {
      response.writeHead(200, { 'Content-Type': 'text/css' });
      response.end(ARTICLE_CSS);
    } else if (url.pathname === '/thumb.svg') {
      response.writeHead(200, { 'Content-Type': 'image/svg+xml' });
      response.end(THUMB);
    } else {
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end('not found');
    }
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ server, host })));
}

export default async function setup(project) {
  const persist = mkdtempSync(join(tmpdir(), 'sharepulse-e2e-'));
  let worker;
  let hostServer;
  try {
    worker = await startLocalWorker(persist, { FLUSH_SECONDS, ADMIN_TOKEN }, { demoArticleSource: 'beacon' });
    // Chromium's readers all come from 127.0.0.1, one IP scope, whose share of a site's new URLs
    // (src/articles/registry.ts newArticlesPerScope) a large budget keeps out of the tests' way.
    const budget = await fetch(`${worker.origin}/api/v1/admin/sites/demo`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ settings: { max_new_articles_per_hour: 100_000 } }),
    });
    if (budget.status !== 200) throw new Error(`raising the demo site's new-article budget: ${budget.status}`);
    hostServer = await startHostServer(worker.origin, await freePort());
  } catch (err) {
    await worker?.stop();
    rmSync(persist, { recursive: true, force: true });
    throw err;
  }
  const api = worker.origin;

  project.provide('apiOrigin', api);
  project.provide('hostOrigin', hostServer.host);
  project.provide('axePath', join(ROOT, 'node_modules/axe-core/axe.min.js'));
  project.provide('flushSeconds', FLUSH_SECONDS);
  project.provide('adminToken', ADMIN_TOKEN);

  return async () => {
    await new Promise((resolve) => hostServer.server.close(resolve));
    await worker.stop();
    rmSync(persist, { recursive: true, force: true });
  };
}
