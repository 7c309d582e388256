import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../scripts/lib/local-worker.mjs';
import { API, launchChromium, uniqueSlug } from './browser';

const ADMIN = { Authorization: `Bearer ${inject('adminToken')}` };
/**
 * The publisher's host: a loopback address of its own, as one host belongs to
 * one site and the demo site has localhost and 127.0.0.1 (CHROMIUM_ARGS let
 * Chromium resolve it).
 */
const PUBLISHER_HOST = '127.0.0.2';
/** Another reader than Chromium's, so that the forged beacon counts as a view of its own. */
const FORGER_UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';
const POLL = { timeout: 20_000, interval: 250 };

const STORY = {
  title: 'Tram line 4 reopens after the bridge repairs',
  section: 'City',
  published: '2026-11-27T06:15:00.000Z',
};
const PICTURE =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 3" width="120" height="90"><rect width="4" height="3" fill="#c9a227"/></svg>';

/** A publisher's article page as README tells publishers to write it: Open Graph tags, a canonical link, the widget. */
const articlePage = (origin: string, site: string, slug: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${STORY.title} | The Loopback Courier</title>
<link rel="canonical" href="${origin}/news/${slug}">
<meta property="og:title" content="${STORY.title}">
<meta property="og:image" content="${origin}/pictures/${slug}.svg">
<meta property="article:section" content="${STORY.section}">
<meta property="article:published_time" content="${STORY.published}">
</head>
<body>
<h1>${STORY.title}</h1>
<div data-sharepulse="share" data-site="${site}"></div>
<p>The trams run again from Monday.</p>
<script src="${API}/widget.js" async></script>
</body>
</html>`;

interface Publisher {
  server: Server;
  origin: string;
  /** The User-Agents of the requests for article pages, in order. */
  pageFetchers: string[];
}

async function startPublisher(site: string): Promise<Publisher> {
  const port = await freePort();
  const origin = `http://${PUBLISHER_HOST}:${port}`;
  const pageFetchers: string[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const { pathname } = new URL(request.url ?? '/', origin);
    const article = /^\/news\/([a-z0-9-]+)$/.exec(pathname)?.[1];
    const picture = /^\/pictures\/[a-z0-9-]+\.svg$/.test(pathname);
    if (article) {
      pageFetchers.push(request.headers['user-agent'] ?? '');
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(articlePage(origin, site, article));
    } else if (picture) {
      response.writeHead(200, { 'Content-Type': 'image/svg+xml' });
      response.end(PICTURE);
    } else {
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(port, PUBLISHER_HOST, resolve));
  return { server, origin, pageFetchers };
}

async function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${API}/api/v1/admin${path}`, {
    method,
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** The article's all-time views in D1 (the export reads D1, not the minute-long caches of popular and counts). */
async function storedViews(site: string, url: string): Promise<number> {
  const response = await admin('GET', `/sites/${site}/export?format=json`);
  const { totals } = (await response.json()) as { totals: { url: string; views: number }[] };
  return totals.find((total) => total.url === url)?.views ?? 0;
}

interface PopularItem {
  url: string;
  title: string | null;
  image: string | null;
  section: string | null;
  published: string | null;
  views: number;
}

/** A context whose pages may reach only the Worker and the publisher: anything else is refused and recorded. */
async function publisherContext(
  browser: Browser,
  publisher: string,
): Promise<{ context: BrowserContext; refused: string[] }> {
  const context = await browser.newContext();
  context.setDefaultTimeout(15_000);
  const refused: string[] = [];
  await context.route(
    (url) => url.origin !== API && url.origin !== publisher,
    (route) => {
      refused.push(route.request().url());
      return route.abort();
    },
  );
  return { context, refused };
}

/** The popular embed's items as a reader's browser shows them: each title and its picture, loaded or not. */
async function embedShows(page: Page, query: string) {
  await page.goto(`${API}/embed/popular?${query}`);
  await expect.poll(() => page.evaluate('[...document.images].every((img) => img.complete)'), POLL).toBe(true);
  return page.evaluate(`[...document.querySelectorAll('li')].map((li) => ({
    title: li.querySelector('a')?.textContent ?? null,
    href: li.querySelector('a')?.getAttribute('href') ?? null,
    image: li.querySelector('img')?.getAttribute('src') ?? null,
    loaded: (li.querySelector('img')?.naturalWidth ?? 0) > 0,
  }))`);
}

describe('an article in page mode', () => {
  const site = uniqueSlug('courier');
  const slug = uniqueSlug('tram');
  let browser: Browser;
  let publisher: Publisher;

  beforeAll(async () => {
    publisher = await startPublisher(site);
    const created = await admin('POST', '/sites', {
      id: site,
      name: 'The Loopback Courier',
      hosts: [PUBLISHER_HOST],
      settings: { article_source: 'page' },
    });
    if (created.status !== 201) throw new Error(`creating ${site}: ${created.status} ${await created.text()}`);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await admin('DELETE', `/sites/${site}`);
    publisher.server.closeAllConnections();
    await new Promise((resolve) => publisher.server.close(resolve));
  });

  it("should show the page's own title and picture in the popular embed after its view, whatever a forged beacon says", async () => {
    const pageUrl = `${publisher.origin}/news/${slug}`;
    const key = pageUrl.replace('http:', 'https:');
    const picture = `${publisher.origin}/pictures/${slug}.svg`;
    const { context, refused } = await publisherContext(browser, publisher.origin);
    const reader = await context.newPage();
    const view = reader.waitForResponse(
      (r) => r.url() === `${API}/api/v1/events` && (r.request().postData() ?? '').includes('"type":"view"'),
    );
    await reader.goto(pageUrl);
    expect((await view).status()).toBe(202);

    // The registry fetched the page with its own User-Agent, and the held view counted once the page passed.
    await expect.poll(() => storedViews(site, key), POLL).toBe(1);
    expect(publisher.pageFetchers.filter((ua) => ua.includes('sharepulse-checker'))).toHaveLength(1);

    const embed = await context.newPage();
    // Linked as the page gives itself (http, the publisher's port), not by its https key; from the list's first place.
    const shown = (window: string) => [
      { title: STORY.title, href: `${pageUrl}?sp_from=views-${window}.1`, image: picture, loaded: true },
    ];
    expect(await embedShows(embed, `site=${site}&window=24h`)).toEqual(shown('24h'));

    // Anyone can send a beacon with the publisher's Origin and a browser's User-Agent.
    const forged = await fetch(`${API}/api/v1/events`, {
      method: 'POST',
      headers: {
        'Content-Type': 'text/plain;charset=UTF-8',
        Origin: publisher.origin,
        'User-Agent': FORGER_UA,
        'CF-Connecting-IP': '198.18.7.7',
      },
      body: JSON.stringify({
        site,
        type: 'view',
        url: pageUrl,
        title: 'Mayor arrested for fraud - crypto giveaway at evil.example',
        image: 'https://evil.example/x.jpg',
        section: 'Crime',
        published: '2020-01-01T00:00:00Z',
      }),
    });
    expect(forged.status).toBe(202);
    // It counts as a view, and that is all it does.
    await expect.poll(() => storedViews(site, key), POLL).toBe(2);

    // Lists of other windows, not cached before: computed from D1 after the forged beacon.
    const json = await fetch(`${API}/api/v1/sites/${site}/popular?window=1h`);
    const { items } = (await json.json()) as { items: PopularItem[] };
    expect(items).toEqual([
      expect.objectContaining({
        url: key,
        title: STORY.title,
        image: picture,
        section: STORY.section,
        published: STORY.published,
        views: 2,
      }),
    ]);
    expect(await embedShows(embed, `site=${site}&window=7d`)).toEqual(shown('7d'));
    expect(refused).toEqual([]);
    await context.close();
  });
});
