import { readFileSync } from 'node:fs';
import type { Page, Response } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { LINK_NETWORKS } from '../support/networks';
import {
  API,
  AXE_PATH,
  chromiumForFile,
  evaluate,
  FLUSH_WAIT_MS,
  HOST,
  postFlushed,
  readCounts,
  shadowOf,
  sleep,
  uniqueSlug,
  until,
  type Watched,
} from './browser';

const LINK_LABELS = [
  'Share on X',
  'Share on Facebook',
  'Share on LinkedIn',
  'Share on WhatsApp',
  'Share on Telegram',
  'Share on Reddit',
  'Share on Bluesky',
  'Share on Mastodon',
  'Share on Threads',
  'Share on Pinterest',
  'Share by email',
];

const ADMIN_TOKEN = inject('adminToken');

const newWatchedContext = chromiumForFile();

const isEvent = (type: 'view' | 'share') => (response: Response) =>
  response.url() === `${API}/api/v1/events` && (response.request().postData() ?? '').includes(`"type":"${type}"`);

/** Waits until the widget has upgraded the share bar (its first button is in the shadow root). */
const shareBarReady = (page: Page) => until(page, `${shadowOf('share')}?.querySelector('.btn')`);

/** A new site whose only host is not the pages' host: the widget and embeds there are off their site. */
async function createElsewhereSite(): Promise<string> {
  const site = uniqueSlug('elsewhere');
  const created = await fetch(`${API}/api/v1/admin/sites`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      id: site,
      name: 'Elsewhere',
      hosts: [`${site}.example`],
      // Beacon mode with a large budget: its pages do not exist, and every reader is 127.0.0.1.
      settings: { article_source: 'beacon', max_new_articles_per_hour: 100_000 },
    }),
  });
  if (created.status !== 201) throw new Error(`creating ${site}: ${created.status}`);
  return site;
}

describe('share bar', () => {
  it('should upgrade the plain links into labelled buttons, styled under the page CSP, with nothing on the console', async () => {
    const { context, errors } = await newWatchedContext();
    const page = await context.newPage();
    const slug = uniqueSlug('render');
    await page.goto(`${HOST}/article/${slug}?popular=0`);
    await shareBarReady(page);
    const bar = page.locator('[data-sharepulse="share"]');

    const links = bar.getByRole('link');
    expect(
      await links.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label')?.replace(/: .*/, ''))),
    ).toEqual(LINK_LABELS);
    const hrefs = await links.evaluateAll((els) => els.map((el) => el.getAttribute('href')!));
    hrefs.forEach((href, i) => {
      const url = new URL(href);
      expect(`${url.origin}${url.pathname}`).toBe(`${API}/api/v1/share/${LINK_NETWORKS[i]}`);
      expect(url.searchParams.get('site')).toBe('demo');
      expect(url.searchParams.get('url')).toBe(`${HOST}/article/${slug}`);
      expect(url.searchParams.get('title')).toBe(`Story ${slug}`);
    });
    const nativeShare = await evaluate<boolean>(page, "typeof navigator.share === 'function'");
    const buttons = await bar
      .getByRole('button')
      .evaluateAll((els) => els.map((el) => el.getAttribute('aria-label')?.replace(/: .*/, '')));
    // A browser's share sheet has its own "Copy", so it takes the copy button's place.
    expect(buttons).toEqual(nativeShare ? ['Share…'] : ['Copy link']);
    // The publisher's own links are there for browsers without the script, hidden once it ran.
    expect(await page.getByRole('link', { name: 'X', exact: true }).count()).toBe(0);

    // The stylesheet applied although the page allows no inline style: a constructed sheet.
    expect(await evaluate<string>(page, `getComputedStyle(${shadowOf('share')}.querySelector('.btn')).display`)).toBe(
      'inline-flex',
    );
    expect(errors).toEqual([]);
    await context.close();
  });

  it("should speak the page's language", async () => {
    const { context } = await newWatchedContext();
    const page = await context.newPage();
    await page.goto(`${HOST}/article/${uniqueSlug('lang')}?lang=de&popular=0`);
    await shareBarReady(page);
    const bar = page.locator('[data-sharepulse="share"]');
    expect(await bar.getByRole('link', { name: /^Auf X teilen/ }).count()).toBe(1);
    expect(await bar.getByRole('button', { name: /^Link kopieren/ }).count()).toBe(1);
    expect(await bar.getByRole('list').getAttribute('aria-label')).toBe('Diesen Artikel teilen');
    await context.close();
  });

  it('should show a count only from data-min-count on (1 by default, so no row of zeros), in the right plural', async () => {
    const url = `${HOST}/article/${uniqueSlug('threshold')}`;
    await postFlushed({ site: 'demo', type: 'share', network: 'x', url });
    const { context } = await newWatchedContext();
    const page = await context.newPage();
    await page.goto(`${url}?popular=0&track=false`);
    await until(page, `${shadowOf('share')}?.querySelector('.n').textContent === '1'`);
    const bar = page.locator('[data-sharepulse="share"]');
    expect(await bar.getByRole('link', { name: 'Share on X: 1 share', exact: true }).count()).toBe(1);
    // Filled in the same pass as X's: the zeros are left out, their room kept.
    expect(await bar.getByRole('link', { name: 'Share on Facebook', exact: true }).count()).toBe(1);
    expect(
      await evaluate<string[]>(page, `[...${shadowOf('share')}.querySelectorAll('.n')].map((n) => n.textContent)`),
    ).toEqual(['1', ...Array(11).fill('')]);

    await page.goto(`${url}?popular=0&track=false&min=2`);
    await page.waitForResponse((r) => r.url().startsWith(`${API}/api/v1/sites/demo/counts?`));
    await shareBarReady(page);
    expect(await bar.getByRole('link', { name: 'Share on X', exact: true }).count()).toBe(1);
    await context.close();
  });

  it('should count a share and open the network through the share endpoint on a click, and count a copied link', async () => {
    const { context, intercepted } = await newWatchedContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: HOST });
    const page = await context.newPage();
    const slug = uniqueSlug('click');
    const url = `${HOST}/article/${slug}`;
    // No counts on the buttons: reading them now would cache zeros for the minute this test reads in.
    await page.goto(`${url}?counts=0&popular=0`);
    await shareBarReady(page);

    const popup = context.waitForEvent('page');
    const beacon = page.waitForResponse(isEvent('share'));
    const redirect = context.waitForEvent('response', (r) => r.url().startsWith(`${API}/api/v1/share/x?`));
    await page
      .locator('[data-sharepulse="share"]')
      .getByRole('link', { name: /^Share on X/ })
      .click();
    const network = await popup;
    // The share endpoint sends the popup on to the network's page; the beacon counts the share.
    const answer = await redirect;
    expect(answer.status()).toBe(302);
    const opened = new URL(answer.headers().location!);
    expect(`${opened.origin}${opened.pathname}`).toBe('https://x.com/intent/tweet');
    expect(opened.searchParams.get('url')).toBe(url.replace('http:', 'https:'));
    expect(opened.searchParams.get('text')).toBe(`Story ${slug}`);
    await network.waitForLoadState().catch(() => undefined);
    expect(intercepted.every((address) => address.startsWith('https://x.com/intent/tweet?'))).toBe(true);
    expect((await beacon).status()).toBe(202);
    await network.close();

    const copyBeacon = page.waitForResponse(isEvent('share'));
    await page.locator('[data-sharepulse="share"]').getByRole('button', { name: 'Copy link' }).click();
    await until(page, `${shadowOf('share')}.querySelector('[role=status]').textContent === 'Link copied'`);
    // Said where it can be seen, not only to a screen reader.
    expect(
      await evaluate<number>(page, `${shadowOf('share')}.querySelector('[role=status]').getBoundingClientRect().width`),
    ).toBeGreaterThan(40);
    expect(await evaluate<string>(page, 'navigator.clipboard.readText()')).toBe(url);
    expect((await copyBeacon).status()).toBe(202);

    await sleep(FLUSH_WAIT_MS);
    const counts = await readCounts(url);
    expect(counts.shares).toEqual({ total: 2, by_network: { copy: 1, x: 1 } });
    await context.close();
  });

  it('should work with JavaScript off: the link goes to the share endpoint, which counts and redirects to the network', async () => {
    const { context, requests } = await newWatchedContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const slug = uniqueSlug('nojs');
    const url = `${HOST}/article/${slug}`;
    await page.goto(`${url}?popular=0`);
    const link = page.getByRole('link', { name: 'Bluesky', exact: true });
    expect(await link.isVisible()).toBe(true);

    const shareAnswer = context.waitForEvent('response', (r) => r.url().startsWith(`${API}/api/v1/share/bluesky?`));
    const popup = context.waitForEvent('page');
    await link.click();
    const answer = await shareAnswer;
    expect(answer.status()).toBe(302);
    const location = new URL(answer.headers().location!);
    expect(`${location.origin}${location.pathname}`).toBe('https://bsky.app/intent/compose');
    expect(location.searchParams.get('text')).toBe(`Story ${slug} ${url.replace('http:', 'https:')}`);
    await (await popup).waitForLoadState().catch(() => undefined);
    // The browser went on to the network's page (answered by the stub or refused by the resolver, never sent).
    expect(requests).toContain(location.href);

    await sleep(FLUSH_WAIT_MS);
    expect((await readCounts(url)).shares).toEqual({ total: 1, by_network: { bluesky: 1 } });
    await context.close();
  });
});

describe('view beacon', () => {
  it('should count one view per visitor, however often the page is loaded', async () => {
    const { context } = await newWatchedContext();
    const page = await context.newPage();
    const url = `${HOST}/article/${uniqueSlug('views')}`;
    for (let load = 0; load < 2; load++) {
      const beacon = page.waitForResponse(isEvent('view'));
      // No counts on the buttons: reading them now would cache zeros for the minute this test reads in.
      if (load === 0) await page.goto(`${url}?counts=0&popular=0&image=1`);
      else await page.reload();
      const response = await beacon;
      expect(response.status()).toBe(202);
      expect(JSON.parse(response.request().postData()!)).toMatchObject({
        site: 'demo',
        type: 'view',
        url,
        title: url.replace(`${HOST}/article/`, 'Story '),
        image: `${HOST}/thumb.svg`,
        section: 'Tests',
        published: '2026-11-20T08:00:00.000Z',
      });
    }
    await sleep(FLUSH_WAIT_MS);
    expect((await readCounts(url)).views).toBe(1);
    await context.close();
  });

  it('should take the title from og:title, else from <title> without the site name', async () => {
    const { context } = await newWatchedContext();
    const page = await context.newPage();
    const beacon = page.waitForRequest((r) => r.url() === `${API}/api/v1/events`);
    await page.goto(`${HOST}/article/${uniqueSlug('titled')}?og=0&title=Bridge%20closure%20extended&popular=0`);
    expect(JSON.parse((await beacon).postData()!).title).toBe('Bridge closure extended');
    await shareBarReady(page);
    const href = await page.locator('[data-sharepulse="share"]').getByRole('link').first().getAttribute('href');
    expect(new URL(href!).searchParams.get('title')).toBe('Bridge closure extended');
    await context.close();
  });

  it('should send no view with data-track="false"', async () => {
    const { context, requests } = await newWatchedContext();
    const page = await context.newPage();
    const url = `${HOST}/article/${uniqueSlug('untracked')}`;
    await page.goto(`${url}?track=false&popular=0`, { waitUntil: 'networkidle' });
    await shareBarReady(page);
    expect(requests.filter((r) => r.startsWith(`${API}/api/v1/events`))).toEqual([]);
    await context.close();
  });
});

describe('popular list', () => {
  it('should show titles as text: an HTML and script payload runs nothing', async () => {
    const section = uniqueSlug('xss');
    const url = `${HOST}/article/${section}`;
    const title = `<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>"&amp; Ferry`;
    await postFlushed({ site: 'demo', type: 'view', url, title, section, image: `${HOST}/thumb.svg` });

    const { context, errors } = await newWatchedContext();
    const page = await context.newPage();
    await page.goto(`${HOST}/article/${uniqueSlug('reader')}?section=${section}`);
    const list = page.locator('[data-sharepulse="popular"]');
    await until(page, `${shadowOf('popular')}?.querySelector('ol:not([aria-busy]) a')`);
    const link = list.getByRole('link');
    expect(await link.count()).toBe(1);
    expect(await link.textContent()).toBe(title);
    // The page as its beacon gave it (http, the page server's port), not the https key, saying its list and place.
    expect(await link.getAttribute('href')).toBe(`${url}?sp_from=views-24h.1`);
    expect(await evaluate<unknown>(page, 'window.pwned')).toBeUndefined();
    expect(await evaluate<number>(page, `${shadowOf('popular')}.querySelectorAll('script, img:not(.th)').length`)).toBe(
      0,
    );
    expect(await evaluate<string>(page, `${shadowOf('popular')}.querySelector('img.th').src`)).toBe(
      `${HOST}/thumb.svg`,
    );
    expect(await list.getByText('1 view', { exact: true }).count()).toBe(1);
    // Followed as a reader would: it opens the article, whose address bar the widget then rids of sp_from.
    const [navigation] = await Promise.all([page.waitForNavigation(), link.click()]);
    expect(navigation?.status()).toBe(200);
    await expect.poll(() => page.url()).toBe(url);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('the popular box on an article', () => {
  it('should leave out the article being read, and the URLs of data-exclude', async () => {
    const section = uniqueSlug('own');
    const slugs = ['read', 'other', 'gone', 'left'].map((name) => `${section}-${name}`);
    await postFlushed(slugs.map((slug) => ({ site: 'demo', type: 'view', url: `${HOST}/article/${slug}`, section })));

    const { context } = await newWatchedContext();
    const page = await context.newPage();
    const shown = async (query: string) => {
      await page.goto(`${HOST}/article/${slugs[0]}?track=false&section=${section}${query}`);
      await until(page, `${shadowOf('popular')}?.querySelector('ol:not([aria-busy])')`);
      return page
        .locator('[data-sharepulse="popular"]')
        .getByRole('link')
        .evaluateAll((links) => links.map((a) => new URL(a.getAttribute('href')!).pathname));
    };
    // Equal views: in URL order.
    expect(await shown('')).toEqual(
      slugs
        .slice(1)
        .map((slug) => `/article/${slug}`)
        .sort(),
    );
    // Space-separated; a relative URL is taken from the page's address.
    const exclude = `/article/${slugs[2]}  ${HOST}/article/${slugs[3]}`;
    expect(await shown(`&exclude=${encodeURIComponent(exclude)}`)).toEqual([`/article/${slugs[1]}`]);
    await context.close();
  });
});

describe('the theme', () => {
  it('should be light on a page that says nothing of its color-scheme, for a reader whose OS is dark', async () => {
    const { context } = await newWatchedContext({ colorScheme: 'dark' });
    const page = await context.newPage();
    await page.goto(`${HOST}/article/${uniqueSlug('light')}?track=false`);
    await shareBarReady(page);
    expect(
      await evaluate<string>(page, `getComputedStyle(${shadowOf('share')}.querySelector('.btn')).backgroundColor`),
    ).toBe('rgb(255, 255, 255)');
    expect(
      await evaluate<string>(page, `getComputedStyle(${shadowOf('popular')}.querySelector('.pop')).backgroundColor`),
    ).toBe('rgb(255, 255, 255)');
    await context.close();
  });

  it("should follow the reader's OS on a page offering both schemes, or with data-theme=auto", async () => {
    const { context } = await newWatchedContext({ colorScheme: 'dark' });
    const page = await context.newPage();
    const button = `getComputedStyle(${shadowOf('share')}.querySelector('.btn')).backgroundColor`;
    for (const query of ['scheme=light%20dark', 'theme=auto', 'scheme=dark']) {
      await page.goto(`${HOST}/article/${uniqueSlug('dark')}?track=false&popular=0&${query}`);
      await shareBarReady(page);
      expect(await evaluate<string>(page, button)).toBe('rgb(28, 28, 33)');
    }
    await page.goto(`${HOST}/article/${uniqueSlug('light')}?track=false&popular=0&scheme=light%20dark&theme=light`);
    await shareBarReady(page);
    expect(await evaluate<string>(page, button)).toBe('rgb(255, 255, 255)');
    await context.close();
  });
});

describe('a misconfigured page', () => {
  /** The widget's console warnings on `path` once its counts and popular reads are answered. */
  async function warningsOn(path: string): Promise<string[]> {
    const { context } = await newWatchedContext();
    const page = await context.newPage();
    const warnings: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'warning') warnings.push(message.text());
    });
    const reads = ['counts', 'popular'].map((read) =>
      page.waitForResponse((r) => new URL(r.url()).pathname.endsWith(`/${read}`)),
    );
    await page.goto(`${HOST}${path}`);
    for (const read of reads) expect((await read).status()).toBeGreaterThanOrEqual(400);
    // The popular box gives the element's own content back once its refusal is read.
    await until(page, `${shadowOf('popular')}?.querySelector('slot')`);
    await context.close();
    return warnings;
  }

  it("should say once on the console that the site does not exist, in the server's words", async () => {
    expect(await warningsOn(`/article/${uniqueSlug('nosite')}?site=demoo`)).toEqual(['sharepulse: No site demoo.']);
  });

  it("should say once on the console that the page's host is not the site's, in the server's words", async () => {
    const site = await createElsewhereSite();
    const warnings = await warningsOn(`/article/${uniqueSlug('offhost')}?site=${site}`);
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^sharepulse: .* is not a host of site ${site}\\.$`))]);
  });
});

describe('the page with the widget', () => {
  it("should request nothing from any host but the page's and the Worker's", async () => {
    const { context, requests, intercepted } = await newWatchedContext();
    const page = await context.newPage();
    await page.goto(`${HOST}/article/${uniqueSlug('privacy')}`, { waitUntil: 'networkidle' });
    await shareBarReady(page);
    await until(page, `!${shadowOf('popular')}?.querySelector('ol[aria-busy]')`);
    const origins = new Set(requests.map((r) => new URL(r).origin));
    expect([...origins].sort()).toEqual([API, HOST].sort());
    expect(intercepted).toEqual([]);
    await context.close();
  });

  it('should not move the page when counts and the popular list arrive', async () => {
    const { context } = await newWatchedContext();
    const page = await context.newPage();
    const held: (() => void)[] = [];
    await page.route(`${API}/api/v1/sites/**`, async (route) => {
      await new Promise<void>((resolve) => held.push(resolve));
      await route.continue();
    });
    await page.goto(`${HOST}/article/${uniqueSlug('stable')}?min=0`);
    await shareBarReady(page);
    await expect.poll(() => held.length).toBe(2); // counts and popular, both held
    const layout = `JSON.stringify(['[data-sharepulse="share"]', '[data-sharepulse="popular"]', 'main p'].map((s) => {
      const r = document.querySelector(s).getBoundingClientRect(); return [r.top, r.height, r.width];
    }))`;
    const before = await evaluate<string>(page, layout);
    for (const release of held) release();
    await until(page, `${shadowOf('share')}.querySelector('.n').textContent !== ''`);
    await until(page, `!${shadowOf('popular')}.querySelector('ol[aria-busy]')`);
    expect(await evaluate<string>(page, layout)).toBe(before);
    await context.close();
  });

  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ] as const) {
    for (const shareSheet of [false, true]) {
      it(`should not move the page when the share bar upgrades: CLS 0 at ${width} px${shareSheet ? ', with a share sheet' : ''}`, async () => {
        const { context } = await newWatchedContext({ viewport: { width, height } });
        const page = await context.newPage();
        // Layout shifts from the start, measured by the browser (Layout Instability API).
        await page.addInitScript(`window.shifts = [];
          window.shiftObserver = new PerformanceObserver((list) => window.shifts.push(...list.getEntries()));
          window.shiftObserver.observe({ type: 'layout-shift', buffered: true });
          ${shareSheet ? 'navigator.share = () => Promise.resolve();' : ''}`);
        // The script arrives after the plain links have been painted, as on a slow network.
        let release = () => {};
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        await page.route(`${API}/widget.js`, async (route) => {
          await held;
          await route.continue();
        });
        const counts = page.waitForResponse((r) => r.url().startsWith(`${API}/api/v1/sites/demo/counts?`));
        await page.goto(`${HOST}/article/${uniqueSlug('cls')}?min=0`, { waitUntil: 'domcontentloaded' });
        await until(page, `performance.getEntriesByName('first-contentful-paint').length`);
        release();
        await shareBarReady(page);
        await counts;
        await until(page, `${shadowOf('share')}.querySelector('.n').textContent !== ''`);
        await until(page, `!${shadowOf('popular')}?.querySelector('ol[aria-busy]')`);
        await evaluate(page, 'new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))');
        const shifts = await evaluate<{ value: number; hadRecentInput: boolean }[]>(
          page,
          `[...window.shifts, ...window.shiftObserver.takeRecords()].map((e) => ({ value: e.value, hadRecentInput: e.hadRecentInput }))`,
        );
        expect(shifts).toEqual([]);
        expect(await evaluate<number>(page, `${shadowOf('share')}.querySelectorAll('.btn').length`)).toBe(12);
        await context.close();
      });
    }
  }

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`should have no serious or critical accessibility violation (axe-core, ${colorScheme})`, async () => {
      // axe is injected as an inline script, which the page's CSP would refuse.
      const { context } = await newWatchedContext({ bypassCSP: true, colorScheme });
      const page = await context.newPage();
      await page.goto(`${HOST}/article/${uniqueSlug('a11y')}?min=0`);
      await shareBarReady(page);
      await until(page, `!${shadowOf('popular')}?.querySelector('ol[aria-busy]')`);
      await until(page, `${shadowOf('share')}.querySelector('.n').textContent !== ''`);
      await page.addScriptTag({ path: AXE_PATH });
      const violations = await evaluate<{ id: string; impact: string; nodes: string[] }[]>(
        page,
        `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
          id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) })))`,
      );
      expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
      await context.close();
    });
  }
});

describe('the demo page', () => {
  it('should upgrade its share bar with the seeded counts, and pass axe-core on the widget', async () => {
    const { context, errors } = await newWatchedContext();
    const page = await context.newPage();
    await page.goto(`${API}/demo`);
    await shareBarReady(page);
    const bar = page.locator('[data-sharepulse="share"]');
    await until(page, `${shadowOf('share')}.querySelector('.n').textContent !== ''`);
    const seeded = await readCounts('http://localhost:8787/demo');
    expect(seeded.shares.by_network.x).toBeGreaterThan(0);
    expect(
      await bar.getByRole('link', { name: `Share on X: ${seeded.shares.by_network.x} shares`, exact: true }).count(),
    ).toBe(1);
    // Evaluated, not added as a script tag, which the demo page's CSP rightly refuses.
    await page.evaluate(readFileSync(AXE_PATH, 'utf8'));
    const violations = await evaluate<{ id: string; impact: string }[]>(
      page,
      `axe.run({ include: [['[data-sharepulse]']] }, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact })))`,
    );
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('the share embed', () => {
  /**
   * Frames the share embed `src` in a publisher's article page (served on
   * loopback, so that Chromium's local network checks let it frame the
   * Worker) and waits until the frame has loaded or been refused.
   */
  async function frameInArticlePage(watched: Watched, src: string): Promise<Page> {
    const page = await watched.context.newPage();
    await page.goto(`${HOST}/article/${uniqueSlug('framing')}?popular=0&track=false`);
    await evaluate(
      page,
      `new Promise((loaded) => {
        const frame = document.createElement('iframe');
        frame.title = 'Share';
        frame.onload = loaded;
        frame.src = ${JSON.stringify(src)};
        document.body.append(frame);
      })`,
    );
    return page;
  }

  const embedOf = (site: string, url: string) => `${API}/embed/share?${new URLSearchParams({ site, url })}`;

  it('should be as tall as README documents for each frame width, so that a frame of that height clips nothing', async () => {
    const url = `${HOST}/article/${uniqueSlug('sized')}`;
    // [frame width, counts=true, rows]; README: 51 px for one row, 93 for two, 135 for three, 177 for four.
    const cases = [
      [1280, false, 1],
      [494, false, 1],
      [491, false, 2],
      [390, false, 2],
      [274, false, 2],
      [271, false, 3],
      [1280, true, 1],
      [917, true, 1],
      [915, true, 2],
      [505, true, 2],
      [502, true, 3],
      [390, true, 3],
      [340, true, 3],
      [337, true, 4],
    ] as const;
    const { context } = await newWatchedContext();
    const page = await context.newPage();
    const measured: [number, boolean, number][] = [];
    for (const [width, counts] of cases) {
      await page.setViewportSize({ width, height: 400 });
      await page.goto(`${API}/embed/share?${new URLSearchParams({ site: 'demo', url, counts: String(counts) })}`);
      measured.push([
        width,
        counts,
        Math.ceil(await evaluate<number>(page, 'document.body.getBoundingClientRect().height')),
      ]);
    }
    expect(measured).toEqual(cases.map(([width, counts, rows]) => [width, counts, 42 * rows + 9]));
    await context.close();
  });

  it("should show in a page of the site's hosts, served on another port than the Worker", async () => {
    const watched = await newWatchedContext();
    const page = await frameInArticlePage(watched, embedOf('demo', `${HOST}/article/${uniqueSlug('framed')}`));
    expect(await page.frameLocator('iframe').getByRole('link').count()).toBe(LINK_NETWORKS.length);
    expect(watched.errors).toEqual([]);
    await watched.context.close();
  });

  it('should refuse to be framed by a page of another site, where a reader could be tricked into clicking', async () => {
    const site = await createElsewhereSite();
    const watched = await newWatchedContext();
    // The demo site's page frames the embed of another site's article.
    const page = await frameInArticlePage(watched, embedOf(site, `https://${site}.example/story`));
    expect(page.frames().map((frame) => frame.url())).not.toContainEqual(expect.stringContaining('/embed/share'));
    expect(await page.frameLocator('iframe').getByRole('link').count()).toBe(0);
    expect(watched.errors).toContainEqual(expect.stringContaining('frame-ancestors'));
    await watched.context.close();
  });
});
