import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  chromiumForFile,
  evaluate,
  FLUSH_WAIT_MS,
  HOST,
  postEvents,
  readCounts,
  type SentEvent,
  sentEvents,
  shadowOf,
  sleep,
  uniqueSlug,
  until,
} from './browser';

const newWatchedContext = chromiumForFile();

/** The types of the events sent so far, in order. */
const typesOf = (sent: SentEvent[]) => sent.map((event) => event.type);

/** Long enough for a beacon the page sent to have been seen here. */
const BEACON_WAIT_MS = 1_000;

/** A reader at work for `seconds` of the page's clock: a little scroll (never to the end) every 2 s. */
async function readFor(page: Page, seconds: number): Promise<void> {
  for (let elapsed = 0; elapsed < seconds; elapsed += 2) {
    await page.mouse.wheel(0, 60);
    await page.clock.runFor(2_000);
  }
}

/** Scrolls by wheel until the end of the page is in view. */
async function scrollToEnd(page: Page): Promise<void> {
  await page.mouse.wheel(0, 100_000);
  await until(page, 'document.documentElement.getBoundingClientRect().bottom <= innerHeight + 1');
}

describe('the read beacon', () => {
  it('should send one read once the reader has been at the article 15 s, and none after', async () => {
    const { context } = await newWatchedContext();
    const sent = sentEvents(context);
    const page = await context.newPage();
    // The page's clock, so that 15 s are not waited for.
    await page.clock.install();
    const url = `${HOST}/article/${uniqueSlug('stay')}`;
    await page.goto(`${url}?long=1&counts=0&popular=0`);
    await page.mouse.move(400, 300);
    await expect.poll(() => typesOf(sent)).toEqual(['view']);

    await readFor(page, 10);
    await sleep(BEACON_WAIT_MS);
    expect(typesOf(sent)).toEqual(['view']);
    await readFor(page, 8);
    await expect.poll(() => typesOf(sent)).toEqual(['view', 'read']);
    expect(sent[1]).toEqual({ site: 'demo', type: 'read', url });
    // The article was not read to its end: the time did it.
    expect(
      await evaluate<boolean>(page, "document.querySelector('article').getBoundingClientRect().bottom > innerHeight"),
    ).toBe(true);

    // Reading on, to the end and for a minute more, sends no second read.
    await scrollToEnd(page);
    await readFor(page, 60);
    await sleep(BEACON_WAIT_MS);
    expect(typesOf(sent)).toEqual(['view', 'read']);

    await sleep(FLUSH_WAIT_MS);
    expect(await readCounts(url)).toMatchObject({ views: 1, reads: 1 });
    await context.close();
  });

  it("should send a read when a scroll brings the end of the <article> into view, before the page's end", async () => {
    const { context } = await newWatchedContext();
    const sent = sentEvents(context);
    const page = await context.newPage();
    const url = `${HOST}/article/${uniqueSlug('end')}`;
    // The popular box and the footer come after the article.
    await page.goto(`${url}?long=1&counts=0`);
    await page.mouse.move(400, 300);
    await expect.poll(() => typesOf(sent)).toEqual(['view']);
    const toArticleEnd = await evaluate<number>(
      page,
      "document.querySelector('article').getBoundingClientRect().bottom - innerHeight + 20",
    );
    await page.mouse.wheel(0, toArticleEnd);
    // A read goes 3 s after its view at the earliest.
    await expect.poll(() => typesOf(sent), { timeout: 5_000 }).toEqual(['view', 'read']);
    expect(sent[1]).toEqual({ site: 'demo', type: 'read', url });
    expect(await evaluate<boolean>(page, 'document.documentElement.getBoundingClientRect().bottom > innerHeight')).toBe(
      true,
    );
    await context.close();
  });

  it('should send none for a reader who leaves at once, though the whole short page is in view', async () => {
    const { context } = await newWatchedContext();
    const sent = sentEvents(context);
    const page = await context.newPage();
    await page.goto(`${HOST}/article/${uniqueSlug('leave')}?counts=0&popular=0`);
    await expect.poll(() => typesOf(sent)).toEqual(['view']);
    expect(
      await evaluate<boolean>(page, 'document.documentElement.getBoundingClientRect().bottom <= innerHeight'),
    ).toBe(true);
    await page.goto(`${HOST}/article/${uniqueSlug('next')}?counts=0&popular=0&track=false`);
    await sleep(BEACON_WAIT_MS);
    expect(typesOf(sent)).toEqual(['view']);
    await context.close();
  });

  it('should send none when the page scrolls itself to the end, with no input of the reader', async () => {
    const { context } = await newWatchedContext();
    const sent = sentEvents(context);
    const page = await context.newPage();
    await page.goto(`${HOST}/article/${uniqueSlug('self-scroll')}?long=1&counts=0&popular=0`);
    await expect.poll(() => typesOf(sent)).toEqual(['view']);
    // A page's own scrollTo (a "back to where you were", a jump to a fragment) is no reading.
    await evaluate(page, 'window.scrollTo(0, document.documentElement.scrollHeight)');
    await until(page, 'document.documentElement.getBoundingClientRect().bottom <= innerHeight + 1');
    await sleep(4_000);
    expect(typesOf(sent)).toEqual(['view']);
    await context.close();
  });

  it('should send its view through fetch where the browser has no sendBeacon', async () => {
    const { context } = await newWatchedContext();
    const sent = sentEvents(context);
    const page = await context.newPage();
    await page.addInitScript('delete Navigator.prototype.sendBeacon');
    const url = `${HOST}/article/${uniqueSlug('no-beacon')}`;
    await page.goto(`${url}?counts=0&popular=0`);
    expect(await evaluate<boolean>(page, "'sendBeacon' in navigator")).toBe(false);
    await expect.poll(() => typesOf(sent)).toEqual(['view']);
    await sleep(FLUSH_WAIT_MS);
    expect(await readCounts(url)).toMatchObject({ views: 1 });
    await context.close();
  });

  it('should send none for a reader who stays a minute without touching the page', async () => {
    const { context } = await newWatchedContext();
    const sent = sentEvents(context);
    const page = await context.newPage();
    await page.clock.install();
    await page.goto(`${HOST}/article/${uniqueSlug('idle')}?long=1&counts=0&popular=0`);
    await expect.poll(() => typesOf(sent)).toEqual(['view']);
    await page.clock.runFor(60_000);
    await sleep(BEACON_WAIT_MS);
    expect(typesOf(sent)).toEqual(['view']);
    await context.close();
  });

  it('should count no time of a background tab, nor a scroll to its end', async () => {
    const { context } = await newWatchedContext();
    const sent = sentEvents(context);
    const page = await context.newPage();
    await page.clock.install();
    // A tab in the background, as the page's script sees one, until showPage() brings it forward.
    await page.addInitScript(`{
      let hidden = true;
      Object.defineProperty(document, 'hidden', { get: () => hidden });
      Object.defineProperty(document, 'visibilityState', { get: () => (hidden ? 'hidden' : 'visible') });
      window.showPage = () => {
        hidden = false;
        document.dispatchEvent(new Event('visibilitychange'));
      };
    }`);
    await page.goto(`${HOST}/article/${uniqueSlug('hidden')}?long=1&counts=0&popular=0`);
    await page.mouse.move(400, 300);
    await expect.poll(() => typesOf(sent)).toEqual(['view']);
    await readFor(page, 30);
    await scrollToEnd(page);
    await page.clock.runFor(5_000);
    await sleep(BEACON_WAIT_MS);
    expect(typesOf(sent)).toEqual(['view']);

    // Brought forward, the reader's 15 s start from nothing.
    await evaluate(page, 'showPage()');
    const moveFor = async (seconds: number) => {
      for (let elapsed = 0; elapsed < seconds; elapsed += 2) {
        await page.mouse.move(400 + elapsed, 300);
        await page.clock.runFor(2_000);
      }
    };
    await moveFor(10);
    await sleep(BEACON_WAIT_MS);
    expect(typesOf(sent)).toEqual(['view']);
    await moveFor(8);
    await expect.poll(() => typesOf(sent)).toEqual(['view', 'read']);
    await context.close();
  });

  it('should send no second read when the reader reloads the page', async () => {
    const { context } = await newWatchedContext();
    const sent = sentEvents(context);
    const page = await context.newPage();
    const url = `${HOST}/article/${uniqueSlug('reload')}`;
    await page.goto(`${url}?long=1&counts=0&popular=0`);
    await page.mouse.move(400, 300);
    await expect.poll(() => typesOf(sent)).toEqual(['view']);
    await scrollToEnd(page);
    await expect.poll(() => typesOf(sent), { timeout: 5_000 }).toEqual(['view', 'read']);

    await page.reload();
    await expect.poll(() => typesOf(sent)).toEqual(['view', 'read', 'view']);
    expect(await evaluate<string>(page, "performance.getEntriesByType('navigation')[0].type")).toBe('reload');
    await page.mouse.move(400, 300);
    await page.mouse.wheel(0, -100_000);
    await scrollToEnd(page);
    await sleep(BEACON_WAIT_MS);
    expect(typesOf(sent)).toEqual(['view', 'read', 'view']);

    await sleep(FLUSH_WAIT_MS);
    expect(await readCounts(url)).toMatchObject({ views: 1, reads: 1 });
    await context.close();
  });
});

describe('a popular box by reads', () => {
  it("should rank the section's stories by their reads and say them", async () => {
    const section = uniqueSlug('byreads');
    const [once, twice] = ['once', 'twice'].map((name) => `${HOST}/article/${section}-${name}`);
    // Two readers view both; both read one, one reads the other (a read counts after its reader's view).
    for (const [ip, read] of [
      ['198.18.3.1', [once, twice]],
      ['198.18.3.2', [twice]],
    ] as const) {
      await postEvents(
        [
          ...[once, twice].map((url) => ({ site: 'demo', type: 'view', url, section })),
          ...read.map((url) => ({ site: 'demo', type: 'read', url })),
        ],
        { ip },
      );
    }
    await sleep(FLUSH_WAIT_MS);
    const { context } = await newWatchedContext();
    const page = await context.newPage();
    await page.goto(`${HOST}/article/${uniqueSlug('reader')}?track=false&counts=0&by=reads&section=${section}`);
    await until(page, `${shadowOf('popular')}?.querySelector('ol:not([aria-busy]) a')`);
    const rows = await evaluate<[string, string][]>(
      page,
      `[...${shadowOf('popular')}.querySelectorAll('li')].map((li) => [li.querySelector('a').href, li.querySelector('.m').textContent])`,
    );
    expect(rows).toEqual([
      [`${twice}?sp_from=reads-24h.1`, '2 reads'],
      [`${once}?sp_from=reads-24h.2`, '1 read'],
    ]);
    await context.close();
  });
});
