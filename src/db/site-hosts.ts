/** The id of the site that claims `host` (lower-case, without port), or null. */
export async function siteIdOfHost(db: D1Database, host: string): Promise<string | null> {
  const row = await db.prepare('SELECT site_id FROM site_hosts WHERE host = ?').bind(host).first<{ site_id: string }>();
  return row?.site_id ?? null;
}
