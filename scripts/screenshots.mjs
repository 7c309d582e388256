// README's screenshots, taken again: `npm run screenshots` (which builds the
// browser code first). Starts `wrangler dev` on a free loopback port with
// a fresh store, migrated and seeded like `npm run dev`, and photographs the
// demo and the dashboard in Debian's Chromium (/usr/bin/chromium, or
// CHROMIUM=path) at 1280 and 390 px wide, writing docs/*.png.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, ROOT, startLocalWorker } from './lib/local-worker.mjs';

const ADMIN_TOKEN = 'dev-admin-token';
const DESKTOP = { viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 };
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/**
 * Waits until `expression` is truthy in the page, polled from here: the page's
 * CSP forbids the eval() page.waitForFunction would use.
 */
async function until(page, expression) {
  const deadline = Date.now() + 15_000;
  while (!(await page.evaluate(`!!(${expression})`))) {
    if (Date.now() > deadline) throw new Error(`${page.url()}: still not ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The demo's front page once the widget has upgraded its share bar and shown its counts. */
async function shootDemo(browser, origin, options, file) {
  const page = await browser.newPage(options);
  await page.goto(`${origin}/demo`);
  await until(page, `document.querySelector('[data-sharepulse="share"]')?.shadowRoot?.querySelector('.btn')`);
  // The counts arrive after the buttons; the thumbnails are lazy.
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: join(ROOT, 'docs', file), fullPage: options === PHONE });
  await page.close();
}

/** The demo site's overview, signed in, once its charts are drawn. */
async function shootDashboard(context, origin, file, { fullPage }) {
  const page = await context.newPage();
  await page.goto(`${origin}/dashboard?site=demo&period=24h`);
  await page.waitForSelector('[data-chart] canvas', { timeout: 15_000 });
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: join(ROOT, 'docs', file), fullPage });
  await page.close();
}

async function signedIn(browser, origin, options) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.goto(`${origin}/dashboard/login`);
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await Promise.all([page.waitForURL(/\/dashboard(\?|$)/), page.getByRole('button', { name: 'Sign in' }).click()]);
  await page.close();
  return context;
}

const persist = mkdtempSync(join(tmpdir(), 'sharepulse-screenshots-'));
const worker = await startLocalWorker(persist, { ADMIN_TOKEN });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: CHROMIUM_ARGS,
  timeout: 30_000,
});
try {
  await shootDemo(browser, worker.origin, DESKTOP, 'demo.png');
  await shootDemo(browser, worker.origin, PHONE, 'demo-mobile.png');
  const desktop = await signedIn(browser, worker.origin, DESKTOP);
  await shootDashboard(desktop, worker.origin, 'dashboard.png', { fullPage: true });
  await desktop.close();
  const dark = await signedIn(browser, worker.origin, { ...DESKTOP, colorScheme: 'dark' });
  await shootDashboard(dark, worker.origin, 'dashboard-dark.png', { fullPage: true });
  await dark.close();
  const phone = await signedIn(browser, worker.origin, PHONE);
  await shootDashboard(phone, worker.origin, 'dashboard-mobile.png', { fullPage: true });
  await phone.close();
  console.log('Wrote docs/demo.png, demo-mobile.png, dashboard.png, dashboard-dark.png, dashboard-mobile.png');
} finally {
  await browser.close();
  await worker.stop();
  rmSync(persist, { recursive: true, force: true });
}
