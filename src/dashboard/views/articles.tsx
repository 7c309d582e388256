import type { FC } from 'hono/jsx';
import {
  ARTICLE_LIST_STATUSES,
  type ArticleListStatus,
  type ArticleRecord,
  type ArticleStatus,
} from '../../articles/article-schema';
import type { Site } from '../../sites/site-schema';
import type { DashboardAssets } from '../assets';
import { articleActionPath, articleListPath, articlePath, sitePath } from '../paths';
import { DashboardLayout, Notice } from './layout';

/** An article of the list, with the picture the page may load of it (null: its address is shown as text). */
export interface ArticleListRow extends ArticleRecord {
  picture: string | null;
}

/** What the page says on top: what a row's form just did, or that its article was not found. */
export type ArticleListFeedback =
  | { done: 'hidden' | 'unhidden'; url: string }
  | { done: 'checked'; url: string; now: ArticleStatus }
  | { missing: string }
  | null;

/** Which tab and page is shown: the first page has no cursor. */
export interface ArticleListView {
  status: ArticleListStatus;
  cursor: string | null;
}

/** The list's tabs, and how the article page names a status. */
export const ARTICLE_STATUS_LABELS: Record<ArticleListStatus, string> = {
  verified: 'Verified',
  pending: 'Pending check',
  rejected: 'Rejected',
  hidden: 'Hidden',
};

const EMPTY: Record<ArticleListStatus, string> = {
  verified: 'No verified articles yet.',
  pending: 'No page waits for its check.',
  rejected: 'No page failed its check.',
  hidden: 'No article is hidden from rankings.',
};

/** "2026-11-20T08:00:00.000Z" as "2026-11-20 08:00 UTC". */
const utcMinute = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

const FeedbackNotice: FC<{ feedback: ArticleListFeedback }> = ({ feedback }) => {
  if (feedback === null) return null;
  if ('missing' in feedback) {
    return (
      <Notice kind="error">
        This site has no article <code>{feedback.missing}</code>.
      </Notice>
    );
  }
  const text = {
    hidden: 'Hidden from rankings (still counted):',
    unhidden: 'Back in rankings:',
    checked: 'Checked again:',
  }[feedback.done];
  return (
    <Notice kind="ok">
      {text} <code>{feedback.url}</code>
      {feedback.done === 'checked' ? ` is now ${feedback.now}.` : null}
    </Notice>
  );
};

/** A row's form: posts the article and the way back to this tab and page. */
const RowForm: FC<{
  site: string;
  view: ArticleListView;
  url: string;
  action: 'hide' | 'unhide' | 'check';
  label: string;
}> = ({ site, view, url, action, label }) => (
  <form method="post" action={articleActionPath(site, action)}>
    <input type="hidden" name="url" value={url} />
    <input type="hidden" name="status" value={view.status} />
    {view.cursor ? <input type="hidden" name="cursor" value={view.cursor} /> : null}
    <button type="submit" class="secondary">
      {label}
    </button>
  </form>
);

const Row: FC<{ site: string; view: ArticleListView; article: ArticleListRow }> = ({ site, view, article }) => (
  <tr>
    <td class="title">
      <a href={articlePath(site, article.url)}>{article.url}</a>
    </td>
    <td>{article.title ?? <span class="muted">—</span>}</td>
    <td>
      {article.picture ? (
        <img src={article.picture} alt="" width="64" height="40" loading="lazy" referrerpolicy="no-referrer" />
      ) : article.image ? (
        <small>{article.image}</small>
      ) : (
        <span class="muted">—</span>
      )}
    </td>
    <td>{article.section ?? <span class="muted">—</span>}</td>
    <td>{article.published ?? <span class="muted">—</span>}</td>
    <td>
      {article.status}
      {article.hidden ? <small class="muted"> · hidden</small> : null}
    </td>
    <td>
      {article.aliases.length === 0 ? (
        <span class="muted">—</span>
      ) : (
        <ul>
          {article.aliases.map((alias) => (
            <li>{alias}</li>
          ))}
        </ul>
      )}
    </td>
    <td>{article.checked_at ? utcMinute(article.checked_at) : <span class="muted">never</span>}</td>
    <td>
      <div class="actions">
        <RowForm
          site={site}
          view={view}
          url={article.url}
          action={article.hidden ? 'unhide' : 'hide'}
          label={article.hidden ? 'Unhide' : 'Hide'}
        />
        <RowForm site={site} view={view} url={article.url} action="check" label="Check again" />
      </div>
    </td>
  </tr>
);

/**
 * A site's articles as its registry holds them: a tab per status and one for
 * the hidden ones, 100 a page, each row with its metadata, aliases, last
 * check, and forms to hide it (or show it again) and to check its page again.
 */
export const ArticleListPage: FC<{
  assets: DashboardAssets;
  site: Site;
  view: ArticleListView;
  rows: ArticleListRow[];
  next: string | null;
  feedback: ArticleListFeedback;
}> = ({ assets, site, view, rows, next, feedback }) => (
  <DashboardLayout title={`Articles of ${site.name}`} assets={assets} section="sites">
    <div class="toolbar">
      <div>
        <div class="muted">
          <a href={sitePath(site.id)}>{site.name}</a> · articles
        </div>
        <h1>Articles</h1>
      </div>
      <nav class="seg" aria-label="Status">
        {ARTICLE_LIST_STATUSES.map((status) => (
          <a href={articleListPath(site.id, { status })} aria-current={status === view.status ? 'true' : undefined}>
            {ARTICLE_STATUS_LABELS[status]}
          </a>
        ))}
      </nav>
    </div>
    <FeedbackNotice feedback={feedback} />
    <section class="card" aria-labelledby="articles-heading">
      <h2 id="articles-heading">
        {ARTICLE_STATUS_LABELS[view.status]} <small>{view.cursor ? 'a later page' : 'first page'}</small>
      </h2>
      <p class="hint">
        Verified articles count; a pending one waits for its page check, and a rejected page counts nothing. Hidden
        articles are counted but never ranked in the popular box.
      </p>
      {rows.length === 0 ? (
        <p class="empty">{EMPTY[view.status]}</p>
      ) : (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Title</th>
                <th scope="col">Picture</th>
                <th scope="col">Section</th>
                <th scope="col">Published</th>
                <th scope="col">Status</th>
                <th scope="col">Aliases</th>
                <th scope="col">Last check</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((article) => (
                <Row site={site.id} view={view} article={article} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next || view.cursor ? (
        <nav class="actions" aria-label="Pages">
          {view.cursor ? <a href={articleListPath(site.id, { status: view.status })}>First page</a> : null}
          {next ? <a href={articleListPath(site.id, { status: view.status, cursor: next })}>Next page</a> : null}
        </nav>
      ) : null}
    </section>
  </DashboardLayout>
);
