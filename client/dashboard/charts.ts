import uPlot from 'uplot';
import type { Series } from '../../common/dashboard-json';
import { formatCompact, formatNumber, formatUtc } from './format';

type Metric = 'views' | 'shares';

const LABELS = { views: 'Views', shares: 'Shares' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_SECONDS = 86_400;

/** Tick labels in UTC: the date at midnight or when ticks are days apart, else the hour. */
const timeTicks = (splits: number[], increment: number) =>
  splits.map((ts) => {
    const date = new Date(ts * 1000);
    return increment >= DAY_SECONDS || date.getUTCHours() === 0
      ? `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}`
      : `${String(date.getUTCHours()).padStart(2, '0')}:00`;
  });
const HEIGHT = { wide: 240, narrow: 180 };

/** The chart's colours from the stylesheet's custom properties, so that light and dark come from CSS alone. */
function colours(metric: Metric) {
  const style = getComputedStyle(document.documentElement);
  const read = (name: string) => style.getPropertyValue(name).trim();
  return { line: read(`--${metric}`), fill: read(`--${metric}-fill`), ink: read('--muted'), grid: read('--rule') };
}

const sizeOf = (holder: HTMLElement) => ({
  width: Math.max(holder.clientWidth, 200),
  height: holder.clientWidth < 520 ? HEIGHT.narrow : HEIGHT.wide,
});

/**
 * One metric's chart, drawn into `holder`: an area per hour, or a bar per day.
 * Times are UTC, as the buckets are; the legend shows the point under the cursor.
 */
function chart(holder: HTMLElement, series: Series, metric: Metric) {
  const c = colours(metric);
  const hourly = series.step === 'hour';
  const axis = { stroke: c.ink, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } };
  const bars = uPlot.paths.bars?.({ size: [0.7, 40] });
  const options: uPlot.Options = {
    ...sizeOf(holder),
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    scales: { x: { time: true }, y: { range: (_, _min, max) => [0, Math.max(max, 1) * 1.08] } },
    cursor: { drag: { x: false, y: false } },
    series: [
      {
        label: 'UTC',
        value: (_, ts) => (ts == null ? '–' : formatUtc(new Date(ts * 1000), hourly)),
      },
      {
        label: LABELS[metric],
        stroke: c.line,
        fill: c.fill,
        width: 2,
        points: { show: false },
        value: (_, n) => (n == null ? '–' : formatNumber(n)),
        ...(hourly || !bars ? {} : { paths: bars }),
      },
    ],
    axes: [
      { ...axis, values: (_, splits, _axis, _space, increment) => timeTicks(splits, increment) },
      { ...axis, size: 56, values: (_, splits) => splits.map((n) => formatCompact(n)) },
    ],
  };
  return new uPlot(options, [series.times, series[metric]], holder);
}

/**
 * Draws every `[data-chart]` of the page from the JSON block `#series`, and
 * redraws them when the page is resized or the colour scheme changes.
 */
export function drawCharts() {
  const source = document.getElementById('series');
  const holders = [...document.querySelectorAll<HTMLElement>('[data-chart]')];
  if (!source || holders.length === 0) return;
  const series = JSON.parse(source.textContent ?? '') as Series;
  const metricOf = (holder: HTMLElement): Metric => (holder.dataset.chart === 'shares' ? 'shares' : 'views');

  let charts: uPlot[] = [];
  const draw = () => {
    for (const c of charts) c.destroy();
    charts = holders.map((holder) => chart(holder, series, metricOf(holder)));
  };
  draw();
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', draw);
  const resized = new ResizeObserver(() => {
    for (const [i, c] of charts.entries()) c.setSize(sizeOf(holders[i]!));
  });
  for (const holder of holders) resized.observe(holder);
}
