import { describe, expect, inject, it } from 'vitest';
import {
  API,
  chromiumForFile,
  FLUSH_WAIT_MS,
  HOST,
  postEvents,
  readCounts,
  sentEvents,
  shadowOf,
  sleep,
  uniqueSlug,
  until,
} from './browser';

const ADMIN_TOKEN = inject('adminToken');

const newWatchedContext = chromiumForFile();

interface BoxFigures {
  clicks: number;
  quality_clicks: number;
  click_through: number;
}

interface RecirculationList extends BoxFigures {
  list: string;
  impressions: number;
  positions: (BoxFigures & { position: number })[];
}

// A list no other test's page shows, so that its figures are this test's.
const LIST = 'views-30d';

/** Today's figures of LIST on the demo site, from the admin API. */
async function todaysFigures(): Promise<RecirculationList | undefined> {
  const response = await fetch(`${API}/api/v1/admin/sites/demo/recirculation?days=1`, {
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  if (!response.ok) throw new Error(`recirculation ${response.status}: ${await response.text()}`);
  const { lists } = (await response.json()) as { lists: RecirculationList[] };
  return lists.find((figures) => figures.list === LIST);
}

describe('a click in the popular box', () => {
  it("should count at its list's position, count the story's view once for the story, and become a quality click when read", async () => {
    const section = uniqueSlug('recirculation');
    const stories = [1, 2, 3, 4].map((n) => `${HOST}/article/${section}-${n}`);
    // 4, 3, 2 and 1 views from readers of their own: the box shows the stories in that order.
    let reader = 0;
    for (const [rank, url] of stories.entries()) {
      for (let view = rank; view < stories.length; view++) {
        reader += 1;
        await postEvents({ site: 'demo', type: 'view', url, section }, { ip: `198.18.9.${reader}` });
      }
    }
    await sleep(FLUSH_WAIT_MS);

    const { context } = await newWatchedContext();
    // The story's share bar would read its counts on opening, and the counts endpoint would keep
    // them for the minute this test reads them in: the bar goes without.
    await context.route(`${API}/api/v1/sites/demo/counts?*`, (route) => route.abort());
    const sent = sentEvents(context);
    const page = await context.newPage();
    // The page's clock, for the reader's 15 s on the story opened.
    await page.clock.install();
    const front = `${HOST}/article/${uniqueSlug('front')}`;
    await page.goto(`${front}?counts=0&window=30d&section=${section}`);
    await until(page, `${shadowOf('popular')}?.querySelector('ol:not([aria-busy]) a')`);
    await expect.poll(() => sent.map((event) => event.type)).toEqual(['view']);
    // The page's view says which box it shows.
    expect(sent[0]).toMatchObject({ type: 'view', url: front, boxes: [LIST] });
    const links = page.locator('[data-sharepulse="popular"]').getByRole('link');
    expect(await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(
      stories.map((url, i) => `${url}?sp_from=${LIST}.${i + 1}`),
    );

    // The third story, opened from the box: straight to its page, no redirect in between.
    const story = stories[2]!;
    const [navigation] = await Promise.all([page.waitForNavigation(), links.nth(2).click()]);
    expect(navigation?.url()).toBe(`${story}?sp_from=${LIST}.3`);
    await expect.poll(() => sent.length).toBe(2);
    expect(sent[1]).toMatchObject({ type: 'view', url: story, from: `${LIST}.3` });
    // Its own box is the default list.
    expect(sent[1]!.boxes).toEqual(['views-24h']);
    // The address bar and what the page shares no longer carry it.
    await until(page, `${shadowOf('share')}?.querySelector('.btn')`);
    expect(page.url()).toBe(story);
    const shared = await page.locator('[data-sharepulse="share"]').getByRole('link').first().getAttribute('href');
    expect(new URL(shared!).searchParams.get('url')).toBe(story);

    await sleep(FLUSH_WAIT_MS);
    expect(await todaysFigures()).toEqual({
      list: LIST,
      impressions: 1,
      clicks: 1,
      quality_clicks: 0,
      click_through: 1,
      positions: [{ position: 3, clicks: 1, quality_clicks: 0, click_through: 1 }],
    });

    // The reader stays on the story: its read turns the click into a quality click.
    await page.mouse.move(300, 300);
    for (let second = 0; second < 18; second += 2) {
      await page.mouse.move(300 + second, 300);
      await page.clock.runFor(2_000);
    }
    await expect.poll(() => sent.map((event) => event.type)).toEqual(['view', 'view', 'read']);
    expect(sent[2]).toEqual({ site: 'demo', type: 'read', url: story, from: `${LIST}.3` });

    await sleep(FLUSH_WAIT_MS);
    expect(await todaysFigures()).toEqual({
      list: LIST,
      impressions: 1,
      clicks: 1,
      quality_clicks: 1,
      click_through: 1,
      positions: [{ position: 3, clicks: 1, quality_clicks: 1, click_through: 1 }],
    });
    // The story's own counts: its 2 views before and this reader's, once; the link's spelling names the same story.
    const counts = await readCounts(story);
    expect(counts).toMatchObject({ views: 3, reads: 1 });
    expect(await readCounts(`${story}?sp_from=${LIST}.3`)).toEqual(counts);
    await context.close();
  });

  it('should count no click for a box link opened from elsewhere, and keep the other parameters as they were', async () => {
    const { context } = await newWatchedContext();
    const sent = sentEvents(context);
    const page = await context.newPage();
    const story = `${HOST}/article/${uniqueSlug('pasted')}`;
    // A box link pasted on a social site: its reader comes with that site's Referer, or none.
    await page.goto(`${story}?counts=0&popular=0&flag&note=a%20b&sp_from=${LIST}.2#top`, {
      referer: 'https://social.example/post/1',
    });
    await expect.poll(() => sent.map((event) => event.type)).toEqual(['view']);
    expect(sent[0]!.from).toBeUndefined();
    // Gone from the address bar all the same, the rest spelt as it came.
    expect(page.url()).toBe(`${story}?counts=0&popular=0&flag&note=a%20b#top`);
    await context.close();
  });
});
