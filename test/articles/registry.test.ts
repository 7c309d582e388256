import { env, runDurableObjectAlarm, runInDurableObject, SELF } from 'cloudflare:test';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { type ArticleRegistry, newArticlesPerScope } from '../../src/articles/registry';
import { registryFor } from '../../src/articles/registry-client';
import { readConfig } from '../../src/config';
import { shardIndex } from '../../src/shard/routing';
import { ADMIN, BROWSER_UA, createSite, flushAllShards, postEvents, shardStub, storedTotals } from '../support/helpers';
import { loadStoredSite, seedArticles } from '../support/seed';

const publisher = inject('publisherOrigin');
const publisherHost = new URL(publisher).hostname;
const page = (path: string) => `${publisher}${path}`;
/** The article key of a publisher page: the URL normalised (https, port kept). */
const key = (path: string) => `https://${new URL(publisher).host}${path}`;

let reader = 0;
/** A reader of their own: a new address from 198.18.0.0/15. */
const nextReader = () => {
  reader++;
  return `198.18.${Math.floor(reader / 250)}.${(reader % 250) + 1}`;
};

const view = (site: string, url: string, extra: Record<string, unknown> = {}) => ({
  site,
  type: 'view',
  url,
  ...extra,
});

/** Sends a beacon of `events` from a page of `origin`. */
async function send(origin: string, events: unknown, ip = nextReader()) {
  const response = await postEvents(events, { origin, ip });
  expect(response.status).toBe(202);
}

/** The site's stored article row in D1, as ranking reads it. */
const storedArticle = (site: string, url: string) =>
  env.DB.prepare(
    'SELECT url, title, image, section, published, status, hidden, page_url FROM articles WHERE site_id = ? AND url = ?',
  )
    .bind(site, url)
    .first();

const popular = async (site: string) => {
  const response = await SELF.fetch(`https://api.test/api/v1/sites/${site}/popular?window=24h&by=views`);
  expect(response.status).toBe(200);
  return (
    (await response.json()) as { items: { url: string; title: string | null; image: string | null; views: number }[] }
  ).items;
};

const ledgerToday = async (site: string) => {
  const response = await SELF.fetch(`https://api.test/api/v1/admin/sites/${site}/ledger?days=1`, { headers: ADMIN });
  const { days } = (await response.json()) as {
    days: { received: number; counted: number; not_counted: Record<string, number> }[];
  };
  return days[0]!;
};

/** A site in page mode on the publisher's host: one at a time may claim it, so each test deletes its own. */
async function createPublisherSite(settings: Record<string, unknown> = {}) {
  const site = await createSite(undefined, {
    hosts: [publisherHost],
    settings: { article_source: 'page', ...settings },
  });
  onTestFinished(async () => {
    await SELF.fetch(`https://api.test/api/v1/admin/sites/${site.id}`, { method: 'DELETE', headers: ADMIN });
  });
  const stored = await loadStoredSite(site.id);
  return { ...site, createdAt: stored.created_at, registry: registryFor(env, stored) };
}

describe('articles in beacon mode', () => {
  it('should keep the first metadata seen, whatever later beacons say', async () => {
    const { id, host } = await createSite(undefined, { settings: { article_source: 'beacon' } });
    const url = `https://${host}/story`;
    const origin = `https://${host}`;
    await send(origin, view(id, url, { title: 'Bridge reopens', section: 'Local', image: `https://${host}/b.jpg` }));
    await send(
      origin,
      view(id, url, { title: 'Mayor arrested for fraud', section: 'Crime', image: `https://${host}/x.jpg` }),
    );
    await flushAllShards();
    expect(await storedArticle(id, url)).toMatchObject({
      title: 'Bridge reopens',
      section: 'Local',
      image: `https://${host}/b.jpg`,
      status: 'verified',
      hidden: 0,
    });
    expect(await storedTotals(id, url)).toEqual({ views: 2, shares: 0 });
  });

  it('should drop a picture from another host, and take one from image_hosts', async () => {
    const { id, host } = await createSite(undefined, {
      settings: { article_source: 'beacon', image_hosts: ['cdn.example'] },
    });
    const origin = `https://${host}`;
    await send(origin, [
      view(id, `https://${host}/a`, { title: 'A', image: 'https://evil.example/x.jpg' }),
      view(id, `https://${host}/b`, { title: 'B', image: 'https://cdn.example/b.jpg' }),
    ]);
    await flushAllShards();
    expect(await storedArticle(id, `https://${host}/a`)).toMatchObject({ title: 'A', image: null });
    expect(await storedArticle(id, `https://${host}/b`)).toMatchObject({
      title: 'B',
      image: 'https://cdn.example/b.jpg',
    });
  });

  it('should take metadata from the first beacon that has any, not from a share link', async () => {
    const { id, host } = await createSite(undefined, { settings: { article_source: 'beacon' } });
    const url = `https://${host}/shared-first`;
    const share = await SELF.fetch(
      `https://api.test/api/v1/share/x?site=${id}&url=${encodeURIComponent(url)}&title=${encodeURIComponent('Forged')}`,
      { headers: { Referer: url, 'CF-Connecting-IP': nextReader(), 'User-Agent': BROWSER_UA }, redirect: 'manual' },
    );
    expect(share.status).toBe(302);
    await send(`https://${host}`, view(id, url, { title: 'The real headline' }));
    await flushAllShards();
    expect(await storedArticle(id, url)).toMatchObject({ title: 'The real headline' });
    expect(await storedTotals(id, url)).toEqual({ views: 1, shares: 1 });
  });

  it('should take at most max_new_articles_per_hour new articles, and count the rest as over budget', async () => {
    const { id, host } = await createSite(undefined, {
      settings: { article_source: 'beacon', max_new_articles_per_hour: 5 },
    });
    const urls = Array.from({ length: 40 }, (_, i) => `https://${host}/junk-${i}?p=${i}`);
    // Readers of their own, each within what one IP scope may bring.
    for (let i = 0; i < urls.length; i += 4)
      await send(
        `https://${host}`,
        urls.slice(i, i + 4).map((url) => view(id, url)),
      );
    await flushAllShards();
    const { n } = (await env.DB.prepare('SELECT count(*) AS n FROM articles WHERE site_id = ?')
      .bind(id)
      .first<{ n: number }>())!;
    expect(n).toBe(5);
    const ledger = await ledgerToday(id);
    expect(ledger).toMatchObject({ received: 40, counted: 5 });
    expect(ledger.not_counted.new_article_budget).toBe(35);
  });
});

describe('new URLs from one client', () => {
  it('should take at most newArticlesPerScope of them an hour, and new URLs of other readers still', async () => {
    const { id, host } = await createSite(undefined, { settings: { article_source: 'beacon' } });
    const urls = Array.from({ length: 12 }, (_, i) => view(id, `https://${host}/minted?n=${i}`));
    await send(`https://${host}`, urls, '198.51.100.78');
    await send(`https://${host}`, view(id, `https://${host}/real-story`), '198.51.100.79');
    await flushAllShards();
    expect(newArticlesPerScope(1000)).toBe(5);
    const ledger = await ledgerToday(id);
    expect(ledger).toMatchObject({ received: 13, counted: 6, not_counted: { new_article_budget: 7 } });
    expect(await storedTotals(id, `https://${host}/real-story`)).toEqual({ views: 1, shares: 0 });
  });
});

describe('articles in admin mode', () => {
  it('should count only articles the CMS registered', async () => {
    const { id, host } = await createSite(undefined, { settings: { article_source: 'admin' } });
    const registered = `https://${host}/registered`;
    const put = await SELF.fetch(`https://api.test/api/v1/admin/sites/${id}/articles`, {
      method: 'PUT',
      headers: { ...ADMIN, 'Content-Type': 'application/json' },
      body: JSON.stringify({ articles: [{ url: registered, title: 'From the CMS' }] }),
    });
    expect(put.status).toBe(200);
    await send(`https://${host}`, [
      view(id, registered, { title: 'Forged' }),
      view(id, `https://${host}/invented`, { title: 'Invented' }),
    ]);
    await flushAllShards();
    expect(await storedArticle(id, registered)).toMatchObject({ title: 'From the CMS', status: 'verified' });
    expect(await storedTotals(id, registered)).toEqual({ views: 1, shares: 0 });
    expect(await storedArticle(id, `https://${host}/invented`)).toBeNull();
    expect((await ledgerToday(id)).not_counted.unverified).toBe(1);
  });
});

describe('articles in page mode', () => {
  it('should hold the events of a new URL while its page is checked, then count them with the page\u2019s metadata', async () => {
    const site = await createPublisherSite();
    const url = page('/article/good');
    // A forged beacon: another title, a picture elsewhere, another section.
    await send(
      publisher,
      view(site.id, url, { title: 'Crypto giveaway', image: 'https://evil.example/x.jpg', section: 'Ads' }),
    );
    await send(publisher, view(site.id, url));
    await flushAllShards();
    expect(await storedTotals(site.id, key('/article/good'))).toEqual({ views: 0, shares: 0 });
    expect(await ledgerToday(site.id)).toMatchObject({ received: 2, counted: 0, not_counted: { unverified: 2 } });

    await runDurableObjectAlarm(site.registry);
    await flushAllShards();
    expect(await storedTotals(site.id, key('/article/good'))).toEqual({ views: 2, shares: 0 });
    expect(await storedArticle(site.id, key('/article/good'))).toMatchObject({
      title: 'Bridge closure extended to March',
      image: page('/pictures/bridge.jpg'),
      section: 'Local',
      status: 'verified',
      page_url: url,
    });
    expect(await ledgerToday(site.id)).toMatchObject({ received: 2, counted: 2, not_counted: { unverified: 0 } });
    const [top] = await popular(site.id);
    expect(top).toMatchObject({ url: key('/article/good'), title: 'Bridge closure extended to March' });

    // Once verified, a forged beacon still changes nothing it shows.
    await send(publisher, view(site.id, url, { title: 'Crypto giveaway', image: 'https://evil.example/x.jpg' }));
    await flushAllShards();
    expect(await storedArticle(site.id, key('/article/good'))).toMatchObject({
      title: 'Bridge closure extended to March',
      image: page('/pictures/bridge.jpg'),
    });
    expect(await storedTotals(site.id, key('/article/good'))).toEqual({ views: 3, shares: 0 });
  });

  it('should drop what it held for a page that fails its check, and say so in the ledger', async () => {
    const site = await createPublisherSite();
    await send(publisher, [view(site.id, page('/missing')), view(site.id, page('/moved-away'))]);
    await runDurableObjectAlarm(site.registry);
    await flushAllShards();
    expect(await storedTotals(site.id, key('/missing'))).toEqual({ views: 0, shares: 0 });
    expect(await storedArticle(site.id, key('/missing'))).toBeNull();
    expect(await ledgerToday(site.id)).toMatchObject({
      received: 2,
      counted: 0,
      not_counted: { unverified: 0, rejected: 2 },
    });
    // Known as rejected now: a later event is refused at once.
    await send(publisher, view(site.id, page('/missing')));
    await flushAllShards();
    expect((await ledgerToday(site.id)).not_counted.rejected).toBe(3);
    expect(await popular(site.id)).toEqual([]);
  });

  it('should count other spellings for the canonical article once: http/https, a redirecting slug, a declared canonical', async () => {
    const site = await createPublisherSite();
    await send(publisher, [
      view(site.id, page('/article/good')),
      view(site.id, page('/old-slug')),
      view(site.id, page('/article/print')),
    ]);
    // The https twin of the page is the same article key.
    await send(publisher, view(site.id, key('/article/good')));
    await runDurableObjectAlarm(site.registry);
    await runDurableObjectAlarm(site.registry);
    await flushAllShards();
    expect(await storedTotals(site.id, key('/article/good'))).toEqual({ views: 4, shares: 0 });
    expect(await storedArticle(site.id, key('/old-slug'))).toBeNull();
    expect(await storedArticle(site.id, key('/article/print'))).toBeNull();

    const counts = await SELF.fetch(
      `https://api.test/api/v1/sites/${site.id}/counts?url=${encodeURIComponent(page('/old-slug'))}`,
    );
    expect(await counts.json()).toMatchObject({ url: key('/article/good'), views: 4 });

    // Known aliases count for the canonical article straight away, deduped and capped as the article.
    await send(publisher, view(site.id, page('/article/print')), '198.51.100.61');
    await send(publisher, view(site.id, page('/article/good')), '198.51.100.61');
    await send(publisher, view(site.id, page('/old-slug')), '198.51.100.61');
    await flushAllShards();
    expect(await storedTotals(site.id, key('/article/good'))).toEqual({ views: 5, shares: 0 });
  });

  it('should move what D1 counted under a URL to its article when its page names another canonical', async () => {
    const site = await createPublisherSite();
    // A CMS registered the print page as an article of its own; it was read twice.
    const put = await SELF.fetch(`https://api.test/api/v1/admin/sites/${site.id}/articles`, {
      method: 'PUT',
      headers: { ...ADMIN, 'Content-Type': 'application/json' },
      body: JSON.stringify({ articles: [{ url: page('/article/print'), title: 'Print' }] }),
    });
    expect(put.status).toBe(200);
    const stayed = nextReader();
    await send(publisher, view(site.id, page('/article/print')), stayed);
    await send(publisher, view(site.id, page('/article/print')));
    // The reader of the first view stayed: a read, moved with the views.
    await send(publisher, view(site.id, page('/article/print'), { type: 'read' }), stayed);
    await flushAllShards();
    expect(await storedTotals(site.id, key('/article/print'))).toEqual({ views: 2, shares: 0 });
    const readsOf = async (table: string, url: string) =>
      (await env.DB.prepare(`SELECT coalesce(sum(reads), 0) AS n FROM ${table} WHERE site_id = ? AND url = ?`)
        .bind(site.id, url)
        .first<{ n: number }>())!.n;
    expect(await readsOf('articles', key('/article/print'))).toBe(1);

    // Its check finds the page declaring /article/good: the counts follow it.
    await runDurableObjectAlarm(site.registry);
    expect(await storedArticle(site.id, key('/article/print'))).toBeNull();
    expect(await storedTotals(site.id, key('/article/good'))).toEqual({ views: 2, shares: 0 });
    for (const table of ['articles', 'article_hours']) expect(await readsOf(table, key('/article/good'))).toBe(1);
    const counts = await SELF.fetch(
      `https://api.test/api/v1/sites/${site.id}/counts?url=${encodeURIComponent(page('/article/print'))}`,
    );
    expect(await counts.json()).toMatchObject({ url: key('/article/good'), views: 2 });
    // And so do its running window totals: once, not twice.
    expect((await popular(site.id)).map(({ url, views }) => ({ url, views }))).toEqual([
      { url: key('/article/good'), views: 2 },
    ]);

    // A flush of the old URL's increments after the move adds to the article too.
    await runInDurableObject(
      shardStub(shardIndex(site.id, key('/article/print'), readConfig(env).shardCount)),
      (_, state) => {
        state.storage.sql.exec(
          `INSERT INTO pending (site, site_created_at, url, bucket, network, n) VALUES (?, ?, ?, ?, '', 1)`,
          site.id,
          site.createdAt,
          key('/article/print'),
          Math.floor(Date.now() / 3_600_000),
        );
      },
    );
    await flushAllShards();
    expect(await storedArticle(site.id, key('/article/print'))).toBeNull();
    expect(await storedTotals(site.id, key('/article/good'))).toEqual({ views: 3, shares: 0 });
  });

  it('should fetch the URL a beacon reported only as its key, whatever junk the beacon added', async () => {
    const site = await createPublisherSite();
    await send(publisher, view(site.id, page('/article/good?utm_source=x&fbclid=junk#top')));
    const pending = await runInDurableObject(site.registry, (_, state) =>
      state.storage.sql.exec<{ page_url: string }>('SELECT page_url FROM articles').one(),
    );
    expect(pending.page_url).toBe(page('/article/good'));
  });

  it('should take the articles D1 counted before as they are, without a check to wait for nor the budget', async () => {
    const site = await createPublisherSite({ max_new_articles_per_hour: 1 });
    const [url] = await seedArticles({ id: site.id, host: new URL(publisher).host }, [
      { path: 'seeded', title: 'From before', hours: [[Math.floor(Date.now() / 3_600_000), 3]] },
    ]);
    await send(publisher, view(site.id, page('/seeded')));
    await send(publisher, view(site.id, page('/new-one')));
    await flushAllShards();
    expect(await storedTotals(site.id, url!)).toEqual({ views: 4, shares: 0 });
    expect(await storedArticle(site.id, url!)).toMatchObject({ title: 'From before', status: 'verified' });
    // The budget of one went to the new URL, not to the article from before.
    expect((await ledgerToday(site.id)).not_counted).toMatchObject({ unverified: 1, new_article_budget: 0 });
  });

  it('should count what waited for a check once the site turns to beacon mode, not what failed one', async () => {
    const site = await createPublisherSite();
    await send(publisher, [view(site.id, page('/missing')), view(site.id, page('/unavailable'))]);
    await runDurableObjectAlarm(site.registry);
    const patched = await SELF.fetch(`https://api.test/api/v1/admin/sites/${site.id}`, {
      method: 'PATCH',
      headers: { ...ADMIN, 'Content-Type': 'application/json' },
      body: JSON.stringify({ settings: { article_source: 'beacon' } }),
    });
    expect(patched.status).toBe(200);
    // The shard asks again: what it knew of the URLs was said under the other source.
    await send(publisher, [view(site.id, page('/missing')), view(site.id, page('/unavailable'))]);
    await flushAllShards();
    // The view held while the page could not be read counts too, with the new one.
    expect(await storedTotals(site.id, key('/unavailable'))).toEqual({ views: 2, shares: 0 });
    expect(await storedTotals(site.id, key('/missing'))).toEqual({ views: 0, shares: 0 });
    expect((await ledgerToday(site.id)).not_counted).toMatchObject({ unverified: 0, rejected: 2 });
  });
});

describe('a flood of invented URLs', () => {
  it('should add nothing to D1 in page mode, rank none, and check at most a few pages at a time', async () => {
    const site = await createPublisherSite({ max_new_articles_per_hour: 50 });
    const before = await env.DB.prepare('SELECT count(*) AS n FROM articles').first<{ n: number }>();
    const urls = Array.from({ length: 1000 }, (_, i) => page(`/invented/${i}?page=${i}`));
    for (let i = 0; i < urls.length; i += 20) {
      await send(
        publisher,
        urls.slice(i, i + 20).map((url) => view(site.id, url, { title: 'Spam', image: 'https://evil.example/x.jpg' })),
        '198.51.100.88',
      );
    }
    await flushAllShards();
    expect(await ledgerToday(site.id)).toMatchObject({
      received: 1000,
      counted: 0,
      not_counted: { unverified: 5, new_article_budget: 995 },
    });

    // One client brings five (newArticlesPerScope); one alarm checks four of them.
    await runDurableObjectAlarm(site.registry);
    const checked = await runInDurableObject(
      site.registry,
      (_, state) =>
        state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM articles WHERE checked_at IS NOT NULL').one()
          .n,
    );
    expect(checked).toBe(4);
    while (await runDurableObjectAlarm(site.registry)) {}
    await flushAllShards();

    const after = await env.DB.prepare('SELECT count(*) AS n FROM articles').first<{ n: number }>();
    expect(after!.n - before!.n).toBe(0);
    expect(await popular(site.id)).toEqual([]);
    expect(await ledgerToday(site.id)).toMatchObject({
      received: 1000,
      counted: 0,
      not_counted: { unverified: 0, rejected: 5, new_article_budget: 995 },
    });
  });
});

describe('the registry', () => {
  it('should check a verified page again once a day, and take its new metadata', async () => {
    const site = await createPublisherSite();
    await send(publisher, view(site.id, page('/article/good')));
    await runDurableObjectAlarm(site.registry);
    // As if the day had passed, and the newsroom had changed the headline since.
    await runInDurableObject(site.registry, (_, state) => {
      state.storage.sql.exec("UPDATE articles SET title = 'Old headline', next_check_at = 0");
    });
    expect(await runInDurableObject(site.registry, (_, state) => state.storage.getAlarm())).toBeGreaterThan(Date.now());
    await runDurableObjectAlarm(site.registry);
    const [article] = await runInDurableObject(site.registry, (_, state) =>
      state.storage.sql
        .exec<{ title: string; next_check_at: number }>('SELECT title, next_check_at FROM articles')
        .toArray(),
    );
    expect(article!.title).toBe('Bridge closure extended to March');
    expect(article!.next_check_at).toBeGreaterThan(Date.now() + 23 * 3_600_000);
  });

  it('should forget a deleted site\u2019s articles, so a site created again under its id starts with none', async () => {
    const { id, host } = await createSite(undefined, { settings: { article_source: 'beacon' } });
    await send(`https://${host}`, view(id, `https://${host}/a`, { title: 'A' }));
    const registry = registryFor(env, await loadStoredSite(id));
    const rows = () =>
      runInDurableObject(registry, (_, state) =>
        state.storage.sql
          .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'articles'")
          .toArray().length === 0
          ? 0
          : state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM articles').one().n,
      );
    expect(await rows()).toBe(1);
    const deleted = await SELF.fetch(`https://api.test/api/v1/admin/sites/${id}`, { method: 'DELETE', headers: ADMIN });
    expect(deleted.status).toBe(204);
    expect(await rows()).toBe(0);
  });
});

describe('a registry of a deleted site', () => {
  it('should forget everything at its next alarm rather than check pages for no one', async () => {
    const site = await createPublisherSite();
    await send(publisher, view(site.id, page('/unavailable')));
    await env.DB.prepare('DELETE FROM sites WHERE id = ?').bind(site.id).run();
    await runDurableObjectAlarm(site.registry);
    const left = await runInDurableObject(site.registry, (_, state) => ({
      articles: state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM articles').one().n,
      alarm: state.storage.getAlarm(),
    }));
    expect(left.articles).toBe(0);
    expect(await left.alarm).toBeNull();
  });
});

describe('a page that cannot be read', () => {
  it('should be tried again later, its events kept, and rejected once the attempts are spent', async () => {
    const site = await createPublisherSite();
    await send(publisher, view(site.id, page('/unavailable')));
    const attempt = async () => {
      await runDurableObjectAlarm(site.registry);
      return runInDurableObject(site.registry, (_, state) => {
        const row = state.storage.sql
          .exec<{ status: string; attempts: number; next_check_at: number | null }>(
            'SELECT status, attempts, next_check_at FROM articles',
          )
          .one();
        // Due again at once, for the test's next alarm.
        state.storage.sql.exec('UPDATE articles SET next_check_at = 0 WHERE next_check_at IS NOT NULL');
        return row;
      });
    };
    const first = await attempt();
    expect(first).toMatchObject({ status: 'pending', attempts: 1 });
    expect(first.next_check_at).toBeGreaterThan(Date.now() + 50_000);
    for (let i = 2; i < 5; i++) expect(await attempt()).toMatchObject({ status: 'pending', attempts: i });
    expect(await attempt()).toMatchObject({ status: 'rejected', next_check_at: null });
    await flushAllShards();
    expect(await ledgerToday(site.id)).toMatchObject({ counted: 0, not_counted: { unverified: 0, rejected: 1 } });
  });
});

describe('a read of a URL the registry does not know', () => {
  /** How many rows each table of a registry's storage holds that an event can make. */
  const registryRows = (registry: DurableObjectStub<ArticleRegistry>) =>
    runInDurableObject(registry, (_, state) =>
      Object.fromEntries(
        ['articles', 'aliases', 'new_articles', 'new_articles_by_scope', 'policy'].map((table) => [
          table,
          state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).one().n,
        ]),
      ),
    );
  const none = { articles: 0, aliases: 0, new_articles: 0, new_articles_by_scope: 0, policy: 0 };
  const read = (site: string, url: string) => view(site, url, { type: 'read' });

  it('should be no_view in beacon mode, take no article and spend none of the new-article budget', async () => {
    const { id, host } = await createSite(undefined, {
      settings: { article_source: 'beacon', max_new_articles_per_hour: 3 },
    });
    const registry = registryFor(env, await loadStoredSite(id));
    const origin = `https://${host}`;
    const reader = nextReader();
    await send(
      origin,
      [1, 2, 3].map((i) => read(id, `${origin}/unseen-${i}`)),
      reader,
    );
    expect(await registryRows(registry)).toEqual(none);
    // The whole budget is left for what the reader views.
    await send(
      origin,
      [4, 5, 6].map((i) => view(id, `${origin}/story-${i}`)),
      reader,
    );
    await flushAllShards();
    expect(await ledgerToday(id)).toMatchObject({
      received: 6,
      counted: 3,
      not_counted: { no_view: 3, new_article_budget: 0 },
    });
    const { n } = (await env.DB.prepare('SELECT count(*) AS n FROM articles WHERE site_id = ?')
      .bind(id)
      .first<{ n: number }>())!;
    expect(n).toBe(3);
  });

  it('should be no_view in page mode, and neither held nor its page fetched', async () => {
    const site = await createPublisherSite();
    await send(publisher, read(site.id, page('/article/good')));
    expect(await registryRows(site.registry)).toEqual(none);
    await runDurableObjectAlarm(site.registry);
    await flushAllShards();
    expect(await ledgerToday(site.id)).toMatchObject({
      received: 1,
      counted: 0,
      not_counted: { no_view: 1, unverified: 0 },
    });
    expect(await storedArticle(site.id, key('/article/good'))).toBeNull();
  });
});
