import { loadSite } from '../cache/sites';
import { ApiError } from '../errors';
import type { Site } from './site-schema';

/** A site that exists, or a 404. */
export async function requireSite(env: Env, id: string): Promise<Site> {
  const site = await loadSite(env, id);
  if (!site) throw new ApiError(404, 'unknown_site', `No site ${id}.`);
  return site;
}
