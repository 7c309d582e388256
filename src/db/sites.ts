import { DEFAULT_SETTINGS, type Site, type SiteSettings } from '../sites/site-schema';
import { type Query, runBatch } from './query';

interface SiteRow {
  id: string;
  name: string;
  settings: string;
  created_at: string;
  hosts: string | null; // JSON array from json_group_array
}

const SITE_SELECT = `
  SELECT s.id, s.name, s.settings, s.created_at,
         (SELECT json_group_array(h.host) FROM (SELECT host FROM site_hosts WHERE site_id = s.id ORDER BY host) h) AS hosts
  FROM sites s`;

const toSite = (row: SiteRow): Site => ({
  id: row.id,
  name: row.name,
  hosts: row.hosts ? (JSON.parse(row.hosts) as string[]) : [],
  // Settings added after a site was created take their defaults.
  settings: { ...DEFAULT_SETTINGS, ...(JSON.parse(row.settings) as Partial<SiteSettings>) },
  created_at: row.created_at,
});

export async function getSite(db: D1Database, id: string): Promise<Site | null> {
  const row = await db.prepare(`${SITE_SELECT} WHERE s.id = ?`).bind(id).first<SiteRow>();
  return row ? toSite(row) : null;
}

export async function listSites(db: D1Database): Promise<Site[]> {
  const { results } = await db.prepare(`${SITE_SELECT} ORDER BY s.id`).all<SiteRow>();
  return results.map(toSite);
}

/** Which of `hosts` already belong to a site other than `exceptSite`. */
export async function findClaimedHosts(db: D1Database, hosts: string[], exceptSite?: string): Promise<string[]> {
  if (hosts.length === 0) return [];
  const placeholders = hosts.map(() => '?').join(', ');
  const { results } = await db
    .prepare(`SELECT host FROM site_hosts WHERE host IN (${placeholders}) AND site_id IS NOT ? ORDER BY host`)
    .bind(...hosts, exceptSite ?? null)
    .all<{ host: string }>();
  return results.map((row) => row.host);
}

const insertHosts = (siteId: string, hosts: string[]): Query[] =>
  hosts.map((host) => ({ sql: 'INSERT INTO site_hosts (host, site_id) VALUES (?, ?)', params: [host, siteId] }));

/** Inserts a site and its hosts in one transaction. A taken id or host fails it whole. */
export async function insertSite(db: D1Database, site: Site): Promise<void> {
  await runBatch(db, [
    {
      sql: 'INSERT INTO sites (id, name, settings, created_at) VALUES (?, ?, ?, ?)',
      params: [site.id, site.name, JSON.stringify(site.settings), site.created_at],
    },
    ...insertHosts(site.id, site.hosts),
  ]);
}

/** Replaces a site's name, hosts and settings in one transaction. */
export async function updateSite(db: D1Database, site: Site): Promise<void> {
  await runBatch(db, [
    {
      sql: 'UPDATE sites SET name = ?, settings = ? WHERE id = ?',
      params: [site.name, JSON.stringify(site.settings), site.id],
    },
    { sql: 'DELETE FROM site_hosts WHERE site_id = ?', params: [site.id] },
    ...insertHosts(site.id, site.hosts),
  ]);
}

/**
 * Deletes a site with its hosts, articles and their aliases, counts, ledger and install check, keeping its created_at
 * in deleted_sites (migration 0006). Answers whether it existed.
 */
export async function deleteSite(db: D1Database, id: string): Promise<boolean> {
  const results = await runBatch(db, [
    {
      sql: `INSERT INTO deleted_sites (id, created_at) SELECT id, created_at FROM sites WHERE id = ?
            ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at`,
      params: [id],
    },
    { sql: 'DELETE FROM site_ledger WHERE site_id = ?', params: [id] },
    { sql: 'DELETE FROM site_box_days WHERE site_id = ?', params: [id] },
    { sql: 'DELETE FROM install_checks WHERE site_id = ?', params: [id] },
    { sql: 'DELETE FROM site_network_hours WHERE site_id = ?', params: [id] },
    { sql: 'DELETE FROM site_hours WHERE site_id = ?', params: [id] },
    { sql: 'DELETE FROM article_network_shares WHERE site_id = ?', params: [id] },
    { sql: 'DELETE FROM article_hours WHERE site_id = ?', params: [id] },
    { sql: 'DELETE FROM article_aliases WHERE site_id = ?', params: [id] },
    { sql: 'DELETE FROM articles WHERE site_id = ?', params: [id] },
    { sql: 'DELETE FROM site_hosts WHERE site_id = ?', params: [id] },
    { sql: 'DELETE FROM sites WHERE id = ?', params: [id] },
  ]);
  return (results.at(-1)?.meta.changes ?? 0) > 0;
}

/** The created_at of the last deleted site of `id`, or null if none was. */
export async function deletedSiteCreatedAt(db: D1Database, id: string): Promise<string | null> {
  const row = await db
    .prepare('SELECT created_at FROM deleted_sites WHERE id = ?')
    .bind(id)
    .first<{ created_at: string }>();
  return row?.created_at ?? null;
}
