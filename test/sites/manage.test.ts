import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createSite, creationTime, removeSite } from '../../src/sites/manage';
import { createSiteBody, DEFAULT_SETTINGS, siteSettingsPatch } from '../../src/sites/site-schema';
import { seedBoxDays } from '../recirculation/box-support';
import { uniqueSiteId } from '../support/helpers';
import { seedArticles } from '../support/seed';

const NOW = Date.UTC(2026, 10, 20, 10, 0);

describe('creationTime', () => {
  it('should be now, or just after the deleted site of the id when that was created later by the clocks', () => {
    expect(creationTime(NOW, null)).toBe(NOW);
    expect(creationTime(NOW, new Date(NOW - 60_000).toISOString())).toBe(NOW);
    expect(creationTime(NOW, new Date(NOW).toISOString())).toBe(NOW + 1);
    expect(creationTime(NOW, new Date(NOW + 5).toISOString())).toBe(NOW + 6);
  });
});

describe('createSite after removeSite', () => {
  it('should give a site created again under an id a later created_at than the deleted one, in the same millisecond too', async () => {
    const id = uniqueSiteId();
    const body = { id, name: 'Again', hosts: [`${id}.example`] };
    const first = await createSite(env, body, NOW);
    expect(await removeSite(env, id)).toBe(true);
    const second = await createSite(env, body, NOW);
    expect(await removeSite(env, id)).toBe(true);
    const third = await createSite(env, body, NOW);
    expect([first, second, third].map((site) => site.created_at)).toEqual([
      new Date(NOW).toISOString(),
      new Date(NOW + 1).toISOString(),
      new Date(NOW + 2).toISOString(),
    ]);
  });
});

describe('createSite: the settings of issue 13', () => {
  it('should give a new site the defaults: articles from its pages, no image hosts or excluded paths, 1,000 new articles an hour', async () => {
    const id = uniqueSiteId();
    const site = await createSite(env, createSiteBody.parse({ id, name: 'New', hosts: [`${id}.example`] }), NOW);
    expect(site.settings).toMatchObject({
      article_source: 'page',
      image_hosts: [],
      exclude_paths: [],
      max_new_articles_per_hour: 1000,
    });
    expect(site.settings).toEqual(DEFAULT_SETTINGS);
  });
});

describe('siteSettingsPatch', () => {
  const issues = (settings: Record<string, unknown>) => {
    const parsed = siteSettingsPatch.safeParse(settings);
    return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.'));
  };

  it('should take each article source, and no other', () => {
    for (const article_source of ['page', 'beacon', 'admin']) expect(issues({ article_source })).toEqual([]);
    expect(issues({ article_source: 'shard' })).toEqual(['article_source']);
  });

  it('should take up to 50 image hosts, lower-cased and each once', () => {
    expect(siteSettingsPatch.parse({ image_hosts: ['CDN.news.example', 'cdn.news.example', 'img.example'] })).toEqual({
      image_hosts: ['cdn.news.example', 'img.example'],
    });
    expect(issues({ image_hosts: Array.from({ length: 50 }, (_, i) => `i${i}.example`) })).toEqual([]);
    expect(issues({ image_hosts: Array.from({ length: 51 }, (_, i) => `i${i}.example`) })).toEqual(['image_hosts']);
    expect(issues({ image_hosts: ['https://cdn.example'] })).toEqual(['image_hosts.0']);
  });

  it('should take up to 50 path patterns of at most 200 characters, each starting with a slash', () => {
    expect(issues({ exclude_paths: ['/', '/tag/*', `/${'a'.repeat(199)}`] })).toEqual([]);
    expect(issues({ exclude_paths: Array.from({ length: 51 }, (_, i) => `/p${i}`) })).toEqual(['exclude_paths']);
    expect(issues({ exclude_paths: [`/${'a'.repeat(200)}`] })).toEqual(['exclude_paths.0']);
    expect(issues({ exclude_paths: ['tag/*'] })).toEqual(['exclude_paths.0']);
    expect(issues({ exclude_paths: [''] })).toEqual(['exclude_paths.0']);
  });

  it('should refuse a pattern with a query or fragment: patterns are matched against the path alone', () => {
    expect(issues({ exclude_paths: ['/search?q=*'] })).toEqual(['exclude_paths.0']);
    expect(issues({ exclude_paths: ['/a#top'] })).toEqual(['exclude_paths.0']);
  });

  it('should keep patterns spelled as article keys spell paths, each once', () => {
    expect(
      siteSettingsPatch.parse({ exclude_paths: ['/thema/müll*', '/thema/m%C3%BCll*', '/a b/*', '//x', '/a/./b/../c'] }),
    ).toEqual({ exclude_paths: ['/thema/m%C3%BCll*', '/a%20b/*', '//x', '/a/c'] });
  });

  it('should take from 1 to 100,000 new articles an hour, whole', () => {
    expect(issues({ max_new_articles_per_hour: 1 })).toEqual([]);
    expect(issues({ max_new_articles_per_hour: 100_000 })).toEqual([]);
    for (const max_new_articles_per_hour of [0, 100_001, 1.5]) {
      expect(issues({ max_new_articles_per_hour })).toEqual(['max_new_articles_per_hour']);
    }
  });
});

describe('removeSite', () => {
  it("should delete the site's article aliases with its articles, and no other site's", async () => {
    const [gone, kept] = await Promise.all(
      [uniqueSiteId(), uniqueSiteId()].map((id) => createSite(env, { id, name: id, hosts: [`${id}.example`] }, NOW)),
    );
    for (const site of [gone!, kept!]) {
      const [url] = await seedArticles({ id: site.id, host: site.hosts[0]! }, [
        { path: 'new', totals: { views: 1, shares: 0 } },
      ]);
      await env.DB.prepare('INSERT INTO article_aliases (site_id, alias, url) VALUES (?, ?, ?)')
        .bind(site.id, `https://${site.hosts[0]}/old`, url)
        .run();
    }
    expect(await removeSite(env, gone!.id)).toBe(true);
    const aliasesOf = async (site: string) =>
      (await env.DB.prepare('SELECT count(*) AS n FROM article_aliases WHERE site_id = ?')
        .bind(site)
        .first<{ n: number }>())!.n;
    expect(await aliasesOf(gone!.id)).toBe(0);
    expect(await aliasesOf(kept!.id)).toBe(1);
  });

  it("should delete the site's popular-box figures, so a site made again under its id starts from none", async () => {
    const [gone, kept] = await Promise.all(
      [uniqueSiteId(), uniqueSiteId()].map((id) => createSite(env, { id, name: id, hosts: [`${id}.example`] }, NOW)),
    );
    for (const site of [gone!, kept!]) await seedBoxDays(site.id, [[20_000, 'views-24h', 3, 0, 2, 1]]);
    expect(await removeSite(env, gone!.id)).toBe(true);
    const boxRowsOf = async (site: string) =>
      (await env.DB.prepare('SELECT count(*) AS n FROM site_box_days WHERE site_id = ?')
        .bind(site)
        .first<{ n: number }>())!.n;
    expect(await boxRowsOf(gone!.id)).toBe(0);
    expect(await boxRowsOf(kept!.id)).toBe(1);
  });
});
