import uPlot from 'uplot';
import type { Series } from '../../common/dashboard-json';
import { zonedParts } from '../../common/time-zone';
import { formatCompact, formatNumber, formatZoned } from './format';

const LABELS = { views: 'Views', shares: 'Shares', reads: 'Reads' };
type Metric = keyof typeof LABELS;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_SECONDS = 86_400;

/** Tick labels on the site's clock: the date at local midnight or when ticks are days apart, else the time. */
const timeTicks = (splits: number[], increment: number, zone: string) =>
  splits.map((ts) => {
    const { month, day, hour, minute } = zonedParts(ts * 1000, zone);
    return increment >= DAY_SECONDS || (hour === 0 && minute === 0)
      ? `${MONTHS[month - 1]} ${day}`
      : `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
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
 * A metric's values as two columns: the finished points, and the current one
 * (still filling) drawn apart, dashed, so that an hour just begun does not
 * read as a plunge. A line's dashed part starts from the last finished point.
 */
function splitCurrent(values: number[], hourly: boolean): [(number | null)[], (number | null)[]] {
  const last = values.length - 1;
  const finished = values.map((n, i) => (i === last ? null : n));
  const current = values.map((n, i) => (i === last || (hourly && i === last - 1) ? n : null));
  return [finished, current];
}

/**
 * One metric's chart, drawn into `holder`: an area per hour, or a bar per
 * day, on the site's clock. The legend shows the point under the cursor, and
 * the latest one (so far) when there is none.
 */
function chart(holder: HTMLElement, series: Series, metric: Metric) {
  const c = colours(metric);
  const hourly = series.step === 'hour';
  const values = series[metric];
  const last = values.length - 1;
  const [finished, current] = splitCurrent(values, hourly);
  const axis = { stroke: c.ink, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } };
  const bars = hourly ? undefined : uPlot.paths.bars?.({ size: [0.7, 40] });
  const soFar = (idx: number | null) => (idx == null || idx === last ? ' so far' : '');
  const options: uPlot.Options = {
    ...sizeOf(holder),
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), series.zone),
    scales: { x: { time: true }, y: { range: (_, _min, max) => [0, Math.max(max, 1) * 1.08] } },
    cursor: { drag: { x: false, y: false } },
    series: [
      {
        label: series.zone,
        value: (_, _ts, _s, idx) =>
          last < 0
            ? '–'
            : `${formatZoned(new Date(series.times[idx ?? last]! * 1000), series.zone, hourly)}${soFar(idx)}`,
      },
      {
        label: LABELS[metric],
        stroke: c.line,
        fill: c.fill,
        width: 2,
        points: { show: false },
        value: (_, _n, _s, idx) => (last < 0 ? '–' : `${formatNumber(values[idx ?? last]!)}${soFar(idx)}`),
        ...(bars ? { paths: bars } : {}),
      },
      {
        // The current point: left out of the legend (the stylesheet hides `.current`), which names it "so far".
        class: 'current',
        label: `${LABELS[metric]} so far`,
        stroke: c.line,
        fill: hourly ? undefined : c.fill,
        width: 2,
        dash: [5, 4],
        points: { show: false },
        ...(bars ? { paths: bars } : {}),
      },
    ],
    axes: [
      { ...axis, values: (_, splits, _axis, _space, increment) => timeTicks(splits, increment, series.zone) },
      { ...axis, size: 56, values: (_, splits) => splits.map((n) => formatCompact(n)) },
    ],
  };
  return new uPlot(options, [series.times, finished, current], holder);
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
  const metricOf = ({ dataset: { chart } }: HTMLElement): Metric =>
    chart === 'shares' || chart === 'reads' ? chart : 'views';

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
