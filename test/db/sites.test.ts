import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { getSite, listSites } from '../../src/db/sites';
import { DEFAULT_SETTINGS } from '../../src/sites/site-schema';
import { ADMIN, uniqueSiteId } from '../support/helpers';

describe('sites as stored in D1', () => {
  it('should give a site stored before a setting existed its default, and keep the settings it has', async () => {
    const id = uniqueSiteId();
    // The settings of a site created before issue 13: no article_source, image_hosts, exclude_paths nor budget.
    const stored = {
      share_weight: 3,
      half_life_hours: 6,
      respect_gpc: true,
      networks: ['x', 'email'],
      max_events_per_second: 100,
      max_visitors_per_ip: 5,
      hourly_retention_days: 31,
      daily_retention_days: 400,
      time_zone: 'Europe/Berlin',
    };
    await env.DB.batch([
      env.DB.prepare("INSERT INTO sites (id, name, settings, created_at) VALUES (?, 'Old', ?, ?)").bind(
        id,
        JSON.stringify(stored),
        '2026-01-01T00:00:00.000Z',
      ),
      env.DB.prepare('INSERT INTO site_hosts (host, site_id) VALUES (?, ?)').bind(`${id}.example`, id),
    ]);
    const expected = {
      ...stored,
      article_source: 'page',
      image_hosts: [],
      exclude_paths: [],
      max_new_articles_per_hour: 1000,
    };
    expect(expected).toEqual({ ...DEFAULT_SETTINGS, ...stored });
    expect((await getSite(env.DB, id))?.settings).toEqual(expected);
    expect((await listSites(env.DB)).find((site) => site.id === id)?.settings).toEqual(expected);

    // Changed through the admin API, it keeps what it had.
    const changed = await SELF.fetch(`https://api.test/api/v1/admin/sites/${id}`, {
      method: 'PATCH',
      headers: { ...ADMIN, 'Content-Type': 'application/json' },
      body: JSON.stringify({ settings: { exclude_paths: ['/tag/*'] } }),
    });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ settings: { ...expected, exclude_paths: ['/tag/*'] } });
  });
});
