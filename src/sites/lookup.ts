import { loadSite } from '../cache/sites';
import { unknownSite } from '../errors';
import type { Site } from './site-schema';

/** A site that exists, or a 404. */
export async function requireSite(env: Env, id: string): Promise<Site> {
  const site = await loadSite(env, id);
  if (!site) throw unknownSite({ id });
  return site;
}
