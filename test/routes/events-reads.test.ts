import { env, runInDurableObject, SELF } from 'cloudflare:test';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { readConfig } from '../../src/config';
import { NOT_COUNTED_REASONS } from '../../src/ledger/reasons';
import type { LedgerBody } from '../../src/openapi/schemas';
import { shardIndex } from '../../src/shard/routing';
import {
  ADMIN,
  createSite,
  flushAllShards,
  postEvents,
  runPageChecks,
  shardStub,
  uniqueSiteId,
} from '../support/helpers';

const zeros = Object.fromEntries(NOT_COUNTED_REASONS.map((reason) => [reason, 0]));

const view = (site: string, url: string, extra: Record<string, unknown> = {}) => ({
  site,
  type: 'view',
  url,
  ...extra,
});
const read = (site: string, url: string, extra: Record<string, unknown> = {}) => ({
  site,
  type: 'read',
  url,
  ...extra,
});

let reader = 0;
/** A reader of their own: a new address from 198.18.0.0/15. */
const nextReader = () => {
  reader++;
  return `198.18.${Math.floor(reader / 250)}.${(reader % 250) + 1}`;
};

/** Sends a beacon of `events` from a page of `origin`, by `ip`; it must be accepted. */
async function send(origin: string, events: unknown, ip: string) {
  const response = await postEvents(events, { origin, ip });
  expect(response.status).toBe(202);
}

const ledgerToday = async (site: string) => {
  const response = await SELF.fetch(`https://api.test/api/v1/admin/sites/${site}/ledger?days=1`, { headers: ADMIN });
  expect(response.status).toBe(200);
  return (await response.json<LedgerBody>()).days[0]!;
};

const storedArticle = (site: string, url: string) =>
  env.DB.prepare('SELECT title, views, shares, reads FROM articles WHERE site_id = ? AND url = ?')
    .bind(site, url)
    .first();

const storedBoxDays = async (site: string) =>
  (
    await env.DB.prepare(
      'SELECT list, position, impressions, clicks, quality_clicks FROM site_box_days WHERE site_id = ? ORDER BY list, position',
    )
      .bind(site)
      .all()
  ).results;

describe('POST /api/v1/events: reads', () => {
  it('should count a visitor\u2019s read once after their view, and tell the ledger of the rest', async () => {
    const { id, host } = await createSite();
    const origin = `https://${host}`;
    const url = `${origin}/story`;
    const ip = nextReader();
    await send(origin, read(id, url), ip); // before the view: no_view
    await send(origin, view(id, url), ip);
    await send(origin, read(id, url), ip);
    await send(origin, read(id, url), ip); // a repeat
    await flushAllShards();
    expect(await storedArticle(id, url)).toEqual({ title: null, views: 1, shares: 0, reads: 1 });
    expect(await ledgerToday(id)).toMatchObject({
      received: 4,
      counted: 2,
      not_counted: { ...zeros, no_view: 1, repeat: 1 },
    });
  });

  it('should take no metadata from a read, and a view\u2019s still', async () => {
    const { id, host } = await createSite();
    const origin = `https://${host}`;
    const url = `${origin}/story`;
    const ip = nextReader();
    await send(origin, view(id, url), ip);
    await flushAllShards();
    await send(origin, read(id, url, { title: 'Taken from a read', section: 'Read' }), ip);
    await flushAllShards();
    expect(await storedArticle(id, url)).toEqual({ title: null, views: 1, shares: 0, reads: 1 });
    // Beacon mode keeps the first metadata brought: a view's, since the read brought none.
    await send(origin, view(id, url, { title: 'Taken from a view' }), nextReader());
    await flushAllShards();
    expect(await storedArticle(id, url)).toMatchObject({ title: 'Taken from a view', views: 2 });
  });
});

describe('POST /api/v1/events: the popular box', () => {
  it('should count the view of a page opened from a box for its article, sp_from dropped from the key', async () => {
    const { id, host } = await createSite();
    const origin = `https://${host}`;
    const url = `${origin}/story?id=7`;
    const ip = nextReader();
    await send(origin, view(id, `${origin}/story?sp_from=views-24h.3&id=7`, { from: 'views-24h.3' }), ip);
    await send(origin, read(id, `${origin}/story?id=7&sp_from=views-24h.3`, { from: 'views-24h.3' }), ip);
    // Its reader's view of the page without sp_from is the same article: a repeat.
    await send(origin, view(id, url), ip);
    await send(origin, [view(id, url, { boxes: ['views-24h', 'trending'] })], nextReader());
    await flushAllShards();
    expect(await storedArticle(id, url)).toEqual({ title: null, views: 2, shares: 0, reads: 1 });
    const { n } = (await env.DB.prepare('SELECT count(*) AS n FROM articles WHERE site_id = ?')
      .bind(id)
      .first<{ n: number }>())!;
    expect(n).toBe(1);
    expect(await storedBoxDays(id)).toEqual([
      { list: 'trending', position: 0, impressions: 1, clicks: 0, quality_clicks: 0 },
      { list: 'views-24h', position: 0, impressions: 1, clicks: 0, quality_clicks: 0 },
      { list: 'views-24h', position: 3, impressions: 0, clicks: 1, quality_clicks: 1 },
    ]);
  });
});

const publisher = inject('publisherOrigin');
const publisherHost = new URL(publisher).hostname;
const page = (path: string) => `${publisher}${path}`;
/** The article key of a publisher page: the URL normalised (https, port kept). */
const key = (path: string) => `https://${new URL(publisher).host}${path}`;

/**
 * A site in page mode on the publisher's host (one at a time may claim it:
 * each test deletes its own), with an id that puts the pages at `paths` in
 * different shards when `apart`.
 */
async function createPublisherSite(apart: [string, string] | null = null) {
  const { shardCount } = readConfig(env);
  let id = uniqueSiteId();
  while (apart && shardIndex(id, key(apart[0]), shardCount) === shardIndex(id, key(apart[1]), shardCount)) {
    id = uniqueSiteId();
  }
  const site = await createSite(id, { hosts: [publisherHost], settings: { article_source: 'page' } });
  onTestFinished(async () => {
    await SELF.fetch(`https://api.test/api/v1/admin/sites/${site.id}`, { method: 'DELETE', headers: ADMIN });
  });
  return site;
}

/**
 * A spelling of /article/good (its old slug, which redirects there, with a
 * parameter that keeps it a URL of its own) in the shard of /article/good or,
 * when `apart`, in another.
 */
function oldSlugOf(site: string, apart: boolean): string {
  const { shardCount } = readConfig(env);
  const home = shardIndex(site, key('/article/good'), shardCount);
  for (let edition = 0; edition < 1000; edition++) {
    const path = `/old-slug?edition=${edition}`;
    if ((shardIndex(site, key(path), shardCount) !== home) === apart) return path;
  }
  throw new Error(`no spelling of /article/good ${apart ? 'apart from' : 'beside'} it`);
}

/** Checks the site's pages and releases what was held for them. */
async function checkPages(site: string) {
  // A redirected page is checked once its target is known.
  await runPageChecks(site);
  await runPageChecks(site);
  await flushAllShards();
}

describe('POST /api/v1/events: reads and the box in page mode', () => {
  it('should hold a read with its view while the page is checked, then count both for the canonical', async () => {
    const site = await createPublisherSite();
    const ip = nextReader();
    await send(
      publisher,
      [
        view(site.id, page('/old-slug'), { from: 'views-24h.2', boxes: ['views-24h'] }),
        read(site.id, page('/old-slug'), { from: 'views-24h.2' }),
      ],
      ip,
    );
    await flushAllShards();
    expect(await ledgerToday(site.id)).toMatchObject({ counted: 0, not_counted: { ...zeros, unverified: 2 } });

    await checkPages(site.id);
    expect(await storedArticle(site.id, key('/article/good'))).toMatchObject({ views: 1, shares: 0, reads: 1 });
    expect(await storedArticle(site.id, key('/old-slug'))).toBeNull();
    expect(await ledgerToday(site.id)).toMatchObject({ received: 2, counted: 2, not_counted: zeros });
    // The box counted the held view and read at once.
    expect(await storedBoxDays(site.id)).toEqual([
      { list: 'views-24h', position: 0, impressions: 1, clicks: 0, quality_clicks: 0 },
      { list: 'views-24h', position: 2, impressions: 0, clicks: 1, quality_clicks: 1 },
    ]);
  });

  it('should keep from and boxes on the events another spelling sends on to its article\u2019s shard', async () => {
    const site = await createPublisherSite(['/old-slug', '/article/good']);
    await send(publisher, [view(site.id, page('/article/good')), view(site.id, page('/old-slug'))], nextReader());
    await checkPages(site.id);
    const { shardCount } = readConfig(env);
    const home = shardStub(shardIndex(site.id, key('/article/good'), shardCount));

    // /old-slug is known now as a spelling of /article/good: its events go to that article's shard.
    const ip = nextReader();
    await send(
      publisher,
      [
        view(site.id, page('/old-slug'), { from: 'trending.4', boxes: ['views-24h', 'trending'] }),
        read(site.id, page('/old-slug'), { from: 'trending.4' }),
      ],
      ip,
    );
    const tallies = await runInDurableObject(home, (_, state) =>
      state.storage.sql
        .exec<{ outcome: string; n: number }>(
          "SELECT outcome, n FROM pending_ledger WHERE site = ? AND outcome LIKE 'box:%' ORDER BY outcome",
          site.id,
        )
        .toArray()
        .map(({ outcome, n }) => [outcome, n]),
    );
    expect(tallies).toEqual([
      ['box:click:trending:4', 1],
      ['box:impression:trending:0', 1],
      ['box:impression:views-24h:0', 1],
      ['box:quality:trending:4', 1],
    ]);
    await flushAllShards();
    expect(await storedArticle(site.id, key('/article/good'))).toMatchObject({ views: 3, reads: 1 });
  });

  for (const apart of [true, false]) {
    it(`should count the later read of a spelling whose held view counted for its canonical, and its quality click (${apart ? 'in another shard' : 'in the same shard'})`, async () => {
      const site = await createPublisherSite();
      const slug = oldSlugOf(site.id, apart);
      const ip = nextReader();
      await send(publisher, view(site.id, page(slug), { from: 'views-24h.2' }), ip);
      // The check ends before the reader has read: the read finds the slug a spelling of /article/good.
      await checkPages(site.id);
      await send(publisher, read(site.id, page(slug), { from: 'views-24h.2' }), ip);
      await send(publisher, read(site.id, page(slug), { from: 'views-24h.2' }), ip);
      await flushAllShards();
      expect(await storedArticle(site.id, key('/article/good'))).toMatchObject({ views: 1, reads: 1 });
      expect(await ledgerToday(site.id)).toMatchObject({
        received: 3,
        counted: 2,
        not_counted: { ...zeros, repeat: 1 },
      });
      expect(await storedBoxDays(site.id)).toEqual([
        { list: 'views-24h', position: 2, impressions: 0, clicks: 1, quality_clicks: 1 },
      ]);
    });
  }

  it('should count no event twice that a spelling held and its canonical counts later, nor its click', async () => {
    const site = await createPublisherSite();
    const slug = oldSlugOf(site.id, true);
    const ip = nextReader();
    await send(publisher, [view(site.id, page(slug), { from: 'views-24h.2' }), read(site.id, page(slug))], ip);
    await checkPages(site.id);
    // The same visitor's read of the spelling again, alone, then with a view (and its click): all counted already, held.
    await send(publisher, read(site.id, page(slug)), ip);
    await send(
      publisher,
      [view(site.id, page(slug), { from: 'views-24h.2' }), read(site.id, page(slug), { from: 'views-24h.2' })],
      ip,
    );
    await flushAllShards();
    expect(await storedArticle(site.id, key('/article/good'))).toMatchObject({ views: 1, reads: 1 });
    expect(await ledgerToday(site.id)).toMatchObject({ received: 5, counted: 2, not_counted: { ...zeros, repeat: 3 } });
    expect(await storedBoxDays(site.id)).toEqual([
      { list: 'views-24h', position: 2, impressions: 0, clicks: 1, quality_clicks: 0 },
    ]);
  });
});
