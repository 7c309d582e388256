import type { Site } from '../sites/site-schema';
import type { ArticlePolicy } from './article-schema';

/** The registry of `site`: one per incarnation of its id, so a site created again starts with no articles. */
export const registryFor = (env: Pick<Env, 'ARTICLES'>, site: { id: string; created_at: string }) =>
  env.ARTICLES.getByName(JSON.stringify([site.id, site.created_at]));

/** The registry of a site named by its incarnation, as shards know it. */
export const registryOf = (env: Pick<Env, 'ARTICLES'>, site: string, siteCreatedAt: string) =>
  registryFor(env, { id: site, created_at: siteCreatedAt });

/** What the registry needs of a site's settings. */
export const policyOf = (site: Site): ArticlePolicy => ({
  source: site.settings.article_source,
  maxNewPerHour: site.settings.max_new_articles_per_hour,
  hosts: site.hosts,
  imageHosts: site.settings.image_hosts,
});
