import type {
  ArticleDelta,
  BoxDelta,
  FlushBatch,
  HourDelta,
  LedgerDelta,
  NetworkDelta,
  SiteHourDelta,
  SiteIncarnation,
  SiteNetworkHourDelta,
} from '../db/counts';
import { parseBoxOutcome } from '../recirculation/box-tally';

/** Articles per D1 batch: keeps one batch's statements well under D1's per-invocation query limit. */
export const ARTICLES_PER_BATCH = 100;

/** The `network` of a read's increments: no network's name holds '@'. */
export const READ_COUNTER = '@read';

/** One buffered increment: `network` is '' for a view, READ_COUNTER for a read, the network's name for a share. */
export interface CountRow extends SiteIncarnation {
  url: string;
  bucket: number;
  network: string;
  n: number;
}

/** One event's increment, before it is summed: what its dedup row holds (./journal.ts). */
export type Increment = Omit<CountRow, 'n'>;

// Rows of two incarnations of a site stay apart: a flush applies each only to its own.
const articleKey = (site: string, siteCreatedAt: string, url: string) => JSON.stringify([site, siteCreatedAt, url]);

/** Which column of D1's counts an increment adds to, by its `network`. */
const counterOf = (network: string): 'views' | 'reads' | 'shares' =>
  network === '' ? 'views' : network === READ_COUNTER ? 'reads' : 'shares';

/**
 * Folds a shard's buffered increments into what D1 stores: article totals,
 * hourly views, reads and shares, shares per network, and the site's own
 * hourly totals and shares per network. Ledger rows, one per site, day and
 * outcome already, go as they are, but for the popular box's tallies riding
 * with them (src/recirculation/box-tally.ts): those become the site's box rows,
 * one per day, list and position. Metadata is the registry's, not a flush's.
 */
export function toFlushBatch(counts: CountRow[], ledger: LedgerDelta[]): FlushBatch {
  const articles = new Map<string, ArticleDelta>();
  const hours = new Map<string, HourDelta>();
  const networks = new Map<string, NetworkDelta>();
  const siteHours = new Map<string, SiteHourDelta>();
  const siteNetworkHours = new Map<string, SiteNetworkHourDelta>();

  const article = (site: string, siteCreatedAt: string, url: string, bucket: number): ArticleDelta => {
    const key = articleKey(site, siteCreatedAt, url);
    let found = articles.get(key);
    if (!found) {
      found = { site, siteCreatedAt, url, views: 0, shares: 0, reads: 0, firstBucket: bucket };
      articles.set(key, found);
    }
    found.firstBucket = Math.min(found.firstBucket, bucket);
    return found;
  };

  for (const { site, siteCreatedAt, url, bucket, network, n } of counts) {
    const counter = counterOf(network);
    article(site, siteCreatedAt, url, bucket)[counter] += n;

    const hourKey = JSON.stringify([site, siteCreatedAt, url, bucket]);
    const hour = hours.get(hourKey) ?? { site, siteCreatedAt, url, bucket, views: 0, shares: 0, reads: 0 };
    hour[counter] += n;
    hours.set(hourKey, hour);

    const siteHourKey = JSON.stringify([site, siteCreatedAt, bucket]);
    const siteHour = siteHours.get(siteHourKey) ?? { site, siteCreatedAt, bucket, views: 0, shares: 0, reads: 0 };
    siteHour[counter] += n;
    siteHours.set(siteHourKey, siteHour);

    if (counter === 'shares') {
      const networkKey = JSON.stringify([site, siteCreatedAt, url, network]);
      const share = networks.get(networkKey) ?? { site, siteCreatedAt, url, network, shares: 0 };
      share.shares += n;
      networks.set(networkKey, share);

      const siteNetworkKey = JSON.stringify([site, siteCreatedAt, bucket, network]);
      const siteShare = siteNetworkHours.get(siteNetworkKey) ?? { site, siteCreatedAt, bucket, network, shares: 0 };
      siteShare.shares += n;
      siteNetworkHours.set(siteNetworkKey, siteShare);
    }
  }

  const { outcomes, boxes } = splitBoxTallies(ledger);
  return {
    articles: [...articles.values()],
    hours: [...hours.values()],
    networks: [...networks.values()],
    siteHours: [...siteHours.values()],
    siteNetworkHours: [...siteNetworkHours.values()],
    ledger: outcomes,
    boxes,
  };
}

const BOX_COLUMN = { impression: 'impressions', click: 'clicks', quality: 'qualityClicks' } as const;

/** The ledger rows of events, and the box tallies among them summed per site, day, list and position. */
function splitBoxTallies(ledger: LedgerDelta[]): { outcomes: LedgerDelta[]; boxes: BoxDelta[] } {
  const outcomes: LedgerDelta[] = [];
  const boxes = new Map<string, BoxDelta>();
  for (const row of ledger) {
    const tally = parseBoxOutcome(row.outcome);
    if (!tally) {
      outcomes.push(row);
      continue;
    }
    const { site, siteCreatedAt, day } = row;
    const { list, position } = tally;
    const key = JSON.stringify([site, siteCreatedAt, day, list, position]);
    const box = boxes.get(key) ?? {
      site,
      siteCreatedAt,
      day,
      list,
      position,
      impressions: 0,
      clicks: 0,
      qualityClicks: 0,
    };
    box[BOX_COLUMN[tally.kind]] += row.n;
    boxes.set(key, box);
  }
  return { outcomes, boxes: [...boxes.values()] };
}
