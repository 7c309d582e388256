import type { z } from 'zod';
import { registryFor } from '../articles/registry-client';
import { storeSite } from '../cache/sites';
import { isUniqueViolation } from '../db/query';
import { deletedSiteCreatedAt, deleteSite, findClaimedHosts, getSite, insertSite, updateSite } from '../db/sites';
import { ApiError } from '../errors';
import { type createSiteBody, DEFAULT_SETTINGS, type Site, siteSettings, type updateSiteBody } from './site-schema';

// Site changes, for the admin API and the dashboard alike: ids and hosts
// unique (409), D1 first, then the KV copy that beacons read (storeSite), so
// that a change reaches them at once.

async function refuseClaimedHosts(db: D1Database, hosts: string[], siteId: string): Promise<void> {
  const claimed = await findClaimedHosts(db, hosts, siteId);
  if (claimed.length > 0) throw new ApiError('host_taken', `Already a host of another site: ${claimed.join(', ')}.`);
}

const conflictOnRace = (err: unknown): never => {
  if (isUniqueViolation(err)) throw new ApiError('conflict', 'The site id or a host was claimed meanwhile.');
  throw err;
};

/**
 * When a site created at `nowMs` is created: then, or just after the site of
 * the same id deleted before it (created at `deletedCreatedAt`), should the
 * clocks say otherwise. Shards tell a site from an earlier one of its id by
 * created_at, so no two may share it.
 */
export function creationTime(nowMs: number, deletedCreatedAt: string | null): number {
  return deletedCreatedAt === null ? nowMs : Math.max(nowMs, Date.parse(deletedCreatedAt) + 1);
}

export async function createSite(
  env: Pick<Env, 'DB' | 'CACHE'>,
  body: z.infer<typeof createSiteBody>,
  nowMs: number,
): Promise<Site> {
  if (await getSite(env.DB, body.id)) throw new ApiError('site_exists', `Site ${body.id} exists already.`);
  await refuseClaimedHosts(env.DB, body.hosts, body.id);
  const site: Site = {
    id: body.id,
    name: body.name,
    hosts: body.hosts,
    settings: siteSettings.parse({ ...DEFAULT_SETTINGS, ...body.settings }),
    created_at: new Date(creationTime(nowMs, await deletedSiteCreatedAt(env.DB, body.id))).toISOString(),
  };
  await insertSite(env.DB, site).catch(conflictOnRace);
  await storeSite(env, site.id, site);
  return site;
}

export async function changeSite(
  env: Pick<Env, 'DB' | 'CACHE'>,
  current: Site,
  patch: z.infer<typeof updateSiteBody>,
): Promise<Site> {
  const site: Site = {
    ...current,
    name: patch.name ?? current.name,
    hosts: patch.hosts ?? current.hosts,
    settings: siteSettings.parse({ ...current.settings, ...patch.settings }),
  };
  if (patch.hosts) await refuseClaimedHosts(env.DB, site.hosts, site.id);
  await updateSite(env.DB, site).catch(conflictOnRace);
  await storeSite(env, site.id, site);
  return site;
}

/** Deletes a site and its counts; answers whether it existed. */
export async function removeSite(env: Pick<Env, 'DB' | 'CACHE' | 'ARTICLES'>, id: string): Promise<boolean> {
  const site = await getSite(env.DB, id);
  const existed = await deleteSite(env.DB, id);
  await storeSite(env, id, null);
  // Its registry goes with it (a site created again under the id has one of its own).
  if (site) await registryFor(env, site).forget();
  return existed;
}
