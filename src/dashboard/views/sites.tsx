import type { FC } from 'hono/jsx';
import { isLinkNetwork, NETWORK_LABELS, NETWORKS } from '../../../common/networks';
import { ARTICLE_SOURCES, type ArticleSource } from '../../articles/article-schema';
import type { HostCheck } from '../../db/install-check';
import type { Site } from '../../sites/site-schema';
import type { DashboardAssets } from '../assets';
import { articleListPath, SITES_PATH, sitePath } from '../paths';
import type { Feedback, ListFieldName, NumberFieldName, SiteForm } from '../site-form';
import { InstallCheck } from './install-check';
import { DashboardLayout, ExportLinks, Notice, overviewPath } from './layout';
import { ScrollTable } from './table';

const FeedbackNotice: FC<{ feedback: Feedback }> = ({ feedback }) =>
  feedback.errors?.length ? (
    <Notice kind="error">
      Not saved:
      <ul>
        {feedback.errors.map((message) => (
          <li>{message}</li>
        ))}
      </ul>
    </Notice>
  ) : feedback.done ? (
    <Notice kind="ok">{feedback.done}</Notice>
  ) : null;

/** What the form says of a number setting: its label, the browser's bounds, and a hint in plain words. */
interface NumberSetting {
  label: string;
  min: number;
  max: number;
  step: 'any' | '1';
  hint: string;
}

const NUMBER_SETTINGS: Record<NumberFieldName, NumberSetting> = {
  share_weight: {
    label: 'How much a share counts in the score',
    min: 0,
    max: 1000,
    step: 'any',
    hint: 'Default 5: a share scores like 5 views (score = views + this × shares).',
  },
  half_life_hours: {
    label: 'Hours until trending counts half as much',
    min: 0.01,
    max: 8760,
    step: 'any',
    hint: 'Default 12: a view or share 12 hours old weighs half as much in Trending as one just now.',
  },
  max_events_per_second: {
    label: 'Most views and shares counted per second for one article',
    min: 1,
    max: 1000000,
    step: '1',
    hint: 'Default 5,000, far above a real front-page spike: beyond it, the extra views and shares are not counted, so no script can inflate a story.',
  },
  max_visitors_per_ip: {
    label: 'Readers counted from one internet address',
    min: 1,
    max: 100000,
    step: '1',
    hint: 'Default 20, per article and day (an IPv6 address counts by its /64): one machine cannot inflate a story, readers sharing an office or carrier address still count up to it.',
  },
  max_new_articles_per_hour: {
    label: 'New articles a site takes per hour',
    min: 1,
    max: 100000,
    step: '1',
    hint: 'Default 1,000: beyond it, views and shares of further new addresses are not counted that hour, so no script can flood the site with invented articles.',
  },
  hourly_retention_days: {
    label: 'Keep hour-by-hour counts for (days)',
    min: 31,
    max: 400,
    step: '1',
    hint: '31 to 400.',
  },
  daily_retention_days: {
    label: 'Keep day-by-day counts for (days)',
    min: 31,
    max: 3660,
    step: '1',
    hint: '31 to 3,660. All-time totals are kept regardless.',
  },
};

const NumberFields: FC<{ names: NumberFieldName[]; form: SiteForm }> = ({ names, form }) => (
  <div class="fields">
    {names.map((name) => {
      const setting = NUMBER_SETTINGS[name];
      return (
        <div class="field">
          <label for={name}>{setting.label}</label>
          <input
            id={name}
            name={name}
            type="number"
            inputmode="decimal"
            value={form[name]}
            min={setting.min}
            max={setting.max}
            step={setting.step}
          />
          <p class="hint">{setting.hint}</p>
        </div>
      );
    })}
  </div>
);

/** A list typed one per line, as `listOf` in site-form.ts reads it. */
const ListField: FC<{
  name: 'hosts' | ListFieldName;
  label: string;
  form: SiteForm;
  required?: boolean;
  hint: string;
}> = ({ name, label, form, required, hint }) => (
  <div class="field">
    <label for={name}>{label}</label>
    <textarea id={name} name={name} required={required} spellcheck={false} autocomplete="off">
      {form[name]}
    </textarea>
    <p class="hint">{hint}</p>
  </div>
);

const ARTICLE_SOURCE_LABELS: Record<ArticleSource, string> = {
  page: "The article's page: sharepulse fetches it from the site's hosts and reads its title and picture",
  beacon: 'The widget on the page, for pages sharepulse cannot fetch: the first title and picture it sends are kept',
  admin: 'Only articles your CMS registers through the admin API: views of other pages are not counted',
};

/** The zones the runtime knows, to pick from; any IANA name it accepts will do. */
const TIME_ZONES = ['UTC', ...Intl.supportedValuesOf('timeZone')];

/**
 * The fields of a site, for creating (with an id) or editing one. Values are
 * checked on the server with the admin API's own schemas; the browser's
 * min/max only saves a round trip.
 */
const SiteFields: FC<{ form: SiteForm; creating: boolean }> = ({ form, creating }) => (
  <>
    <div class="fields">
      {creating ? (
        <div class="field">
          <label for="id">Id</label>
          <input
            id="id"
            name="id"
            value={form.id}
            required
            pattern="[a-z0-9][a-z0-9\-]{0,31}"
            title="1 to 32 lower-case letters, digits and dashes, starting with a letter or digit"
            maxlength={32}
            autocomplete="off"
          />
          <p class="hint">
            1 to 32 lower-case letters (a–z), digits and dashes, starting with a letter or digit, such as
            riverside-post. Used in the embed code; cannot be changed.
          </p>
        </div>
      ) : null}
      <div class="field">
        <label for="name">Name</label>
        <input id="name" name="name" value={form.name} required maxlength={200} />
        <p class="hint">The publication's name, as the dashboard shows it.</p>
      </div>
    </div>
    <ListField
      name="hosts"
      label="Hosts"
      form={form}
      required
      hint="The host names whose pages may count, one per line: news.example, www.news.example. No scheme or port."
    />
    <fieldset>
      <legend>Networks shown</legend>
      <div class="checks">
        {NETWORKS.map((network) => (
          <label>
            <input type="checkbox" name="networks" value={network} checked={form.networks.includes(network)} />
            {NETWORK_LABELS[network]}
          </label>
        ))}
      </div>
    </fieldset>
    <div class="field">
      <label for="time_zone">Time zone</label>
      <input
        id="time_zone"
        name="time_zone"
        value={form.time_zone}
        list="time-zones"
        spellcheck={false}
        autocomplete="off"
        maxlength={64}
      />
      <datalist id="time-zones">
        {TIME_ZONES.map((zone) => (
          <option value={zone} />
        ))}
      </datalist>
      <p class="hint">
        The newsroom's time zone, such as Europe/Paris: the dashboard's hours and days are on its clock. Counts are kept
        per UTC hour, so in a zone a half or quarter hour off UTC (Asia/Kolkata, Asia/Kathmandu) each hour counts in the
        day it starts in.
      </p>
    </div>
    <fieldset>
      <legend>Ranking and privacy</legend>
      <NumberFields names={['share_weight', 'half_life_hours']} form={form} />
      <div class="field">
        <label class="check">
          <input type="checkbox" name="respect_gpc" checked={form.respect_gpc} />
          Do not count visitors who send Global Privacy Control (Sec-GPC: 1)
        </label>
      </div>
    </fieldset>
    <fieldset>
      <legend>Articles</legend>
      <fieldset class="choices">
        <legend>Where article titles and pictures come from</legend>
        {ARTICLE_SOURCES.map((source) => (
          <label class="check">
            <input type="radio" name="article_source" value={source} checked={form.article_source === source} />
            {ARTICLE_SOURCE_LABELS[source]}
          </label>
        ))}
      </fieldset>
      <ListField
        name="image_hosts"
        label="Hosts pictures may come from, besides the site's"
        form={form}
        hint="One per line, such as images.news.example: a picture the widget sends from any other host is not shown."
      />
      <ListField
        name="exclude_paths"
        label="Pages counted but never ranked"
        form={form}
        hint="Paths, one per line, * matching anything: / for the front page, /tag/* for every tag page. Their views and shares count; they never appear among the most popular."
      />
      <NumberFields names={['max_new_articles_per_hour']} form={form} />
    </fieldset>
    <fieldset>
      <legend>Protection against inflated counts</legend>
      <NumberFields names={['max_events_per_second', 'max_visitors_per_ip']} form={form} />
    </fieldset>
    <fieldset>
      <legend>Retention</legend>
      <NumberFields names={['hourly_retention_days', 'daily_retention_days']} form={form} />
    </fieldset>
  </>
);

/** The list of sites and the form to create one. */
export const SitesPage: FC<{ assets: DashboardAssets; sites: Site[]; form: SiteForm; feedback: Feedback }> = ({
  assets,
  sites,
  form,
  feedback,
}) => (
  <DashboardLayout title="Sites" assets={assets} section="sites">
    <h1>Sites</h1>
    {feedback.done ? <FeedbackNotice feedback={feedback} /> : null}
    <section class="card" aria-labelledby="sites-heading">
      <h2 id="sites-heading">Your sites</h2>
      {sites.length === 0 ? (
        <p class="empty">No sites yet: create the first one below.</p>
      ) : (
        <ScrollTable
          head={
            <>
              <th scope="col">Site</th>
              <th scope="col">Hosts</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </>
          }
        >
          {sites.map((site) => (
            <tr class="linked">
              <td class="title">
                <a href={sitePath(site.id)}>{site.name}</a>
                <small>{site.id}</small>
              </td>
              <td>{site.hosts.join(', ')}</td>
              <td class="num">
                <a href={overviewPath(site.id)}>Overview</a>
              </td>
            </tr>
          ))}
        </ScrollTable>
      )}
    </section>
    <section class="card" id="new" aria-labelledby="new-heading">
      <h2 id="new-heading">Create a site</h2>
      {feedback.errors ? <FeedbackNotice feedback={feedback} /> : null}
      <form method="post" action={SITES_PATH}>
        <SiteFields form={form} creating />
        <button type="submit">Create site</button>
      </form>
    </section>
  </DashboardLayout>
);

/**
 * What a publisher pastes into the article template, as README's "Embedding
 * on a publisher's site" gives it: the share bar's plain links (for readers
 * without JavaScript, and the bar's size before the script runs) for the
 * site's link networks, counts on, the popular box, and the script, `async`.
 * The template fills in ARTICLE_URL and TITLE, URL-encoded.
 */
export const embedSnippet = (origin: string, site: Site): string =>
  [
    `<div data-sharepulse="share" data-site="${site.id}" data-counts="true">`,
    '  <ul>',
    ...site.settings.networks
      .filter(isLinkNetwork)
      .map(
        (network) =>
          `    <li><a href="${origin}/api/v1/share/${network}?site=${site.id}&url=ARTICLE_URL&title=TITLE" rel="nofollow noopener" target="_blank">${NETWORK_LABELS[network]}</a></li>`,
      ),
    '  </ul>',
    '</div>',
    `<div data-sharepulse="popular" data-site="${site.id}" data-window="24h" data-limit="5">Most-read stories</div>`,
    `<script src="${origin}/widget.js" async></script>`,
  ].join('\n');

/** The plain links' shape for the page's stylesheet, as README gives it: the bar keeps its size when the script upgrades it. */
export const EMBED_CSS = `[data-sharepulse="share"] > ul {
  display: flex;
  flex-wrap: wrap;
  gap: 0.4em;
  margin: 0;
  padding: 0.1em;
  list-style: none;
  font-size: 0.875rem;
  line-height: 1.4;
}
[data-sharepulse="share"] > ul a {
  display: inline-flex;
  align-items: center;
  justify-content: center;
  box-sizing: border-box;
  height: 2.6em;
  min-width: 5.5em;
  padding: 0 0.7em;
  border: 1px solid;
  border-radius: 999px;
}
[data-sharepulse="popular"] {
  min-height: calc(5 * 4.375rem); /* data-limit × 4.375rem */
}`;

/** One site: its install check, embed code, exports, settings form and deletion. */
export const SitePage: FC<{
  assets: DashboardAssets;
  site: Site;
  installCheck: HostCheck[];
  form: SiteForm;
  origin: string;
  feedback: Feedback;
}> = ({ assets, site, installCheck, form, origin, feedback }) => (
  <DashboardLayout title={site.name} assets={assets} section="sites">
    <div class="toolbar">
      <div>
        <h1>{site.name}</h1>
        <div class="muted">
          {site.id} · created {site.created_at.slice(0, 10)}
        </div>
      </div>
      <div class="actions">
        <a class="button secondary" href={overviewPath(site.id)}>
          Overview
        </a>
        <a class="button secondary" href={articleListPath(site.id)}>
          Articles
        </a>
        <ExportLinks site={site.id} />
      </div>
    </div>
    <FeedbackNotice feedback={feedback} />
    <InstallCheck site={site} hosts={installCheck} />
    <section class="card" aria-labelledby="embed-heading">
      <h2 id="embed-heading">Embed code</h2>
      <p class="hint">
        Paste into the article template: the share bar where the first element is, the most popular list where the
        second is, the script once. Replace ARTICLE_URL and TITLE with the article's address and title, URL-encoded. The
        links work before the script loads and without JavaScript.
      </p>
      <pre class="snippet" id="snippet" tabindex={0}>
        <code>{embedSnippet(origin, site)}</code>
      </pre>
      <button type="button" class="secondary" data-copy="#snippet" hidden>
        Copy embed code
      </button>
      <p class="hint">
        And in the page's stylesheet, so that nothing on the page moves when the script upgrades the bar:
      </p>
      <pre class="snippet" id="snippet-css" tabindex={0}>
        <code>{EMBED_CSS}</code>
      </pre>
      <button type="button" class="secondary" data-copy="#snippet-css" hidden>
        Copy CSS
      </button>
    </section>
    <section class="card" aria-labelledby="settings-heading">
      <h2 id="settings-heading">Settings</h2>
      <form method="post" action={sitePath(site.id)}>
        <SiteFields form={form} creating={false} />
        <button type="submit">Save changes</button>
      </form>
    </section>
    <section class="card" aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete this site</h2>
      <p>
        Deletes the site, its hosts and every count it has. This cannot be undone; export first if you need the numbers.
      </p>
      <form method="post" action={`${sitePath(site.id)}/delete`} class="actions">
        <div>
          <label for="confirm">
            Type <code>{site.id}</code> to confirm
          </label>
          <input id="confirm" name="confirm" required autocomplete="off" pattern={site.id} />
        </div>
        <button type="submit" class="danger">
          Delete site
        </button>
      </form>
    </section>
  </DashboardLayout>
);

/** A dashboard page for a site that does not exist (any more). */
export const UnknownSitePage: FC<{ assets: DashboardAssets; id: string }> = ({ assets, id }) => (
  <DashboardLayout title="Unknown site" assets={assets} section="sites">
    <Notice kind="error">
      There is no site <code>{id}</code>. <a href={SITES_PATH}>All sites</a>
    </Notice>
  </DashboardLayout>
);
