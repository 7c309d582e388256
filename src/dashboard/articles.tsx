import { type Context, Hono } from 'hono';
import { z } from 'zod';
import {
  ARTICLE_LIST_STATUSES,
  ARTICLE_STATUSES,
  type ArticlePolicy,
  articleUrl,
  incarnationOf,
  MAX_ARTICLES_PER_REQUEST,
} from '../articles/article-schema';
import { decodeArticleCursor } from '../articles/registry';
import { policyOf, registryFor } from '../articles/registry-client';
import { getSite } from '../db/sites';
import type { AppEnv } from '../env';
import { ApiError } from '../errors';
import { validate } from '../http/validation';
import { MAX_URL_LENGTH } from '../ingest/normalise-url';
import { articleKey } from '../ingest/site-rules';
import { errors, html } from '../openapi/describe';
import { type Site, siteParam } from '../sites/site-schema';
import { ASSETS, dashboardPage, describeDashboard } from './page';
import { articleListPath } from './paths';
import { readPostedForm } from './posted-form';
import { type ArticleListFeedback, ArticleListPage, type ArticleListView } from './views/articles';
import { UnknownSitePage } from './views/sites';

/**
 * The picture the list may show of an article: over https only (the
 * dashboard's CSP loads no other) and on the site's hosts or image_hosts, so
 * that opening the list tells no third party about it. Null otherwise: the
 * list then shows the picture's address as text.
 */
export function shownPicture(image: string | null, policy: Pick<ArticlePolicy, 'hosts' | 'imageHosts'>): string | null {
  const url = image === null ? null : URL.parse(image);
  if (url?.protocol !== 'https:') return null;
  return policy.hosts.includes(url.hostname) || policy.imageHosts.includes(url.hostname) ? image : null;
}

/** A page cursor the registry gave; an edited one falls back to the first page. */
const cursorField = z
  .string()
  .max(4096)
  .refine((cursor) => decodeArticleCursor(cursor) !== null)
  .optional()
  .catch(undefined);

/**
 * The list's address: its tab and page, and what a row's form just did
 * (post/redirect/get). Edited values fall back to the defaults.
 */
const listQuery = z.object({
  status: z.enum(ARTICLE_LIST_STATUSES).catch('verified'),
  cursor: cursorField,
  done: z.enum(['hidden', 'unhidden', 'checked']).optional().catch(undefined),
  url: z.string().max(MAX_URL_LENGTH).optional().catch(undefined),
  now: z.enum(ARTICLE_STATUSES).optional().catch(undefined),
});

/** What a row's form posts: its article, and the tab and page to go back to. */
const rowForm = z.object({
  url: articleUrl,
  status: z.enum(ARTICLE_LIST_STATUSES).catch('verified'),
  cursor: cursorField,
});

const feedbackOf = ({ done, url, now }: z.infer<typeof listQuery>): ArticleListFeedback => {
  if (done === undefined || url === undefined) return null;
  if (done !== 'checked') return { done, url };
  return now === undefined ? null : { done, url, now };
};

const listAddress = (site: string, view: ArticleListView, done: Record<string, string>) =>
  articleListPath(site, { status: view.status, ...(view.cursor ? { cursor: view.cursor } : {}), ...done });

async function listPage(
  c: Context<AppEnv>,
  site: Site,
  view: ArticleListView,
  feedback: ArticleListFeedback,
  status: 200 | 404 = 200,
): Promise<Response> {
  const page = await registryFor(c.env, site).list({
    status: view.status,
    cursor: view.cursor,
    limit: MAX_ARTICLES_PER_REQUEST,
  });
  const policy = policyOf(site);
  const rows = page.articles.map((article) => ({ ...article, picture: shownPicture(article.image, policy) }));
  return dashboardPage(
    c,
    <ArticleListPage assets={ASSETS} site={site} view={view} rows={rows} next={page.cursor} feedback={feedback} />,
    status,
  );
}

const unknownSitePage = (c: Context<AppEnv>, id: string) =>
  dashboardPage(c, <UnknownSitePage assets={ASSETS} id={id} />, 404);

/** A row form's article key and the view to go back to; a form that cannot be read, or names no article of the site, is a 400. */
async function readRowForm(c: Context<AppEnv>, site: Site): Promise<{ url: string; view: ArticleListView }> {
  const posted = await readPostedForm(c);
  if (!posted) throw new ApiError('invalid_request', 'The form could not be read. Reload the list and try again.');
  const form = rowForm.safeParse(posted);
  if (!form.success) throw new ApiError('invalid_request', 'The form names no article. Reload the list and try again.');
  const { url, status, cursor } = form.data;
  return { url: articleKey(site, url), view: { status, cursor: cursor ?? null } };
}

/** Hides an article from rankings, or shows it again, then back to the list (303). */
async function setHidden(c: Context<AppEnv>, id: string, hidden: boolean): Promise<Response> {
  const site = await getSite(c.env.DB, id);
  if (!site) return unknownSitePage(c, id);
  const { url, view } = await readRowForm(c, site);
  const article = await registryFor(c.env, site).patch(incarnationOf(site), url, { hidden });
  if (!article) return listPage(c, site, view, { missing: url }, 404);
  return c.redirect(listAddress(site.id, view, { done: hidden ? 'hidden' : 'unhidden', url: article.url }), 303);
}

const rowFormAnswers = {
  303: { description: 'Done: back to the list, saying so' },
  404: html('No such site, or no such article (the list, saying so)'),
  ...errors(400, 403, 413),
};

/** The routes in the OpenAPI document. */
const DOCS = {
  list: describeDashboard(
    "A site's articles: a tab per status and one for the hidden, 100 a page, each to hide or check again",
    { 200: html('The list'), 404: html('No such site'), ...errors(400) },
  ),
  hide: describeDashboard('Hide an article from rankings (form post)', rowFormAnswers),
  unhide: describeDashboard('Show a hidden article in rankings again (form post)', rowFormAnswers),
  check: describeDashboard("Fetch and check an article's page again (form post)", rowFormAnswers),
};

/**
 * GET /dashboard/sites/{site}/articles/list and its row forms: the site's
 * articles as its registry holds them, as the admin API lists and changes them.
 */
export const dashboardArticleListRoutes = new Hono<AppEnv>()
  .get(
    '/sites/:site/articles/list',
    DOCS.list,
    validate('param', siteParam),
    validate('query', listQuery),
    async (c) => {
      const site = await getSite(c.env.DB, c.req.valid('param').site);
      if (!site) return unknownSitePage(c, c.req.valid('param').site);
      const query = c.req.valid('query');
      return listPage(c, site, { status: query.status, cursor: query.cursor ?? null }, feedbackOf(query));
    },
  )
  .post('/sites/:site/articles/hide', DOCS.hide, validate('param', siteParam), (c) =>
    setHidden(c, c.req.valid('param').site, true),
  )
  .post('/sites/:site/articles/unhide', DOCS.unhide, validate('param', siteParam), (c) =>
    setHidden(c, c.req.valid('param').site, false),
  )
  .post('/sites/:site/articles/check', DOCS.check, validate('param', siteParam), async (c) => {
    const site = await getSite(c.env.DB, c.req.valid('param').site);
    if (!site) return unknownSitePage(c, c.req.valid('param').site);
    const { url, view } = await readRowForm(c, site);
    const article = await registryFor(c.env, site).recheck(incarnationOf(site), policyOf(site), url);
    if (!article) return listPage(c, site, view, { missing: url }, 404);
    return c.redirect(listAddress(site.id, view, { done: 'checked', url: article.url, now: article.status }), 303);
  });
