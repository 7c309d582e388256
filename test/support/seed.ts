import { env } from 'cloudflare:test';
import { getSite } from '../../src/db/sites';
import type { Site } from '../../src/sites/site-schema';

/** [bucket, views, shares, reads] */
export type HourCounts = [bucket: number, views: number, shares?: number, reads?: number];

export interface SeedArticle {
  path: string;
  title?: string | null;
  image?: string | null;
  section?: string | null;
  published?: string | null;
  hours?: HourCounts[];
  /** All-time totals; the sum of `hours` when left out (reads 0 when only they are). */
  totals?: { views: number; shares: number; reads?: number };
}

/**
 * Writes articles and their hourly counts straight into D1, in chosen buckets,
 * as a flush would have left them. Answers the articles' URLs in order.
 */
export async function seedArticles(site: { id: string; host: string }, articles: SeedArticle[]): Promise<string[]> {
  const urls = articles.map((a) => `https://${site.host}/${a.path}`);
  const statements = articles.flatMap((article, i) => {
    const hours = article.hours ?? [];
    const totals = article.totals ?? {
      views: hours.reduce((sum, [, views]) => sum + views, 0),
      shares: hours.reduce((sum, [, , shares = 0]) => sum + shares, 0),
      reads: hours.reduce((sum, [, , , reads = 0]) => sum + reads, 0),
    };
    return [
      env.DB.prepare(
        `INSERT INTO articles (site_id, url, title, image, section, published, views, shares, reads, first_bucket)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).bind(
        site.id,
        urls[i]!,
        article.title === undefined ? `Title of ${article.path}` : article.title,
        article.image ?? null,
        article.section ?? null,
        article.published ?? null,
        totals.views,
        totals.shares,
        totals.reads ?? 0,
        hours.length ? Math.min(...hours.map(([b]) => b)) : 0,
      ),
      // One statement per article, however many hours: the rows travel as one JSON parameter.
      env.DB.prepare(
        `INSERT INTO article_hours (site_id, url, bucket, views, shares, reads)
         SELECT ?1, ?2, value ->> 0, value ->> 1, coalesce(value ->> 2, 0), coalesce(value ->> 3, 0) FROM json_each(?3)`,
      ).bind(site.id, urls[i]!, JSON.stringify(hours)),
    ];
  });
  await env.DB.batch(statements);
  return urls;
}

export async function loadStoredSite(id: string): Promise<Site> {
  const site = await getSite(env.DB, id);
  if (!site) throw new Error(`no site ${id}`);
  return site;
}
