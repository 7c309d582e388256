import type { LiveHour, Series, Totals } from '../../common/dashboard-json';
import { readLedger } from '../db/ledger';
import { readBoxRows } from '../db/recirculation';
import {
  type NetworkShares,
  type Period,
  periodSpan,
  previousSpan,
  readNetworkShares,
  readSiteSeries,
  readSiteTotals,
  type SeriesSpan,
  spanBuckets,
} from '../db/series';
import { readSetAside, type SetAsideEntry } from '../db/set-aside';
import type { LedgerDay } from '../ledger/ledger-days';
import type { RecirculationListBody } from '../openapi/schemas';
import { readPopular } from '../popular/read-popular';
import type { PopularList } from '../ranking/rank';
import type { RankBy, RankWindow } from '../ranking/windows';
import { recirculationLists } from '../recirculation/recirculation-figures';
import type { Site } from '../sites/site-schema';
import { bucketOf, dayOfBucket, HOUR_MS, type Span, zoneOffsetMinutes } from '../time';

/** The top table's ranking, as the popular endpoint takes it. */
export interface RankChoice {
  window: RankWindow;
  by: RankBy;
}

/** What the overview shows for one site and period. */
export interface Overview {
  period: Period;
  series: Series;
  totals: Totals;
  /** The same length of time just before, to compare with. */
  previous: Totals;
  networks: NetworkShares[];
  top: PopularList;
  /** Buffered counts of the site that D1 kept refusing, kept apart and in no total (src/shard/outbox.ts). */
  setAside: SetAsideEntry[];
  /** The ledger of each UTC day the period touches, oldest first. */
  ledger: LedgerDay[];
  /** The UTC days the period touches: the ledger and the popular box's figures are kept per UTC day. */
  utcDays: Span;
  /** What the popular box brought over those days, as the admin API answers it. */
  recirculation: RecirculationListBody[];
  /** The minute of the site's clock at which UTC hours start now: 0 unless its zone is a half or quarter hour off. */
  hourMinute: number;
}

/** Rows of the top articles table. */
const TOP_LIMIT = 20;
/** Rows of the live panel's list. */
const LIVE_LIMIT = 5;

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** The UTC days a period's hours fall in: the ledger is kept per UTC day. */
export const ledgerDaysOf = (span: SeriesSpan): Span => {
  const [first, last] = spanBuckets(span);
  return { from: dayOfBucket(first), to: dayOfBucket(last) };
};

/** The minute of the site's clock at which a UTC hour starts at `nowMs` (30 in Asia/Kolkata, 45 in Asia/Kathmandu). */
export const hourMinuteOf = (nowMs: number, site: Site): number =>
  ((zoneOffsetMinutes(nowMs, site.settings.time_zone) % 60) + 60) % 60;

/** The overview's reads, side by side: per-site rows for the period, `readPopular` for the table. */
export async function readOverview(
  db: D1Database,
  site: Site,
  period: Period,
  rank: RankChoice,
  nowMs: number,
): Promise<Overview> {
  const span = periodSpan(period, bucketOf(nowMs), site.settings.time_zone);
  const utcDays = ledgerDaysOf(span);
  const [series, previous, networks, top, setAside, ledger, boxRows] = await Promise.all([
    readSiteSeries(db, site.id, span),
    readSiteTotals(db, site.id, previousSpan(span)),
    readNetworkShares(db, site.id, span),
    readPopular(db, site, { ...rank, limit: TOP_LIMIT, section: null, exclude: [] }, nowMs),
    readSetAside(db, site.id),
    readLedger(db, site.id, utcDays),
    readBoxRows(db, site.id, utcDays),
  ]);
  const totals = { views: sum(series.views), shares: sum(series.shares), reads: sum(series.reads) };
  return {
    period,
    series,
    totals,
    previous,
    networks,
    top,
    setAside,
    ledger,
    utcDays,
    recirculation: recirculationLists(boxRows),
    hourMinute: hourMinuteOf(nowMs, site),
  };
}

/** The "last hour" panel's numbers: the current UTC hour beside the one before, and its top articles. */
export async function readLiveHour(db: D1Database, site: Site, nowMs: number): Promise<LiveHour> {
  const bucket = bucketOf(nowMs);
  const [hours, popular] = await Promise.all([
    readSiteSeries(db, site.id, { step: 'hour', from: bucket - 1, to: bucket, zone: site.settings.time_zone }),
    readPopular(db, site, { window: '1h', by: 'views', limit: LIVE_LIMIT, section: null, exclude: [] }, nowMs),
  ]);
  return {
    generated_at: new Date(nowMs).toISOString(),
    hour_start: new Date(bucket * HOUR_MS).toISOString(),
    current: { views: hours.views[1] ?? 0, shares: hours.shares[1] ?? 0, reads: hours.reads[1] ?? 0 },
    previous: { views: hours.views[0] ?? 0, shares: hours.shares[0] ?? 0, reads: hours.reads[0] ?? 0 },
    items: popular.items.map(({ rank, url, title, views, shares }) => ({ rank, url, title, views, shares })),
  };
}
