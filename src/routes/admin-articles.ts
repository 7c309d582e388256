import { Hono } from 'hono';
import {
  type ArticleInput,
  type ArticleRecord,
  articleBody,
  articleListQuery,
  articlePatchBody,
  articlesPutBody,
  articleUrlQuery,
  incarnationOf,
  MAX_ARTICLES_PER_REQUEST,
} from '../articles/article-schema';
import { decodeArticleCursor } from '../articles/registry';
import { policyOf, registryFor } from '../articles/registry-client';
import type { AppEnv } from '../env';
import { ApiError, unknownArticle } from '../errors';
import { validate } from '../http/validation';
import { articleKey, reportedAddress } from '../ingest/site-rules';
import { describe, errors, json } from '../openapi/describe';
import { type ArticleListBody, type ArticlesBody, articleListBody, articlesBody, errorBody } from '../openapi/schemas';
import { requireSite } from '../sites/lookup';
import { type Site, siteParam } from '../sites/site-schema';

const ADMIN_ERRORS = [401, 403, 429] as const;
const security = [{ adminToken: [] }];
const unknownSiteOrArticle = { 404: json(errorBody, 'Unknown site, or no such article on it') };

/** The key of `url` on `site`, refused naming the field it came from (`label`). */
function keyOf(site: Site, url: string, label: string): string {
  try {
    return articleKey(site, url);
  } catch (err) {
    if (err instanceof ApiError) throw new ApiError(err.code, `${label}: ${err.message}`);
    throw err;
  }
}

/** A PUT's articles with their URLs made keys: all on the site, each article once, else the whole PUT is refused. */
function keyedArticles(site: Site, articles: ArticleInput[]): (ArticleInput & { pageUrl: string })[] {
  const indexOfKey = new Map<string, number>();
  return articles.map((article, index) => {
    const url = keyOf(site, article.url, `articles.${index}.url`);
    const earlier = indexOfKey.get(url);
    if (earlier !== undefined) {
      throw new ApiError(
        'invalid_request',
        `articles.${index}.url: the same article as articles.${earlier}.url (${url}).`,
      );
    }
    indexOfKey.set(url, index);
    return { ...article, url, pageUrl: reportedAddress(url, article.url) };
  });
}

/** A cursor this API gave, or none for the first page; anything else is refused rather than read as the start. */
function pageCursor(cursor: string | undefined): string | null {
  if (cursor === undefined) return null;
  if (decodeArticleCursor(cursor) === null) {
    throw new ApiError('invalid_request', 'cursor: not a cursor this API gave; leave it out for the first page.');
  }
  return cursor;
}

/** The routes in the OpenAPI document. */
const DOCS = {
  list: describe(
    'Admin',
    "A site's articles with one status, or its hidden ones: 100 a page, in URL order",
    { 200: json(articleListBody, 'A page of articles'), ...errors(400, ...ADMIN_ERRORS, 404) },
    { security },
  ),
  put: describe(
    'Admin',
    `Register up to ${MAX_ARTICLES_PER_REQUEST} articles as a CMS pushes them: verified with their metadata (in page mode, their pages checked too)`,
    { 200: json(articlesBody, 'The articles as stored'), ...errors(400, ...ADMIN_ERRORS, 404) },
    { security },
  ),
  patch: describe(
    'Admin',
    "Change an article's metadata (null clears a field), or hide it from rankings",
    { 200: json(articleBody, 'The changed article'), ...errors(400, ...ADMIN_ERRORS), ...unknownSiteOrArticle },
    { security },
  ),
  check: describe(
    'Admin',
    "Fetch and check an article's page now",
    { 200: json(articleBody, 'The article after the check'), ...errors(400, ...ADMIN_ERRORS), ...unknownSiteOrArticle },
    { security },
  ),
};

/**
 * A site's articles (API.md "Operating"), mounted at
 * /api/v1/admin/sites/{site}/articles behind the admin API's token check:
 * what its registry holds, as a CMS or an editor changes it.
 */
export const adminArticleRoutes = new Hono<AppEnv>()
  .get('/', DOCS.list, validate('param', siteParam), validate('query', articleListQuery), async (c) => {
    const { status, cursor } = c.req.valid('query');
    const after = pageCursor(cursor);
    const site = await requireSite(c.env, c.req.valid('param').site);
    const page = await registryFor(c.env, site).list({ status, cursor: after, limit: MAX_ARTICLES_PER_REQUEST });
    return c.json(page satisfies ArticleListBody);
  })
  .put('/', DOCS.put, validate('param', siteParam), validate('json', articlesPutBody), async (c) => {
    const site = await requireSite(c.env, c.req.valid('param').site);
    const articles = keyedArticles(site, c.req.valid('json').articles);
    const stored = await registryFor(c.env, site).upsert(incarnationOf(site), policyOf(site), articles);
    return c.json({ articles: stored } satisfies ArticlesBody);
  })
  .patch(
    '/',
    DOCS.patch,
    validate('param', siteParam),
    validate('query', articleUrlQuery),
    validate('json', articlePatchBody),
    async (c) => {
      const site = await requireSite(c.env, c.req.valid('param').site);
      const url = keyOf(site, c.req.valid('query').url, 'url');
      const article = await registryFor(c.env, site).patch(incarnationOf(site), url, c.req.valid('json'));
      if (!article) throw unknownArticle(site.id, url);
      return c.json(article satisfies ArticleRecord);
    },
  )
  .post('/check', DOCS.check, validate('param', siteParam), validate('query', articleUrlQuery), async (c) => {
    const site = await requireSite(c.env, c.req.valid('param').site);
    const url = keyOf(site, c.req.valid('query').url, 'url');
    const article = await registryFor(c.env, site).recheck(incarnationOf(site), policyOf(site), url);
    if (!article) throw unknownArticle(site.id, url);
    return c.json(article satisfies ArticleRecord);
  });
