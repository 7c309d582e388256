import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  API,
  AXE_PATH,
  evaluate,
  FLUSH_WAIT_MS,
  HOST,
  launchChromium,
  postEvents,
  sleep,
  uniqueSlug,
  until,
  watchedContext,
} from './browser';

const ADMIN_TOKEN = inject('adminToken');

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Signs in through the form, as a person would, and waits for the page it leads to. */
async function signIn(page: Page, token = ADMIN_TOKEN) {
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
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
    const { context, errors } = await watchedContext(browser);
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
    const { context } = await watchedContext(browser);
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
    const url = `${HOST}/article/${uniqueSlug('dash')}`;
    await postEvents([
      { site: 'demo', type: 'view', url, title: 'Dashboard e2e story' },
      { site: 'demo', type: 'share', network: 'bluesky', url },
    ]);
    await sleep(FLUSH_WAIT_MS);

    const { context, errors, intercepted } = await watchedContext(browser, { viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${API}/dashboard/login?next=${encodeURIComponent('/dashboard?site=demo&period=24h')}`);
    await signIn(page);
    await page.waitForURL(`${API}/dashboard?site=demo&period=24h`);
    await until(page, `document.querySelectorAll('.chart canvas').length === 2`);
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

    await page.getByRole('navigation', { name: 'Period' }).getByRole('link', { name: '30d' }).click();
    await page.waitForURL(/period=30d/);
    await until(page, `document.querySelectorAll('.chart canvas').length === 2`);
    expect(await page.getByRole('heading', { name: /Views per day/ }).count()).toBe(1);
    expect(await lineHeight(page, 'views')).toBeGreaterThan(0.6);
    expect(await page.locator('.seg a[aria-current="true"]', { hasText: '30d' }).count()).toBe(1);

    expect(errors).toEqual([]); // a CSP violation or a script error would be here
    expect(intercepted).toEqual([]); // uPlot and everything else came from the Worker
    await context.close();
  });
});

describe('dashboard accessibility', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`should have no serious or critical axe-core violation on its pages (${colorScheme})`, async () => {
      const { context } = await watchedContext(browser, { colorScheme });
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
      await until(page, `document.querySelectorAll('.chart canvas').length === 2`);
      await audit('overview');
      await page.goto(`${API}/dashboard/sites/demo`);
      await audit('site');
      expect(found).toEqual([]);
      await context.close();
    });
  }
});

describe('dashboard sites', () => {
  it('should create a site and copy its embed code', async () => {
    const { context, errors } = await watchedContext(browser);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: API });
    const page = await context.newPage();
    await page.goto(`${API}/dashboard/sites`);
    await signIn(page);
    const id = uniqueSlug('e2e').slice(0, 32);
    await page.getByLabel('Id', { exact: true }).fill(id);
    await page.getByLabel('Name', { exact: true }).fill('The E2E Gazette');
    await page.getByLabel('Hosts').fill(`${id}.example\nwww.${id}.example`);
    await page.getByRole('button', { name: 'Create site' }).click();
    await page.waitForURL(`${API}/dashboard/sites/${id}?done=created`);
    expect(await page.getByRole('status').textContent()).toContain('Site created.');

    await page.getByRole('button', { name: 'Copy embed code' }).click();
    await until(page, `document.querySelector('[data-copy]').textContent === 'Copied'`);
    expect(await evaluate<string>(page, 'navigator.clipboard.readText()')).toBe(
      [
        `<script src="${API}/widget.js" defer></script>`,
        `<div data-sharepulse="share" data-site="${id}"></div>`,
        `<div data-sharepulse="popular" data-site="${id}"></div>`,
      ].join('\n'),
    );
    expect(errors).toEqual([]);
    await context.close();
  });

  it('should download the CSV export', async () => {
    const { context } = await watchedContext(browser);
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
    expect(lines[0]).toBe('type,date,url,title,section,published,views,shares,not_counted');
    // The seeded demo articles, by day and in total.
    expect(lines.some((line) => /^day,\d{4}-\d\d-\d\d,https:\/\/127\.0\.0\.1:\d+\/demo,/.test(line))).toBe(true);
    expect(lines.some((line) => /^total,,https:\/\/127\.0\.0\.1:\d+\/demo,/.test(line))).toBe(true);
    await context.close();
  });
});
