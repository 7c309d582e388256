import type { FC } from 'hono/jsx';
import type { ArticleRecord } from '../../articles/article-schema';
import { MAX_LIMIT } from '../../ranking/popular-request';
import type { RankWindow } from '../../ranking/windows';
import type { Site } from '../../sites/site-schema';
import { HOUR_MS } from '../../time';
import { ARTICLE_PERIODS, type ArticlePeriod, type ArticleView } from '../article-data';
import type { DashboardAssets } from '../assets';
import { articleListPath, articlePath } from '../paths';
import { ARTICLE_STATUS_LABELS } from './articles';
import { Charts } from './chart-card';
import { DashboardLayout, JsonBlock, Notice, overviewPath, Segmented } from './layout';
import { formatCount, NumCell, NumHeading, networkLabel, ScrollTable } from './table';

const PERIOD_LABELS: Record<ArticlePeriod, string> = { '24h': '24 hours', '7d': '7 days', '30d': '30 days' };
const WINDOW_LABELS: Record<RankWindow, string> = {
  '1h': 'This hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  all: 'All time',
};

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** A date and time on the site's clock, e.g. "2 Dec 2026, 14:00". */
const localTime = (ms: number, zone: string) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    dateStyle: 'medium',
    timeStyle: 'short',
    hourCycle: 'h23',
  }).format(ms);

/** What the registry holds of the article: its status (a link to its tab of the article list), last check and aliases. */
const Registration: FC<{ site: Site; registered: ArticleRecord | null }> = ({ site, registered }) => {
  if (!registered) {
    return (
      <>
        <dt>Status</dt>
        <dd class="muted">not in the site's article registry (counted before it kept articles)</dd>
      </>
    );
  }
  const zone = site.settings.time_zone;
  return (
    <>
      <dt>Status</dt>
      <dd data-status={registered.status}>
        <a href={articleListPath(site.id, { status: registered.status })}>{ARTICLE_STATUS_LABELS[registered.status]}</a>
        {registered.hidden ? ' · hidden from rankings (still counted)' : null}
      </dd>
      <dt>Page checked</dt>
      <dd>{registered.checked_at ? `${localTime(Date.parse(registered.checked_at), zone)} (${zone})` : 'never'}</dd>
      <dt>Aliases</dt>
      <dd>
        {registered.aliases.length === 0 ? (
          <span class="muted">none</span>
        ) : (
          <ul class="aliases">
            {registered.aliases.map((alias) => (
              <li>{alias}</li>
            ))}
          </ul>
        )}
      </dd>
    </>
  );
};

/** One article: its counts over a period on the site's clock, its rank in each window, its shares by network, its status and aliases. */
export const ArticlePage: FC<{ assets: DashboardAssets; site: Site; view: ArticleView }> = ({ assets, site, view }) => {
  const { article, series, period } = view;
  const zone = site.settings.time_zone;
  const overview = overviewPath(site.id);
  return (
    <DashboardLayout title={article.title ?? article.url} assets={assets} section="overview">
      <div class="toolbar">
        <div>
          <div class="muted">
            <a href={overview}>{site.name}</a> · article
          </div>
          <h1>{article.title ?? article.url}</h1>
          <div class="muted">
            <a href={article.link} target="_blank" rel="noopener">
              {article.link}
            </a>
          </div>
        </div>
        <Segmented
          label="Period"
          current={period}
          options={ARTICLE_PERIODS.map((p) => ({ value: p, text: p, href: articlePath(site.id, article.url, p) }))}
        />
      </div>
      <section class="card" aria-labelledby="about-heading">
        <h2 id="about-heading">About this article</h2>
        <dl class="facts">
          <dt>Counted since</dt>
          <dd>
            {localTime(article.firstBucket * HOUR_MS, zone)} ({zone})
          </dd>
          {article.published ? (
            <>
              <dt>Published</dt>
              <dd>{article.published}</dd>
            </>
          ) : null}
          {article.section ? (
            <>
              <dt>Section</dt>
              <dd>{article.section}</dd>
            </>
          ) : null}
          <Registration site={site} registered={view.registered} />
          <dt>All-time views</dt>
          <dd>{formatCount(article.views)}</dd>
          <dt>All-time shares</dt>
          <dd>{formatCount(article.shares)}</dd>
          <dt>All-time reads</dt>
          <dd>{formatCount(article.reads)}</dd>
        </dl>
      </section>
      <Charts
        totals={{ views: sum(series.views), shares: sum(series.shares), reads: sum(series.reads) }}
        series={series}
        periodLabel={PERIOD_LABELS[period]}
        hourMinute={view.hourMinute}
      />
      <JsonBlock id="series" value={series} />
      <div class="split">
        <section class="card" aria-labelledby="ranks-heading">
          <h2 id="ranks-heading">
            Rank by views <small>as the popular box ranks it</small>
          </h2>
          <ScrollTable
            head={
              <>
                <th scope="col">Window</th>
                <NumHeading>Rank</NumHeading>
                <NumHeading>Views</NumHeading>
                <NumHeading>Shares</NumHeading>
              </>
            }
          >
            {view.ranks.map(({ window, place }) => (
              <tr data-window={window}>
                <th scope="row">{WINDOW_LABELS[window]}</th>
                {place ? (
                  <>
                    <td class="num">{place.rank}</td>
                    <NumCell n={place.views} />
                    <NumCell n={place.shares} />
                  </>
                ) : (
                  <td colspan={3} class="muted">
                    not in the top {MAX_LIMIT}
                  </td>
                )}
              </tr>
            ))}
          </ScrollTable>
        </section>
        <section class="card" aria-labelledby="article-networks-heading">
          <h2 id="article-networks-heading">
            Shares by network <small>all time</small>
          </h2>
          {view.networks.length === 0 ? (
            <p class="empty">No shares yet.</p>
          ) : (
            <table>
              <tbody>
                {view.networks.map((n) => (
                  <tr>
                    <th scope="row">{networkLabel(n.network)}</th>
                    <NumCell n={n.shares} />
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </DashboardLayout>
  );
};

/** No counts for this address (normalised as beacons are) on the site. */
export const UnknownArticlePage: FC<{ assets: DashboardAssets; site: Site; url: string }> = ({ assets, site, url }) => (
  <DashboardLayout title="Unknown article" assets={assets} section="overview">
    <Notice kind="error">
      Site <code>{site.id}</code> has no counts for <code>{url}</code>. Follow a title from the{' '}
      <a href={overviewPath(site.id)}>overview</a>.
    </Notice>
  </DashboardLayout>
);
