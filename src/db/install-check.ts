import { dayOf } from '../time';
import { type SiteIncarnation, siteIncarnationExists } from './counts';
import { type Query, runBatch } from './query';

/** UTC days of install checks kept and shown: today and the two before. */
export const INSTALL_CHECK_DAYS = 3;

/**
 * Page hosts that are not the site's an install check keeps per site and day,
 * in an isolate and in D1: a flood of forged Origins fills these and no more,
 * and never pushes out the site's own hosts.
 */
export const MAX_FOREIGN_HOSTS = 20;

/** A beacon's refusal, as its answer said it. */
export interface Refusal {
  atMs: number;
  code: string;
  message: string;
}

/** What an isolate saw of one page host of a site on one UTC day, to add to its row (migration 0011). */
export interface InstallCheckDelta extends SiteIncarnation {
  /** The beacon's Origin (else Referer) host, '' when it sent neither. */
  host: string;
  day: number;
  /** When a beacon from the host was last accepted; null when none was. */
  lastAcceptedMs: number | null;
  refused: number;
  lastRefusal: Refusal | null;
}

const COLUMNS = [
  'site_id',
  'day',
  'host',
  'last_accepted_at',
  'refused',
  'last_refused_at',
  'last_refusal_code',
  'last_refusal_message',
];

/** The later of a stored and a new time, either of which may be NULL. */
const later = (column: string) =>
  `max(coalesce(${column}, excluded.${column}), coalesce(excluded.${column}, ${column}))`;

/** The new refusal's value of `column` when it is the later one. */
const ofLaterRefusal = (column: string) =>
  `CASE WHEN excluded.last_refused_at >= coalesce(last_refused_at, 0) THEN excluded.${column} ELSE ${column} END`;

/**
 * The upsert of one delta: added to its row unless the site is gone (or is
 * another incarnation), or the host is not one of the site's and the site's
 * day already has MAX_FOREIGN_HOSTS such rows. Isolates write in any order,
 * so the later time and the later refusal win.
 */
export function installCheckQuery(delta: InstallCheckDelta): Query {
  const values = [
    delta.site,
    delta.day,
    delta.host,
    delta.lastAcceptedMs,
    delta.refused,
    delta.lastRefusal?.atMs ?? null,
    delta.lastRefusal?.code ?? null,
    delta.lastRefusal?.message ?? null,
    delta.siteCreatedAt,
  ];
  return {
    sql: `INSERT INTO install_checks (${COLUMNS.join(', ')})
          SELECT ${COLUMNS.map((_, i) => `v.column${i + 1}`).join(', ')}
          FROM (VALUES (${values.map(() => '?').join(', ')})) AS v
          WHERE ${siteIncarnationExists(values.length)}
            AND (EXISTS (SELECT 1 FROM site_hosts h WHERE h.host = v.column3 AND h.site_id = v.column1)
              OR EXISTS (SELECT 1 FROM install_checks i WHERE i.site_id = v.column1 AND i.day = v.column2 AND i.host = v.column3)
              OR (SELECT count(*) FROM install_checks i WHERE i.site_id = v.column1 AND i.day = v.column2
                    AND i.host NOT IN (SELECT host FROM site_hosts WHERE site_id = v.column1)) < ?)
          ON CONFLICT (site_id, day, host) DO UPDATE SET
            last_accepted_at = ${later('last_accepted_at')},
            refused = refused + excluded.refused,
            last_refused_at = ${later('last_refused_at')},
            last_refusal_code = ${ofLaterRefusal('last_refusal_code')},
            last_refusal_message = ${ofLaterRefusal('last_refusal_message')}`,
    params: [...values, MAX_FOREIGN_HOSTS],
  };
}

/** Adds what isolates saw to D1, one statement per row (each sees the rows the one before added), in one batch. */
export async function writeInstallChecks(db: D1Database, deltas: readonly InstallCheckDelta[]): Promise<void> {
  await runBatch(db, deltas.map(installCheckQuery));
}

/** The hourly cron's cleanup: rows of days no longer shown. */
export async function pruneInstallChecks(db: D1Database, nowMs: number): Promise<void> {
  await runBatch(db, [
    { sql: 'DELETE FROM install_checks WHERE day <= ?', params: [dayOf(nowMs) - INSTALL_CHECK_DAYS] },
  ]);
}

export interface InstallCheckRow {
  host: string;
  day: number;
  last_accepted_at: number | null;
  refused: number;
  last_refused_at: number | null;
  last_refusal_code: string | null;
  last_refusal_message: string | null;
}

/** What the site page says of one page host over the days kept. */
export interface HostCheck {
  host: string;
  lastAcceptedMs: number | null;
  /** Refused on the current UTC day. */
  refusedToday: number;
  lastRefusal: Refusal | null;
}

/**
 * A site's rows folded per host, in host order: the last acceptance and the
 * last refusal of any day, the refusals of UTC day `today`.
 *
 * @example
 * const row = { host: 'news.example', day: 20_412, last_accepted_at: 5, refused: 2, last_refused_at: 4,
 *   last_refusal_code: 'url_not_allowed', last_refusal_message: 'URL host a.example is not a host of site news.' };
 * foldInstallCheck([row, { ...row, day: 20_411, refused: 7 }], 20_412)
 * // [{ host: 'news.example', lastAcceptedMs: 5, refusedToday: 2,
 * //    lastRefusal: { atMs: 4, code: 'url_not_allowed', message: 'URL host a.example is not a host of site news.' } }]
 */
export function foldInstallCheck(rows: readonly InstallCheckRow[], today: number): HostCheck[] {
  const byHost = new Map<string, HostCheck>();
  for (const row of rows) {
    const check = byHost.get(row.host) ?? { host: row.host, lastAcceptedMs: null, refusedToday: 0, lastRefusal: null };
    if (row.last_accepted_at !== null && row.last_accepted_at > (check.lastAcceptedMs ?? -1)) {
      check.lastAcceptedMs = row.last_accepted_at;
    }
    if (row.day === today) check.refusedToday += row.refused;
    if (row.last_refused_at !== null && row.last_refused_at > (check.lastRefusal?.atMs ?? -1)) {
      check.lastRefusal = {
        atMs: row.last_refused_at,
        code: row.last_refusal_code ?? '',
        message: row.last_refusal_message ?? '',
      };
    }
    byHost.set(row.host, check);
  }
  return [...byHost.values()].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
}

/** A site's install check as of `nowMs`: one index range of its kept days (a bounded number of rows). */
export async function readInstallCheck(db: D1Database, site: string, nowMs: number): Promise<HostCheck[]> {
  const today = dayOf(nowMs);
  const { results } = await db
    .prepare(
      `SELECT host, day, last_accepted_at, refused, last_refused_at, last_refusal_code, last_refusal_message
       FROM install_checks WHERE site_id = ? AND day > ?`,
    )
    .bind(site, today - INSTALL_CHECK_DAYS)
    .all<InstallCheckRow>();
  return foldInstallCheck(results, today);
}
