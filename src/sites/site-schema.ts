import { z } from 'zod';
import { NETWORKS } from '../../common/networks';
import { ARTICLE_SOURCES } from '../articles/article-schema';

export const SITE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
export const siteId = z
  .string()
  .regex(
    SITE_ID_PATTERN,
    'must be 1 to 32 lower-case letters, digits and dashes, starting with a letter or digit (^[a-z0-9][a-z0-9-]{0,31}$)',
  );

// A DNS name or an IPv4 address, lower-cased, without scheme or port.
const HOST_PATTERN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
export const host = z
  .string()
  .trim()
  .toLowerCase()
  .regex(HOST_PATTERN, 'must be a host name such as news.example, without scheme or port');

/** Dropping repeats, first spelling first: a list setting holds each value once. */
const distinct = <T>(values: T[]): T[] => [...new Set(values)];

export const hostList = z.array(host).min(1).max(50).transform(distinct);

const networkList = z.array(z.enum(NETWORKS)).min(1).transform(distinct);

/**
 * A path pattern as article keys spell paths (percent-encoded, dot segments
 * resolved), so that `/thema/müll*` matches the key of /thema/müll-abfuhr.
 * The base stands for any host: only the path is kept.
 */
const asKeyPath = (pattern: string): string => new URL(`https://path.invalid${pattern}`).pathname;

const pathPattern = z
  .string()
  .trim()
  .max(200)
  .regex(/^\/[^?#]*$/, "must start with '/' and hold no '?' or '#': it is matched against the path, without query")
  .transform(asKeyPath);

export const DEFAULT_SETTINGS: SiteSettings = {
  share_weight: 5,
  half_life_hours: 12,
  respect_gpc: false,
  networks: [...NETWORKS],
  max_events_per_second: 5000,
  max_visitors_per_ip: 20,
  hourly_retention_days: 31,
  daily_retention_days: 400,
  time_zone: 'UTC',
  article_source: 'page',
  image_hosts: [],
  exclude_paths: [],
  max_new_articles_per_hour: 1000,
};

/** Whether the runtime knows `name` as an IANA time zone (Intl.DateTimeFormat throws a RangeError otherwise). */
const isTimeZone = (name: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
};

const settingsShape = {
  share_weight: z.number().min(0).max(1000),
  half_life_hours: z
    .number()
    .positive()
    .max(24 * 365),
  respect_gpc: z.boolean(),
  networks: networkList,
  // Counted events of the site one shard admits per second (so per article at
  // most this, the site as a whole up to this times the shard count): a guard
  // against inflating one story, far above a real front-page spike.
  max_events_per_second: z.number().int().min(1).max(1_000_000),
  // Distinct visitors from one IP (IPv6: its /64) that count per article,
  // event type and network per UTC day, whatever User-Agents it sends: one
  // machine cannot inflate a story, and readers behind a shared address (an
  // office, a university, a carrier's NAT) still count up to it.
  max_visitors_per_ip: z.number().int().min(1).max(100_000),
  // Days of hourly and of daily counts the cron keeps; all-time totals are never
  // dropped. 31 is the floor: the 30-day window's edge hours and whole days
  // must outlive it (src/ranking/rollup-plan.ts).
  hourly_retention_days: z.number().int().min(31).max(400),
  daily_retention_days: z.number().int().min(31).max(3660),
  // The newsroom's zone, for the dashboard's hours and days only: counts stay
  // kept per UTC hour, so a local day is the UTC hours that start in it.
  time_zone: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .refine(isTimeZone, 'must be an IANA time zone name such as Europe/Paris or UTC'),
  // Where articles and their metadata come from (API.md "Articles"): the page
  // fetched and checked, beacons, or only the admin API.
  article_source: z.enum(ARTICLE_SOURCES),
  // Hosts besides the site's own that a beacon's image may be on (a CDN):
  // any other image is dropped, so that no page can show a picture of its choosing.
  image_hosts: z.array(host).max(50).transform(distinct),
  // Paths counted but never ranked (the front page, tag pages), matched
  // against the article key's path without its query; `*`, the only
  // wildcard, matches any characters, '/' included.
  exclude_paths: z.array(pathPattern).max(50).transform(distinct),
  // New articles a site takes an hour; events for further new URLs are not
  // counted, so that a flood of invented URLs never floods the registry.
  max_new_articles_per_hour: z.number().int().min(1).max(100_000),
};

/** A site's settings as stored: every field present. */
export const siteSettings = z.strictObject(settingsShape);
export type SiteSettings = z.infer<typeof siteSettings>;

/** Settings as a client sends them: any subset, merged over defaults or current values. */
export const siteSettingsPatch = z.strictObject(settingsShape).partial();

export const createSiteBody = z.strictObject({
  id: siteId,
  name: z.string().trim().min(1).max(200),
  hosts: hostList,
  settings: siteSettingsPatch.optional(),
});

export const updateSiteBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    hosts: hostList,
    settings: siteSettingsPatch,
  })
  .partial();

export const siteParam = z.object({ site: siteId });

/** A site as stored, and as the admin API answers it. */
export const siteBody = z
  .object({
    id: z.string(),
    name: z.string(),
    hosts: z.array(z.string()),
    settings: siteSettings,
    created_at: z.string().describe('ISO-8601'),
  })
  .meta({ id: 'Site' });
export type Site = z.infer<typeof siteBody>;
