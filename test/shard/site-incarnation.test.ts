import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  ADMIN,
  bufferedRows,
  createSite,
  flushAllShards,
  postEvents,
  storedTotals,
  uniqueSiteId,
} from '../support/helpers';

const deleteSite = (id: string) =>
  SELF.fetch(`https://api.test/api/v1/admin/sites/${id}`, { method: 'DELETE', headers: ADMIN });

const siteRows = async (table: string, site: string) =>
  (await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE site_id = ?`).bind(site).first<{ n: number }>())!.n;

describe('a site deleted and created again under its id', () => {
  it('should not inherit the counts its shards still held for the deleted site', async () => {
    const id = uniqueSiteId();
    const oldHost = `old-${id}.example`;
    const newHost = `new-${id}.example`;
    await createSite(id, { hosts: [oldHost] });
    const story = `https://${oldHost}/story`;
    const view = { site: id, type: 'view', url: story, title: 'Old story' };
    expect((await postEvents(view, { origin: `https://${oldHost}` })).status).toBe(202);
    expect(await bufferedRows(id)).toBeGreaterThan(0);

    expect((await deleteSite(id)).status).toBe(204);
    await createSite(id, { hosts: [newHost] });
    const article = `https://${newHost}/article`;
    expect((await postEvents({ site: id, type: 'view', url: article }, { origin: `https://${newHost}` })).status).toBe(
      202,
    );
    await flushAllShards();

    expect(await storedTotals(id, story)).toEqual({ views: 0, shares: 0 });
    expect(await storedTotals(id, article)).toEqual({ views: 1, shares: 0 });
    expect(await siteRows('articles', id)).toBe(1);
    expect(await siteRows('article_hours', id)).toBe(1);
    const siteHours = await env.DB.prepare('SELECT sum(views) AS views FROM site_hours WHERE site_id = ?')
      .bind(id)
      .first<{ views: number }>();
    expect(siteHours).toEqual({ views: 1 });
    expect(await bufferedRows(id)).toBe(0);
  });
});
