import type {
  ArticleDelta,
  FlushBatch,
  HourDelta,
  LedgerDelta,
  NetworkDelta,
  SiteHourDelta,
  SiteIncarnation,
  SiteNetworkHourDelta,
} from '../db/counts';

/** One buffered increment: `network` is '' for a view, the network's name for a share. */
export interface CountRow extends SiteIncarnation {
  url: string;
  bucket: number;
  network: string;
  n: number;
}

// Rows of two incarnations of a site stay apart: a flush applies each only to its own.
const articleKey = (site: string, siteCreatedAt: string, url: string) => JSON.stringify([site, siteCreatedAt, url]);

/**
 * Folds a shard's buffered increments into what D1 stores: article totals,
 * hourly views and shares, shares per network, and the site's own hourly
 * totals and shares per network. Ledger rows, one per site, day and outcome
 * already, go as they are. Metadata is the registry's, not a flush's.
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
      found = { site, siteCreatedAt, url, views: 0, shares: 0, firstBucket: bucket };
      articles.set(key, found);
    }
    found.firstBucket = Math.min(found.firstBucket, bucket);
    return found;
  };

  for (const { site, siteCreatedAt, url, bucket, network, n } of counts) {
    const isView = network === '';
    const a = article(site, siteCreatedAt, url, bucket);
    if (isView) a.views += n;
    else a.shares += n;

    const hourKey = JSON.stringify([site, siteCreatedAt, url, bucket]);
    const hour = hours.get(hourKey) ?? { site, siteCreatedAt, url, bucket, views: 0, shares: 0 };
    if (isView) hour.views += n;
    else hour.shares += n;
    hours.set(hourKey, hour);

    const siteHourKey = JSON.stringify([site, siteCreatedAt, bucket]);
    const siteHour = siteHours.get(siteHourKey) ?? { site, siteCreatedAt, bucket, views: 0, shares: 0 };
    if (isView) siteHour.views += n;
    else siteHour.shares += n;
    siteHours.set(siteHourKey, siteHour);

    if (!isView) {
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

  return {
    articles: [...articles.values()],
    hours: [...hours.values()],
    networks: [...networks.values()],
    siteHours: [...siteHours.values()],
    siteNetworkHours: [...siteNetworkHours.values()],
    ledger,
  };
}
