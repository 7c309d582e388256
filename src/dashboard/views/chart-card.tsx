import type { FC } from 'hono/jsx';
import type { Series, Totals } from '../../../common/dashboard-json';
import { formatCount } from './table';

/** What the dashboard counts, in the order it shows them. */
export const METRICS = ['views', 'shares', 'reads'] as const;
export type Metric = (typeof METRICS)[number];
export const METRIC_LABELS: Record<Metric, string> = { views: 'Views', shares: 'Shares', reads: 'Reads' };

/**
 * How the site's days are cut, said where a chart shows days: counts are kept
 * per UTC hour, so a zone a half or quarter hour off UTC has days that start
 * at :30 or :45, each hour counted in the day it starts in.
 */
export const dayNote = (hourMinute: number): string | null =>
  hourMinute === 0
    ? null
    : `Counts are kept per UTC hour, so a day here runs from 00:${String(hourMinute).padStart(2, '0')} to 00:${String(hourMinute).padStart(2, '0')}: each hour counts in the day it starts in.`;

/** A time on the site's clock, `HH:MM` (or `HH:MM:SS`). */
export const clockTime = (ms: number, zone: string, seconds = false): string =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
  }).format(ms);

/**
 * One metric's chart, drawn by the script from the page's `#series` block
 * (client/dashboard/charts.ts), on the site's clock; the last point, still
 * filling, is drawn dashed.
 */
const ChartCard: FC<{
  metric: Metric;
  total: number;
  series: Series;
  periodLabel: string;
  hourMinute: number;
}> = ({ metric, total, series, periodLabel, hourMinute }) => {
  const label = METRIC_LABELS[metric];
  const per = series.step === 'hour' ? 'hour' : 'day';
  const note = series.step === 'day' ? dayNote(hourMinute) : null;
  return (
    <section class="card" aria-labelledby={`chart-${metric}`}>
      <h2 id={`chart-${metric}`}>
        {label} per {per}{' '}
        <small>
          {series.zone} · last {periodLabel} · dashed: the current {per}, so far
        </small>
      </h2>
      <div
        class="chart"
        data-chart={metric}
        role="img"
        aria-label={`${label} per ${per} (${series.zone}) over the last ${periodLabel}: ${formatCount(total)} in all`}
      />
      {note ? <p class="hint">{note}</p> : null}
    </section>
  );
};

/** A chart per metric, side by side, over one series; `totals` as the charts' labels give them. */
export const Charts: FC<{ totals: Totals; series: Series; periodLabel: string; hourMinute: number }> = ({
  totals,
  series,
  periodLabel,
  hourMinute,
}) => (
  <div class="charts">
    {METRICS.map((metric) => (
      <ChartCard
        metric={metric}
        total={totals[metric]}
        series={series}
        periodLabel={periodLabel}
        hourMinute={hourMinute}
      />
    ))}
  </div>
);
