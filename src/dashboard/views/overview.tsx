import type { FC } from 'hono/jsx';
import type { LiveHour, Totals } from '../../../common/dashboard-json';
import { PERIODS, type Period } from '../../db/series';
import type { SetAsideEntry } from '../../db/set-aside';
import { isoDate } from '../../export/formats';
import { type LedgerDay, toLedgerDayBody } from '../../ledger/ledger-days';
import { NOT_COUNTED_REASONS, type NotCountedReason } from '../../ledger/reasons';
import type { RecirculationListBody } from '../../openapi/schemas';
import { RANK_BY, type RankBy, type RankWindow, WINDOWS } from '../../ranking/windows';
import { READ_COUNTER } from '../../shard/batch';
import type { Site } from '../../sites/site-schema';
import { HOUR_MS } from '../../time';
import type { DashboardAssets } from '../assets';
import type { Overview, RankChoice } from '../overview-data';
import { articlePath, articlesPath, DASHBOARD_API_PATH, DASHBOARD_PATH, SITES_PATH } from '../paths';
import { Charts, clockTime, METRIC_LABELS, METRICS } from './chart-card';
import { DashboardLayout, ExportLinks, JsonBlock, Notice, Segmented } from './layout';
import { formatCount, NumCell, NumHeading, networkLabel, ScrollTable } from './table';

/** The overview's address: one site, one period, one ranking choice. */
export interface OverviewState extends RankChoice {
  site: string;
  period: Period;
}

const PERIOD_LABELS: Record<Period, string> = { '24h': '24 hours', '7d': '7 days', '30d': '30 days', '90d': '90 days' };
const WINDOW_LABELS: Record<RankWindow, string> = {
  '1h': '1h',
  '24h': '24h',
  '7d': '7d',
  '30d': '30d',
  all: 'All time',
};
const BY_LABELS: Record<RankBy, string> = {
  views: 'Views',
  shares: 'Shares',
  score: 'Score',
  reads: 'Reads',
  trending: 'Trending',
};

export const overviewHref = (state: OverviewState, change: Partial<OverviewState> = {}) =>
  `${DASHBOARD_PATH}?${new URLSearchParams({ ...state, ...change })}`;

/** "▲ 12% vs previous 7 days"; nothing to compare with before the site had counts. */
const Change: FC<{ now: number; before: number; period: Period }> = ({ now, before, period }) => {
  if (before === 0) return <span class="change muted">no counts in the previous {PERIOD_LABELS[period]}</span>;
  const percent = Math.round(((now - before) / before) * 100);
  const direction = percent > 0 ? 'up' : percent < 0 ? 'down' : '';
  const arrow = percent > 0 ? '▲' : percent < 0 ? '▼' : '=';
  return (
    <span class={`change ${direction}`}>
      {arrow} {Math.abs(percent)}% vs previous {PERIOD_LABELS[period]}
    </span>
  );
};

const Kpi: FC<{ label: string; value: string; now?: number; before?: number; period: Period }> = ({
  label,
  value,
  now,
  before,
  period,
}) => (
  <section class="card kpi" aria-label={label}>
    <div class="label">{label}</div>
    <div class="value">{value}</div>
    {now !== undefined && before !== undefined ? <Change now={now} before={before} period={period} /> : null}
  </section>
);

/** A ratio as a percentage, to a tenth. */
const percent = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;

const shareRate = (totals: Totals) => (totals.views === 0 ? '–' : percent(totals.shares / totals.views));

/** An article's reads per view: how many of its readers stayed with it. */
const readRate = ({ views, reads }: { views: number; reads: number }) => (views === 0 ? '–' : percent(reads / views));

const Toolbar: FC<{ sites: Site[]; site: Site; state: OverviewState }> = ({ sites, site, state }) => (
  <div class="toolbar">
    <div>
      <h1>{site.name}</h1>
      <div class="muted">{site.hosts.join(' · ')}</div>
    </div>
    <form method="get" action={DASHBOARD_PATH} data-autosubmit>
      <input type="hidden" name="period" value={state.period} />
      <input type="hidden" name="window" value={state.window} />
      <input type="hidden" name="by" value={state.by} />
      <div>
        <label for="site">Site</label>
        <select id="site" name="site">
          {sites.map((s) => (
            <option value={s.id} selected={s.id === site.id}>
              {s.name} ({s.id})
            </option>
          ))}
        </select>
      </div>
      <button type="submit" class="secondary nojs-only">
        Show
      </button>
    </form>
    <Segmented
      label="Period"
      current={state.period}
      options={PERIODS.map((period) => ({ value: period, text: period, href: overviewHref(state, { period }) }))}
    />
    <div class="actions">
      <ExportLinks site={site.id} />
    </div>
  </div>
);

const TopArticles: FC<{ overview: Overview; state: OverviewState }> = ({ overview, state }) => {
  const { top } = overview;
  const trending = top.by === 'trending';
  return (
    <section class="card" aria-labelledby="top-heading">
      <h2 id="top-heading">
        Top articles{' '}
        <small>{trending ? 'decayed score, last 7 days' : `by ${top.by}, ${WINDOW_LABELS[top.window]}`}</small>
      </h2>
      <div class="controls">
        <div class="control">
          <span class="label">Window</span>
          <Segmented
            label="Ranking window"
            current={state.window}
            options={WINDOWS.map((window) => ({
              value: window,
              text: WINDOW_LABELS[window],
              href: overviewHref(state, { window }),
            }))}
          />
        </div>
        <div class="control">
          <span class="label">By</span>
          <Segmented
            label="Rank by"
            current={state.by}
            options={RANK_BY.map((by) => ({ value: by, text: BY_LABELS[by], href: overviewHref(state, { by }) }))}
          />
        </div>
      </div>
      {top.items.length === 0 ? (
        <p class="empty">No article has counts in this window yet.</p>
      ) : (
        <ScrollTable
          head={
            <>
              <th scope="col">#</th>
              <th scope="col">Article</th>
              <NumHeading>Views</NumHeading>
              <NumHeading>Shares</NumHeading>
              <NumHeading>Reads</NumHeading>
              <NumHeading>Reads per view</NumHeading>
              <NumHeading hideNarrow>Score</NumHeading>
              {trending ? <NumHeading>Trending</NumHeading> : null}
            </>
          }
        >
          {top.items.map((item) => (
            <tr>
              <td class="rank num">{item.rank}</td>
              <td class="title">
                <a href={articlePath(state.site, item.url)}>{item.title ?? item.url}</a>
                <small>
                  {item.section ? `${item.section} · ` : ''}
                  <a href={item.link} target="_blank" rel="noopener">
                    {new URL(item.link).pathname}
                  </a>
                </small>
              </td>
              <NumCell n={item.views} />
              <NumCell n={item.shares} />
              <NumCell n={item.reads} />
              <td class="num">{readRate(item)}</td>
              <NumCell n={item.score} hideNarrow />
              {trending ? <td class="num">{(item.trending ?? 0).toFixed(1)}</td> : null}
            </tr>
          ))}
        </ScrollTable>
      )}
    </section>
  );
};

/** Shares per network as bars: SVG widths are attributes, so no inline style is needed under the CSP. */
const Networks: FC<{ overview: Overview }> = ({ overview }) => {
  const max = Math.max(1, ...overview.networks.map((n) => n.shares));
  return (
    <section class="card" aria-labelledby="networks-heading">
      <h2 id="networks-heading">
        Shares by network <small>last {PERIOD_LABELS[overview.period]}</small>
      </h2>
      {overview.networks.length === 0 ? (
        <p class="empty">No shares in this period yet.</p>
      ) : (
        <ul class="bars">
          {overview.networks.map((n) => (
            <li>
              <span>{networkLabel(n.network)}</span>
              <svg aria-hidden="true" preserveAspectRatio="none">
                <rect class="track" width="100%" height="100%" rx="3" />
                <rect width={`${((n.shares / max) * 100).toFixed(2)}%`} height="100%" rx="3" />
              </svg>
              <span class="num">{formatCount(n.shares)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
};

/** What a set-aside row held: its increment, or the article's metadata. */
const setAsideWhat = ({ network, n }: SetAsideEntry) => {
  if (n === null) return 'metadata';
  if (network === '') return `${formatCount(n)} ${n === 1 ? 'view' : 'views'}`;
  if (network === READ_COUNTER) return `${formatCount(n)} ${n === 1 ? 'read' : 'reads'}`;
  return `${formatCount(n)} ${n === 1 ? 'share' : 'shares'} (${networkLabel(network ?? '')})`;
};

/**
 * Counts D1 kept refusing, which a shard set aside so as to go on flushing
 * the rest: shown only when there are any, as they are missing from every number here.
 */
const SetAside: FC<{ entries: SetAsideEntry[] }> = ({ entries }) => (
  <section class="card" aria-labelledby="set-aside-heading">
    <h2 id="set-aside-heading">
      Counts set aside <small>not in any number on this page</small>
    </h2>
    <p>
      The database refused these buffered counts again and again, so their counter shard set them aside instead of
      retrying them forever. They are kept in the <code>set_aside_rows</code> table with the error, to be fixed and
      applied there.
    </p>
    <ScrollTable
      head={
        <>
          <th scope="col">Article</th>
          <th scope="col">Held</th>
          <th scope="col">Hour (UTC)</th>
          <th scope="col">Set aside (UTC)</th>
          <th scope="col">Error</th>
        </>
      }
    >
      {entries.map((entry) => (
        <tr>
          <td class="title">{entry.url}</td>
          <td>{setAsideWhat(entry)}</td>
          <td>{new Date(entry.bucket * HOUR_MS).toISOString().slice(0, 13).replace('T', ' ')}:00</td>
          <td>{new Date(entry.setAsideAt).toISOString().slice(0, 16).replace('T', ' ')}</td>
          <td>
            <code>{entry.error}</code>
          </td>
        </tr>
      ))}
    </ScrollTable>
  </section>
);

type LedgerPart = 'counted' | NotCountedReason;

const LEDGER_LABELS: Record<LedgerPart, string> = {
  counted: 'Counted',
  bot: 'Bots and crawlers',
  repeat: 'Repeats (visitor already counted that day)',
  gpc: 'Global Privacy Control',
  ip_cap: 'Over the per-IP cap',
  rate_limited: 'Refused by the flood guard',
  site_ceiling: 'Over the events-per-second ceiling',
  unverified: 'Page not confirmed yet',
  rejected: 'Page failed the check',
  new_article_budget: 'Over the new-article budget',
  network_disabled: 'Network turned off',
  no_view: 'Reads without a counted view',
};

/** Fills that read on the light and the dark theme alike: attributes, as the CSP allows no inline style. */
const LEDGER_FILLS: Record<LedgerPart, string> = {
  counted: '#2563eb',
  bot: '#9ca3af',
  repeat: '#a78bfa',
  gpc: '#10b981',
  ip_cap: '#f59e0b',
  rate_limited: '#ef4444',
  site_ceiling: '#f97316',
  unverified: '#06b6d4',
  rejected: '#b45309',
  new_article_budget: '#ec4899',
  network_disabled: '#84cc16',
  no_view: '#6366f1',
};

const LEDGER_PARTS: readonly LedgerPart[] = ['counted', ...NOT_COUNTED_REASONS];
// Counted and received as the ledger API answers them: views, shares and reads.
const partOf = (day: LedgerDay, part: LedgerPart) =>
  part === 'counted' ? toLedgerDayBody(day).counted : day.notCounted[part];
const receivedOf = (day: LedgerDay) => toLedgerDayBody(day).received;

/** The ledger chart's units: a bar's width, and the height of the tallest day. */
const LEDGER_BAR = 10;
const LEDGER_HEIGHT = 100;

/** One day's bar: its parts stacked from the bottom, counted first, each titled with its number. */
const LedgerBar: FC<{ day: LedgerDay; index: number; max: number }> = ({ day, index, max }) => {
  let top = LEDGER_HEIGHT;
  return (
    <g>
      {LEDGER_PARTS.filter((part) => partOf(day, part) > 0).map((part) => {
        const n = partOf(day, part);
        const height = (n / max) * LEDGER_HEIGHT;
        top -= height;
        return (
          <rect
            x={index * LEDGER_BAR + 1}
            // The parts' heights add up to a hair past the chart's: no "-0.00".
            y={Math.max(top, 0).toFixed(2)}
            width={LEDGER_BAR - 2}
            height={height.toFixed(2)}
            fill={LEDGER_FILLS[part]}
          >
            <title>{`${isoDate(day.day)}: ${formatCount(n)} ${LEDGER_LABELS[part].toLowerCase()}`}</title>
          </rect>
        );
      })}
    </g>
  );
};

/**
 * The ledger of API.md's counting rules for the period's UTC days: every
 * event received, counted or not and why, as a bar per day stacked by
 * outcome, then each outcome's total over the days.
 */
const LedgerPanel: FC<{ overview: Overview }> = ({ overview }) => {
  const { ledger, period } = overview;
  const totals = LEDGER_PARTS.map((part) => ({ part, n: ledger.reduce((sum, day) => sum + partOf(day, part), 0) }));
  const received = totals.reduce((sum, { n }) => sum + n, 0);
  const max = Math.max(1, ...ledger.map(receivedOf));
  return (
    <section class="card" aria-labelledby="ledger-heading">
      <h2 id="ledger-heading">
        Counted and not counted{' '}
        <small>
          events per UTC day · {isoDate(ledger[0]!.day)} to {isoDate(ledger.at(-1)!.day)} ({PERIOD_LABELS[period]})
        </small>
      </h2>
      {received === 0 ? (
        <p class="empty">No events received in these days yet.</p>
      ) : (
        <>
          <svg
            viewBox={`0 0 ${ledger.length * LEDGER_BAR} ${LEDGER_HEIGHT}`}
            width="100%"
            height="160"
            preserveAspectRatio="none"
            role="img"
            aria-label={`Events received per UTC day, counted and not counted by reason: ${formatCount(received)} in all`}
          >
            {ledger.map((day, index) => (
              <LedgerBar day={day} index={index} max={max} />
            ))}
          </svg>
          <ScrollTable
            head={
              <>
                <th scope="col">Events</th>
                <NumHeading>Number</NumHeading>
              </>
            }
          >
            {totals.map(({ part, n }) => (
              <tr data-ledger={part}>
                <td>
                  <svg aria-hidden="true" width="10" height="10">
                    <rect width="10" height="10" rx="2" fill={LEDGER_FILLS[part]} />
                  </svg>{' '}
                  {LEDGER_LABELS[part]}
                </td>
                <NumCell n={n} />
              </tr>
            ))}
            <tr data-ledger="received">
              <th scope="row">Received</th>
              <NumCell n={received} />
            </tr>
          </ScrollTable>
        </>
      )}
    </section>
  );
};

/** A popular list as the dashboard names it: "Views · 24h", "Trending"; an id it cannot read, as stored. */
const listLabel = (list: string): string => {
  const [by, window] = list.split('-') as [RankBy, RankWindow | undefined];
  const byLabel = BY_LABELS[by] ?? list;
  return window ? `${byLabel} · ${WINDOW_LABELS[window] ?? window}` : byLabel;
};

/** A list's or a position's clicks, quality clicks and click-through, as cells. */
const ClickCells: FC<{ figures: Pick<RecirculationListBody, 'clicks' | 'quality_clicks' | 'click_through'> }> = ({
  figures,
}) => (
  <>
    <NumCell n={figures.clicks} />
    <NumCell n={figures.quality_clicks} />
    <td class="num">{percent(figures.click_through)}</td>
  </>
);

const CLICK_HEADINGS = (
  <>
    <NumHeading>Clicks</NumHeading>
    <NumHeading>Quality clicks</NumHeading>
    <NumHeading>Click-through</NumHeading>
  </>
);

/**
 * What the popular box brought over the period's UTC days, as the admin
 * API's recirculation figures: per list its impressions, clicks, quality
 * clicks (the reader read the article too) and click-through, then the
 * clicks of each of its positions against the list's impressions.
 */
const PopularBox: FC<{ overview: Overview }> = ({ overview }) => {
  const { recirculation, utcDays, period } = overview;
  return (
    <section class="card" aria-labelledby="box-heading">
      <h2 id="box-heading">
        Popular box{' '}
        <small>{`clicks per impression · UTC days ${isoDate(utcDays.from)} to ${isoDate(utcDays.to)} (${PERIOD_LABELS[period]})`}</small>
      </h2>
      {recirculation.length === 0 ? (
        <p class="empty">No popular box was shown or clicked in these days yet.</p>
      ) : (
        <>
          <ScrollTable
            head={
              <>
                <th scope="col">List</th>
                <NumHeading>Impressions</NumHeading>
                {CLICK_HEADINGS}
              </>
            }
          >
            {recirculation.map((list) => (
              <tr data-list={list.list}>
                <th scope="row">{listLabel(list.list)}</th>
                <NumCell n={list.impressions} />
                <ClickCells figures={list} />
              </tr>
            ))}
          </ScrollTable>
          <div class="positions">
            {recirculation
              .filter((list) => list.positions.length > 0)
              .map((list) => (
                <section aria-label={`${listLabel(list.list)} by position`} data-positions={list.list}>
                  <h3>{listLabel(list.list)} by position</h3>
                  <ScrollTable
                    head={
                      <>
                        <th scope="col">Position</th>
                        {CLICK_HEADINGS}
                      </>
                    }
                  >
                    {list.positions.map((position) => (
                      <tr data-position={position.position}>
                        <th scope="row">{position.position}</th>
                        <ClickCells figures={position} />
                      </tr>
                    ))}
                  </ScrollTable>
                </section>
              ))}
          </div>
        </>
      )}
    </section>
  );
};

/** The current hour, refreshed by the script from `/dashboard/api/live`; complete as rendered without it. */
const LivePanel: FC<{ site: Site; live: LiveHour }> = ({ site, live }) => (
  <section
    class="card live"
    aria-labelledby="live-heading"
    data-live-endpoint={`${DASHBOARD_API_PATH}/live?${new URLSearchParams({ site: site.id })}`}
    data-live-articles={articlesPath(site.id)}
    data-live-zone={site.settings.time_zone}
  >
    <h2 id="live-heading">
      <span>
        <span class="dot" aria-hidden="true" />
        Last hour
      </span>
      <small>
        since{' '}
        <span data-live="hour">{`${clockTime(Date.parse(live.hour_start), site.settings.time_zone)} ${site.settings.time_zone}`}</span>
      </small>
    </h2>
    <div class="now">
      {METRICS.map((metric) => (
        <div>
          <div class="value" data-live={metric}>
            {formatCount(live.current[metric])}
          </div>
          <div class="muted">
            {metric} · <span data-live={`previous-${metric}`}>{formatCount(live.previous[metric])}</span> the hour
            before
          </div>
        </div>
      ))}
    </div>
    <ol data-live="items">
      {live.items.map((item) => (
        <li>
          <a href={articlePath(site.id, item.url)}>{item.title ?? item.url}</a>
          <span class="num">{formatCount(item.views)}</span>
        </li>
      ))}
    </ol>
    <p class="empty" data-live="empty" hidden={live.items.length > 0}>
      No views yet this hour.
    </p>
    <p class="status" data-live="status" aria-live="polite">
      {`Updated ${clockTime(Date.parse(live.generated_at), site.settings.time_zone, true)} ${site.settings.time_zone}`}
    </p>
  </section>
);

/** The publisher's overview of one site: headline numbers, charts, top articles, networks, the live hour, the ledger. */
export const OverviewPage: FC<{
  assets: DashboardAssets;
  sites: Site[];
  site: Site;
  state: OverviewState;
  overview: Overview;
  live: LiveHour;
}> = ({ assets, sites, site, state, overview, live }) => (
  <DashboardLayout title={site.name} assets={assets} section="overview">
    <Toolbar sites={sites} site={site} state={state} />
    {overview.setAside.length > 0 ? <SetAside entries={overview.setAside} /> : null}
    <div class="kpis">
      {METRICS.map((metric) => (
        <Kpi
          label={METRIC_LABELS[metric]}
          value={formatCount(overview.totals[metric])}
          now={overview.totals[metric]}
          before={overview.previous[metric]}
          period={state.period}
        />
      ))}
      <Kpi label="Shares per 100 views" value={shareRate(overview.totals)} period={state.period} />
    </div>
    <Charts
      totals={overview.totals}
      series={overview.series}
      periodLabel={PERIOD_LABELS[overview.period]}
      hourMinute={overview.hourMinute}
    />
    <JsonBlock id="series" value={overview.series} />
    <div class="split">
      <TopArticles overview={overview} state={state} />
      <div class="side">
        <LivePanel site={site} live={live} />
        <Networks overview={overview} />
      </div>
    </div>
    <PopularBox overview={overview} />
    <LedgerPanel overview={overview} />
  </DashboardLayout>
);

/** No site to show: none created yet, or the one asked for does not exist. */
export const NoSitePage: FC<{ assets: DashboardAssets; missing: string | null }> = ({ assets, missing }) => (
  <DashboardLayout title="Overview" assets={assets} section="overview">
    {missing ? (
      <Notice kind="error">
        There is no site <code>{missing}</code>. <a href={DASHBOARD_PATH}>Show the first site</a>.
      </Notice>
    ) : (
      <section class="card">
        <h1>No sites yet</h1>
        <p>
          Create a site for your publication to start counting views and shares.{' '}
          <a href={`${SITES_PATH}#new`}>Create a site</a>
        </p>
      </section>
    )}
  </DashboardLayout>
);
