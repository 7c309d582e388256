import { readFileSync } from 'node:fs';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { READER_UA } from '../../scripts/lib/local-worker.mjs';
import { LINK_NETWORKS } from '../support/networks';
import { API, AXE_PATH, chromiumForFile, evaluate, HOST, postFlushed, uniqueSlug, until } from './browser';

const ADMIN_TOKEN = inject('adminToken');

const newWatchedContext = chromiumForFile();

/** Signs in through the form, as a person would, and waits for the page it leads to. */
async function signIn(page: Page, token = ADMIN_TOKEN) {
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A page of a new watched context, signed in through the form of `next`'s sign-in link and at `next`. */
async function signedInAt(next: string, options: BrowserContextOptions) {
  const watched = await newWatchedContext(options);
  const page = await watched.context.newPage();
  await page.goto(`${API}/dashboard/login?next=${encodeURIComponent(next)}`);
  await signIn(page);
  await page.waitForURL(`${API}${next}`);
  return { ...watched, page };
}

/**
 * A new article of the demo site with a view and a Bluesky share, counted
 * through beacons and flushed to D1; answers its page's address.
 */
async function countedStory(slugPrefix: string, title: string): Promise<string> {
  const url = `${HOST}/article/${uniqueSlug(slugPrefix)}`;
  await postFlushed([
    { site: 'demo', type: 'view', url, title },
    { site: 'demo', type: 'share', network: 'bluesky', url },
  ]);
  return url;
}

/**
 * A new site (through the admin API) whose only beacon came from a host it
 * does not list, and was refused; answers its id.
 */
async function siteWithWrongHostBeacon(): Promise<string> {
  const id = uniqueSlug('check').slice(0, 32);
  const created = await fetch(`${API}/api/v1/admin/sites`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ id, name: 'The Install Check Courier', hosts: [`${id}.example`] }),
  });
  expect(created.status).toBe(201);
  const refused = await fetch(`${API}/api/v1/events`, {
    method: 'POST',
    headers: {
      'Content-Type': 'text/plain;charset=UTF-8',
      Origin: `https://www.${id}.example`,
      'User-Agent': READER_UA,
    },
    body: JSON.stringify({ site: id, type: 'view', url: `https://${id}.example/story` }),
  });
  expect(refused.status).toBe(403);
  return id;
}

/**
 * How high a chart's line reaches, as a fraction of its canvas: the highest
 * pixel in the series' own colour (from the stylesheet). A series of zeros
 * is a line along the bottom axis; counts make it rise to the top, as the
 * y scale ends just above the largest value. 0 for a blank canvas.
 */
const lineHeight = (page: Page, metric: 'views' | 'shares') =>
  evaluate<number>(
    page,
    `(() => {
      const canvas = document.querySelector('[data-chart="${metric}"] canvas');
      if (!canvas || canvas.width === 0) return 0;
      const hex = getComputedStyle(document.documentElement).getPropertyValue('--${metric}').trim();
      const colour = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i + 3] === 255 && colour.every((c, k) => Math.abs(pixels[i + k] - c) < 24)) {
          return 1 - Math.floor(i / 4 / canvas.width) / canvas.height;
        }
      }
      return 0;
    })()`,
  );

describe('dashboard sign-in', () => {
  it('should be unreachable without signing in, and refuse a wrong token with a clear message', async () => {
    const { context, errors } = await newWatchedContext();
    const page = await context.newPage();
    await page.goto(`${API}/dashboard?site=demo&period=30d`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/dashboard?site=demo&period=30d');
    // The live endpoint answers scripts with a 401, not a page.
    expect(await evaluate<number>(page, `fetch('/dashboard/api/live?site=demo').then((r) => r.status)`)).toBe(401);

    await signIn(page, 'not-the-admin-token');
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('That is not the admin token.');
    expect(new URL(page.url()).pathname).toBe('/dashboard/login');
    expect(await context.cookies()).toEqual([]);
    expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
    await context.close();
  });

  it('should sign in to the page asked for, with an HttpOnly SameSite=Strict cookie, and sign out', async () => {
    const { context } = await newWatchedContext();
    const page = await context.newPage();
    await page.goto(`${API}/dashboard/sites`);
    await signIn(page);
    await page.waitForURL(`${API}/dashboard/sites`);
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'sharepulse_admin', path: '/dashboard', httpOnly: true, sameSite: 'Strict' });
    expect(cookie!.value).not.toContain(ADMIN_TOKEN);
    expect(await evaluate<string>(page, 'document.cookie')).toBe('');

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(`${API}/dashboard/login`);
    expect(await context.cookies()).toEqual([]);
    await page.goto(`${API}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/login');
    await context.close();
  });
});

describe('dashboard overview', () => {
  it('should draw the charts for counted events, under the CSP, and change the period', async () => {
    // Counts through the real path: beacons, a shard, its flush into the per-site hours.
    await countedStory('dash', 'Dashboard e2e story');

    const { context, errors, intercepted, page } = await signedInAt('/dashboard?site=demo&period=24h', {
      viewport: { width: 1280, height: 900 },
    });
    await until(page, `document.querySelectorAll('.chart canvas').length === 3`);
    expect(await lineHeight(page, 'views')).toBeGreaterThan(0.6);
    expect(await lineHeight(page, 'shares')).toBeGreaterThan(0.6);
    const series = await evaluate<{ step: string; views: number[]; shares: number[] }>(
      page,
      `JSON.parse(document.getElementById('series').textContent)`,
    );
    expect(series.step).toBe('hour');
    expect(series.views).toHaveLength(24);
    expect(series.views.at(-1)).toBeGreaterThanOrEqual(1);
    expect(series.shares.at(-1)).toBeGreaterThanOrEqual(1);
    expect(await page.getByRole('heading', { name: /Shares by network/ }).count()).toBe(1);
    expect(await page.locator('.bars li', { hasText: 'Bluesky' }).count()).toBe(1);
    expect(await page.locator('[data-live="views"]').textContent()).toMatch(/^[1-9][\d,]*$/);
    // Without a cursor the legend shows the current hour, so far, rather than "–"; its own dashed series has no row.
    const legend = page.locator('[data-chart="views"] .u-legend');
    expect(await legend.locator('.u-series').count()).toBe(3);
    expect(await legend.locator('.u-series:not(.current)').allTextContents()).toEqual([
      expect.stringMatching(/^UTC\d{4}-\d\d-\d\d \d\d:00 so far$/),
      expect.stringMatching(/^Views[1-9][\d,]* so far$/),
    ]);
    expect(await legend.locator('.u-series.current').isVisible()).toBe(false);

    await page.getByRole('navigation', { name: 'Period' }).getByRole('link', { name: '30d' }).click();
    await page.waitForURL(/period=30d/);
    await until(page, `document.querySelectorAll('.chart canvas').length === 3`);
    expect(await page.getByRole('heading', { name: /Views per day/ }).count()).toBe(1);
    expect(await lineHeight(page, 'views')).toBeGreaterThan(0.6);
    expect(await page.locator('.seg a[aria-current="true"]', { hasText: '30d' }).count()).toBe(1);

    expect(errors).toEqual([]); // a CSP violation or a script error would be here
    expect(intercepted).toEqual([]); // uPlot and everything else came from the Worker
    await context.close();
  });

  it("should lead from a title to the article's page, with its charts, rank, networks and status, and link out to the story's page", async () => {
    // One view: among the hour's one-view stories of every test, its key sorts first (ties go by URL),
    // so that it stays in the top list whatever the other files counted this hour.
    const story = await countedStory('a-page', 'Article page e2e story');

    const { context, errors, page } = await signedInAt('/dashboard?site=demo&window=1h', {
      viewport: { width: 390, height: 844 },
    });
    const row = page.locator('tr', { has: page.getByRole('link', { name: 'Article page e2e story', exact: true }) });
    // Out to the page as its beacon gave it (http, the page server's port), not to the https key.
    expect(await row.locator('a[target="_blank"]').getAttribute('href')).toBe(story);
    await page.locator('td.title').getByRole('link', { name: 'Article page e2e story', exact: true }).click();
    await page.waitForURL(/\/dashboard\/sites\/demo\/articles\?url=/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Article page e2e story');
    await until(page, `document.querySelectorAll('.chart canvas').length === 3`);
    expect(await lineHeight(page, 'views')).toBeGreaterThan(0.6);
    expect(await page.locator('tr[data-window="1h"] td.num').first().textContent()).toMatch(/^[1-9]\d*$/);
    expect(await page.getByRole('rowheader', { name: 'Bluesky' }).count()).toBe(1);
    expect(await page.locator('dd[data-status]').textContent()).toBe('Verified');
    // Nothing wider than the phone's screen.
    expect(await evaluate<boolean>(page, 'document.documentElement.scrollWidth <= innerWidth')).toBe(true);
    const outbound = await page.getByRole('link', { name: story, exact: true }).getAttribute('href');
    expect(outbound).toBe(story);
    expect((await page.goto(outbound!))?.status()).toBe(200);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('dashboard accessibility', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`should have no serious or critical axe-core violation on its pages (${colorScheme})`, async () => {
      const { context } = await newWatchedContext({ colorScheme });
      const page = await context.newPage();
      await page.goto(`${API}/dashboard/login`);
      const found: { page: string; id: string; impact: string; nodes: string[] }[] = [];
      const audit = async (name: string) => {
        // Evaluated, not added as a script tag, which the CSP rightly refuses.
        await page.evaluate(readFileSync(AXE_PATH, 'utf8'));
        const violations = await evaluate<{ id: string; impact: string; nodes: string[] }[]>(
          page,
          `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
            id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) })))`,
        );
        found.push(
          ...violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => ({ page: name, ...v })),
        );
      };
      await audit('sign-in');
      await signIn(page);
      await page.waitForURL(`${API}/dashboard`);
      await until(page, `document.querySelectorAll('.chart canvas').length === 3`);
      await audit('overview');
      await page.goto(`${API}/dashboard/sites/demo`);
      await audit('site');
      // A site page whose install check names a host to add: its first beacon is written just after its answer.
      const checked = await siteWithWrongHostBeacon();
      const wrongHost = page.getByText(`Beacons come from www.${checked}.example, which is not a host of this site`);
      await expect
        .poll(async () => {
          await page.goto(`${API}/dashboard/sites/${checked}`);
          return wrongHost.count();
        })
        .toBe(1);
      await audit('site with a wrong host');
      const demoArticle = await evaluate<string>(
        page,
        `fetch('/api/v1/sites/demo/popular?window=all').then((r) => r.json()).then((list) => list.items[0].url)`,
      );
      await page.goto(`${API}/dashboard/sites/demo/articles?${new URLSearchParams({ url: demoArticle })}`);
      await until(page, `document.querySelectorAll('.chart canvas').length === 3`);
      await audit('article');
      expect(found).toEqual([]);
      await context.close();
    });
  }
});

describe('dashboard sites', () => {
  it('should create a site and copy its embed code', async () => {
    const { context, errors } = await newWatchedContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: API });
    const page = await context.newPage();
    await page.goto(`${API}/dashboard/sites`);
    await signIn(page);
    const id = uniqueSlug('e2e').slice(0, 32);
    await page.getByLabel('Id', { exact: true }).fill(id);
    await page.getByLabel('Name', { exact: true }).fill('The E2E Gazette');
    await page.getByLabel('Hosts', { exact: true }).fill(`${id}.example\nwww.${id}.example`);
    await page.getByRole('button', { name: 'Create site' }).click();
    await page.waitForURL(`${API}/dashboard/sites/${id}?done=created`);
    expect(await page.getByRole('status').textContent()).toContain('Site created.');

    await page.getByRole('button', { name: 'Copy embed code' }).click();
    await until(page, `document.querySelector('[data-copy]').textContent === 'Copied'`);
    // README's snippet: a plain link per network for readers without JavaScript, counts on, the script async.
    const copied = await evaluate<string>(page, 'navigator.clipboard.readText()');
    const lines = copied.split('\n');
    expect(lines[0]).toBe(`<div data-sharepulse="share" data-site="${id}" data-counts="true">`);
    expect(
      lines.filter((line) => line.startsWith('    <li><a href=')).map((line) => /share\/([a-z]+)\?/.exec(line)?.[1]),
    ).toEqual(LINK_NETWORKS);
    expect(lines).toContain(
      `    <li><a href="${API}/api/v1/share/x?site=${id}&url=ARTICLE_URL&title=TITLE" rel="nofollow noopener" target="_blank">X</a></li>`,
    );
    expect(lines.at(-2)).toBe(
      `<div data-sharepulse="popular" data-site="${id}" data-window="24h" data-limit="5">Most-read stories</div>`,
    );
    expect(lines.at(-1)).toBe(`<script src="${API}/widget.js" async></script>`);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('should download the CSV export', async () => {
    const { context } = await newWatchedContext();
    const page = await context.newPage();
    await page.goto(`${API}/dashboard/sites/demo`);
    await signIn(page);
    await page.waitForURL(`${API}/dashboard/sites/demo`);
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^sharepulse-demo-\d{4}-\d\d-\d\d\.csv$/);
    const csv = readFileSync((await file.path())!, 'utf8');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('type,date,url,title,section,published,views,shares,not_counted,reads');
    // The seeded demo articles, by day and in total.
    expect(lines.some((line) => /^day,\d{4}-\d\d-\d\d,https:\/\/localhost:8787\/demo,/.test(line))).toBe(true);
    expect(lines.some((line) => /^total,,https:\/\/localhost:8787\/demo,/.test(line))).toBe(true);
    await context.close();
  });
});
