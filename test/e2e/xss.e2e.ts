import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API,
  evaluate,
  FLUSH_WAIT_MS,
  HOST,
  launchChromium,
  postEvents,
  shadowOf,
  sleep,
  uniqueSlug,
  until,
  watchedContext,
} from './browser';

/** Titles an attacker might plant through a beacon; each tries to run `window.pwned = …`. */
const PAYLOADS = [
  '<script>window.pwned=1</script>',
  '<img src=x onerror="window.pwned=2">',
  '<svg onload="window.pwned=3"></svg>',
  '"><iframe srcdoc="<script>parent.pwned=4</script>"></iframe>',
  '\'><a href="javascript:window.pwned=5">click</a>',
  '<style>@import "http://evil.example/x.css";</style>',
  '</title><script>window.pwned=6</script>',
  '<math><mtext><table><mglyph><style><img src=x onerror="window.pwned=7">',
  '{{constructor.constructor("window.pwned=8")()}}',
  '&lt;script&gt;window.pwned=9&lt;/script&gt; &amp;',
];

let browser: Browser;
const section = uniqueSlug('xss-corpus');

beforeAll(async () => {
  browser = await launchChromium();
  await postEvents(
    PAYLOADS.map((title, i) => ({
      site: 'demo',
      type: 'view',
      url: `${HOST}/article/${section}-${i}`,
      title,
      section,
    })),
  );
  await sleep(FLUSH_WAIT_MS);
});

afterAll(async () => {
  await browser?.close();
});

/** Every payload shows as its own literal text, nothing it carries ran, and it made no element. */
async function expectInert(page: Page, root: string) {
  const text = await evaluate<string>(page, `${root}.textContent`);
  for (const payload of PAYLOADS) expect(text).toContain(payload);
  expect(await evaluate<unknown>(page, 'window.pwned')).toBeUndefined();
  expect(
    await evaluate<number>(
      page,
      `${root}.querySelectorAll('script, iframe, svg[onload], math, [onerror], [onload], a[href^="javascript:"]').length`,
    ),
  ).toBe(0);
}

describe('stored XSS payloads as titles', () => {
  it('should stay text in the widget\u2019s popular list', async () => {
    const { context } = await watchedContext(browser);
    const page = await context.newPage();
    let dialogs = 0;
    page.on('dialog', (dialog) => {
      dialogs++;
      void dialog.dismiss();
    });
    await page.goto(`${HOST}/article/${uniqueSlug('reader')}?section=${section}&limit=20`);
    await until(page, `${shadowOf('popular')}?.querySelectorAll('ol:not([aria-busy]) a').length >= ${PAYLOADS.length}`);
    await expectInert(page, shadowOf('popular'));
    expect(dialogs).toBe(0);
    await context.close();
  });

  it('should stay text in the popular embed', async () => {
    const { context } = await watchedContext(browser);
    const page = await context.newPage();
    await page.goto(`${API}/embed/popular?site=demo&window=24h&section=${section}&limit=50`);
    await expectInert(page, 'document.body');
    await context.close();
  });
});
