import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { readInstallCheck } from '../db/install-check';
import { getSite, listSites } from '../db/sites';
import type { AppEnv } from '../env';
import { ApiError } from '../errors';
import { exportQuery, exportResponse } from '../export/download';
import { validate } from '../http/validation';
import { errors, html } from '../openapi/describe';
import { changeSite, createSite, removeSite } from '../sites/manage';
import { createSiteBody, type Site, siteId, siteParam, updateSiteBody } from '../sites/site-schema';
import { ASSETS, dashboardPage, describeDashboard } from './page';
import { SITES_PATH, sitePath } from './paths';
import { readPostedForm } from './posted-form';
import {
  type Feedback,
  issueMessages,
  newSiteForm,
  readSiteForm,
  type SiteForm,
  siteBody,
  siteForm,
} from './site-form';
import { SitePage, SitesPage, UnknownSitePage } from './views/sites';

/** What a redirect after a post asks the next page to say (post/redirect/get). */
const doneQuery = z.object({
  done: z.enum(['created', 'saved', 'deleted']).optional().catch(undefined),
  id: siteId.optional().catch(undefined),
});

const DONE_MESSAGES = {
  created: 'Site created. Paste the embed code below into your pages.',
  saved: 'Changes saved.',
} as const;

const sitesPage = async (c: Context<AppEnv>, form: SiteForm, feedback: Feedback, status: 200 | 400 | 409 = 200) =>
  dashboardPage(
    c,
    <SitesPage assets={ASSETS} sites={await listSites(c.env.DB)} form={form} feedback={feedback} />,
    status,
  );

const sitePage = async (
  c: Context<AppEnv>,
  site: Site,
  form: SiteForm,
  feedback: Feedback,
  status: 200 | 400 | 409 = 200,
) =>
  dashboardPage(
    c,
    <SitePage
      assets={ASSETS}
      site={site}
      installCheck={await readInstallCheck(c.env.DB, site.id, Date.now())}
      form={form}
      origin={new URL(c.req.url).origin}
      feedback={feedback}
    />,
    status,
  );

/** A post whose body is not a form (readPostedForm): the page again, empty of what could not be read. */
const UNREADABLE: Feedback = { errors: ['The form could not be read. Reload this page and send it again.'] };

/** A refusal the form can show (a taken id or host); anything else goes on to the error funnel. */
const formConflict = (err: unknown): string => {
  if (err instanceof ApiError && err.status === 409) return err.message;
  throw err;
};

/** The routes in the OpenAPI document. */
const DOCS = {
  list: describeDashboard('Sites, and the form to create one', { 200: html('The list and the form') }),
  create: describeDashboard('Create a site (form post)', {
    400: html('The form again, with what was refused (or that the body was not a form)'),
    409: html('Id or host taken: the form again'),
    ...errors(403, 413),
  }),
  show: describeDashboard('A site: install check, embed code, settings, export, deletion', {
    200: html('The site page'),
    404: html('No such site'),
    ...errors(400),
  }),
  change: describeDashboard('Change a site (form post)', {
    400: html('The form again, with what was refused (or that the body was not a form)'),
    404: html('No such site'),
    409: html('Host taken: the form again'),
    ...errors(403, 413),
  }),
  remove: describeDashboard('Delete a site and its counts (form post, the id typed to confirm)', {
    400: html('Not confirmed, or a body that was not a form'),
    404: html('No such site'),
    ...errors(403, 413),
  }),
  export: describeDashboard('Download the export, as GET /api/v1/admin/sites/{site}/export gives it', {
    200: { description: 'CSV or JSON, as an attachment' },
    ...errors(400, 404),
  }),
};

/**
 * Site management from the dashboard: plain HTML forms checked with the
 * admin API's schemas. A refused form is shown again with what was typed and
 * why (400, or 409 for a taken id or host); a saved one redirects (303).
 */
export const dashboardSiteRoutes = new Hono<AppEnv>()
  .get('/sites', DOCS.list, validate('query', doneQuery), async (c) => {
    const { done, id } = c.req.valid('query');
    return sitesPage(c, newSiteForm(), done === 'deleted' && id ? { done: `Site ${id} deleted.` } : {});
  })
  .post('/sites', DOCS.create, async (c) => {
    const posted = await readPostedForm(c);
    if (!posted) return sitesPage(c, newSiteForm(), UNREADABLE, 400);
    const form = readSiteForm(posted);
    const parsed = createSiteBody.safeParse(siteBody(form));
    if (!parsed.success) return sitesPage(c, form, { errors: issueMessages(parsed.error) }, 400);
    try {
      const site = await createSite(c.env, parsed.data, Date.now());
      return c.redirect(`${sitePath(site.id)}?done=created`, 303);
    } catch (err) {
      return sitesPage(c, form, { errors: [formConflict(err)] }, 409);
    }
  })
  .get('/sites/:site', DOCS.show, validate('param', siteParam), validate('query', doneQuery), async (c) => {
    const site = await getSite(c.env.DB, c.req.valid('param').site);
    if (!site) return dashboardPage(c, <UnknownSitePage assets={ASSETS} id={c.req.valid('param').site} />, 404);
    const { done } = c.req.valid('query');
    return sitePage(
      c,
      site,
      siteForm(site),
      done === 'created' || done === 'saved' ? { done: DONE_MESSAGES[done] } : {},
    );
  })
  .post('/sites/:site', DOCS.change, validate('param', siteParam), async (c) => {
    const current = await getSite(c.env.DB, c.req.valid('param').site);
    if (!current) return dashboardPage(c, <UnknownSitePage assets={ASSETS} id={c.req.valid('param').site} />, 404);
    const posted = await readPostedForm(c);
    if (!posted) return sitePage(c, current, siteForm(current), UNREADABLE, 400);
    const form = { ...readSiteForm(posted), id: current.id };
    const { name, hosts, settings } = siteBody(form);
    const parsed = updateSiteBody.safeParse({ name, hosts, settings });
    if (!parsed.success) return sitePage(c, current, form, { errors: issueMessages(parsed.error) }, 400);
    try {
      await changeSite(c.env, current, parsed.data);
      return c.redirect(`${sitePath(current.id)}?done=saved`, 303);
    } catch (err) {
      return sitePage(c, current, form, { errors: [formConflict(err)] }, 409);
    }
  })
  .post('/sites/:site/delete', DOCS.remove, validate('param', siteParam), async (c) => {
    const site = await getSite(c.env.DB, c.req.valid('param').site);
    if (!site) return dashboardPage(c, <UnknownSitePage assets={ASSETS} id={c.req.valid('param').site} />, 404);
    const posted = await readPostedForm(c);
    if (!posted) return sitePage(c, site, siteForm(site), UNREADABLE, 400);
    if (posted.confirm !== site.id) {
      return sitePage(
        c,
        site,
        siteForm(site),
        { errors: [`Type ${site.id} in the box to confirm the deletion.`] },
        400,
      );
    }
    await removeSite(c.env, site.id);
    return c.redirect(`${SITES_PATH}?${new URLSearchParams({ done: 'deleted', id: site.id })}`, 303);
  })
  .get('/sites/:site/export', DOCS.export, validate('param', siteParam), validate('query', exportQuery), (c) =>
    exportResponse(c.env.DB, c.req.valid('param').site, c.req.valid('query').format, Date.now()),
  );
