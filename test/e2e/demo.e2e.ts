import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, evaluate, launchChromium, until, watchedContext } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** The popular box's links as a reader meets them (inside the widget's shadow root, if it took the box over). */
const popularLinks = (page: Page) => page.getByRole('complementary', { name: 'Most popular' }).getByRole('link');

describe('the demo page', () => {
  it('should run on a port other than 8787 here, as README’s --port example does', () => {
    expect(new URL(API).port).not.toBe('');
    expect(new URL(API).port).not.toBe('8787');
  });

  it('should link every story of its popular box to a page that opens on the origin serving it, with its picture', async () => {
    const { context, errors, intercepted } = await watchedContext(browser, { viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${API}/demo`);
    // Once the widget has run: the box is the server's, which the widget leaves alone.
    await until(page, `document.querySelector('[data-sharepulse="share"]').shadowRoot`);
    // The seed's five stories, less the one being read; other tests' articles of the demo site may follow them.
    await expect.poll(() => popularLinks(page).count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(4);
    const links = (
      await popularLinks(page).evaluateAll((els) =>
        els.map((el) => ({ href: el.getAttribute('href') ?? '', title: el.textContent ?? '' })),
      )
    )
      .filter(({ href }) => href.startsWith('/demo'))
      .map(({ href, title }) => ({ href: new URL(href, page.url()).href, title }));
    expect(links).toHaveLength(4);
    for (const { href } of links) expect(new URL(href).origin).toBe(API);
    // Every thumbnail is one of the demo's pictures, and it loads.
    await until(page, `[...document.querySelectorAll('.popular img')].every((img) => img.complete)`);
    const pictures = (
      await evaluate<{ src: string; loaded: boolean }[]>(
        page,
        `[...document.querySelectorAll('.popular img')].map((img) => ({ src: img.src, loaded: img.naturalWidth > 0 }))`,
      )
    ).filter(({ src }) => new URL(src).origin === API);
    expect(pictures).toHaveLength(4);
    for (const { src, loaded } of pictures) {
      expect(src).toMatch(new RegExp(`^${API}/demo/pictures/[a-z-]+\\.svg$`));
      expect(loaded, src).toBe(true);
    }

    // Followed as a reader would: each opens its article.
    for (const { href, title } of links) {
      await page.goto(`${API}/demo`);
      const response = await Promise.all([
        page.waitForNavigation(),
        popularLinks(page).filter({ hasText: title }).click(),
      ]).then(([navigation]) => navigation);
      expect(response?.status(), href).toBe(200);
      expect(page.url()).toBe(href);
      expect(await page.locator('h1').textContent()).toBe(title);
    }
    expect(errors).toEqual([]);
    expect(intercepted).toEqual([]);
    await context.close();
  }, 60_000);

  it('should not scroll sideways on a 390 px phone', async () => {
    const { context, errors } = await watchedContext(browser, { viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    for (const path of ['/demo', '/demo/heat-pumps']) {
      await page.goto(`${API}${path}`);
      await until(page, `document.querySelector('[data-sharepulse="share"]').shadowRoot`);
      const widths = await evaluate<{ scroll: number; client: number }>(
        page,
        '({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })',
      );
      expect(widths.scroll, path).toBeLessThanOrEqual(widths.client);
    }
    expect(errors).toEqual([]);
    await context.close();
  }, 30_000);
});
