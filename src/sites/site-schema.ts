import { z } from 'zod';
import { NETWORKS } from '../../common/networks';

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

export const hostList = z
  .array(host)
  .min(1)
  .max(50)
  .transform((hosts) => [...new Set(hosts)]);

const networkList = z
  .array(z.enum(NETWORKS))
  .min(1)
  .transform((networks) => [...new Set(networks)]);

export const DEFAULT_SETTINGS = {
  share_weight: 5,
  half_life_hours: 12,
  respect_gpc: false,
  networks: [...NETWORKS],
  max_events_per_second: 5000,
  max_visitors_per_ip: 20,
  hourly_retention_days: 31,
  daily_retention_days: 400,
  time_zone: 'UTC',
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
