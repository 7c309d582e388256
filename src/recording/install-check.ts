import { type InstallCheckDelta, MAX_FOREIGN_HOSTS, writeInstallChecks } from '../db/install-check';
import type { Site } from '../sites/site-schema';
import { dayOf } from '../time';
import type { WaitUntil } from './ledger-tallies';

/** How often an isolate writes a site's install check, at most. */
export const INSTALL_CHECK_WRITE_MS = 60_000;
/** Sites whose install checks one isolate holds at once. */
const MAX_SITES = 1_000;
/** The longest host name DNS has. */
const MAX_HOST_LENGTH = 253;
/** Our refusals' messages are short; one that names a long URL host is cut. */
const MAX_MESSAGE_LENGTH = 500;

/**
 * The page host a beacon speaks for, as checkOrigin reads it: its Origin's,
 * else its Referer's, lower-cased and cut to a host name's length; '' when
 * it sent neither (or one that is no URL).
 */
export function beaconHost({ origin, referer }: { origin: string | undefined; referer: string | undefined }): string {
  const header = origin !== undefined ? origin : referer;
  return (URL.parse(header ?? '')?.hostname ?? '').toLowerCase().slice(0, MAX_HOST_LENGTH);
}

interface SiteChecks {
  siteCreatedAt: string;
  /** When this isolate last wrote the site's checks; -Infinity before its first write. */
  writtenAtMs: number;
  /** By day and host, least recently seen first: the site's own hosts (as many as it has) and the others (bounded). */
  own: Map<string, InstallCheckDelta>;
  foreign: Map<string, InstallCheckDelta>;
}

/**
 * What an isolate saw of beacons per site, page host and UTC day since it
 * last wrote them: the last acceptance, the refusals and the last of them.
 * A site's first beacon is due at once (a newsroom installing the widget
 * sees it), later ones at most every `writeEveryMs`, so that no beacon costs
 * a write of its own. Bounded whatever readers send: `maxSites` sites (past
 * that the least recently seen is due at once), and per site its own hosts
 * and at most `maxForeignHosts` others (past that the least recently seen
 * other is forgotten).
 *
 * @example
 * const book = new InstallCheckBook(1_000, 20, 60_000);
 * book.note(site, 'www.news.example', nowMs, { code: 'origin_not_allowed', message: '…' });
 * book.takeDue(nowMs); // [{ site: 'news', host: 'www.news.example', refused: 1, … }]
 */
export class InstallCheckBook {
  /** Least recently seen first. */
  private readonly bySite = new Map<string, SiteChecks>();
  /** No site is due before this; -Infinity when one may be. */
  private nextDueMs = Number.POSITIVE_INFINITY;

  constructor(
    readonly maxSites: number,
    readonly maxForeignHosts: number,
    readonly writeEveryMs: number,
  ) {}

  /** Notes a beacon of `site` from `host` at `nowMs`: accepted, or refused as `refusal` says. */
  note(site: Site, host: string, nowMs: number, refusal: { code: string; message: string } | null): void {
    let checks = this.bySite.get(site.id);
    this.bySite.delete(site.id);
    // A site created again under its id starts afresh: D1 would refuse the other's rows anyway.
    if (checks?.siteCreatedAt !== site.created_at) {
      checks = {
        siteCreatedAt: site.created_at,
        writtenAtMs: Number.NEGATIVE_INFINITY,
        own: new Map(),
        foreign: new Map(),
      };
    }
    this.bySite.set(site.id, checks);

    const day = dayOf(nowMs);
    const key = `${day} ${host}`;
    const hosts = site.hosts.includes(host) ? checks.own : checks.foreign;
    const delta = hosts.get(key) ?? {
      site: site.id,
      siteCreatedAt: site.created_at,
      host,
      day,
      lastAcceptedMs: null,
      refused: 0,
      lastRefusal: null,
    };
    hosts.delete(key);
    hosts.set(key, delta);
    if (refusal) {
      delta.refused++;
      delta.lastRefusal = { atMs: nowMs, code: refusal.code, message: refusal.message.slice(0, MAX_MESSAGE_LENGTH) };
    } else {
      delta.lastAcceptedMs = nowMs;
    }
    if (checks.foreign.size > this.maxForeignHosts) checks.foreign.delete(checks.foreign.keys().next().value!);
    this.nextDueMs = Math.min(this.nextDueMs, checks.writtenAtMs + this.writeEveryMs);
  }

  /** Takes what is due: of every site last written `writeEveryMs` ago or more, and of those the bound pushes out. */
  takeDue(nowMs: number): InstallCheckDelta[] {
    if (nowMs < this.nextDueMs && this.bySite.size <= this.maxSites) return [];
    const due: InstallCheckDelta[] = [];
    let over = this.bySite.size - this.maxSites;
    this.nextDueMs = Number.POSITIVE_INFINITY;
    for (const [site, checks] of this.bySite) {
      const held = checks.own.size + checks.foreign.size;
      if (over > 0) {
        over--;
        due.push(...checks.own.values(), ...checks.foreign.values());
        this.bySite.delete(site);
      } else if (nowMs - checks.writtenAtMs < this.writeEveryMs) {
        if (held > 0) this.nextDueMs = Math.min(this.nextDueMs, checks.writtenAtMs + this.writeEveryMs);
      } else if (held === 0) {
        // Its minute is over and nothing waits: its next beacon may be written at once.
        this.bySite.delete(site);
      } else {
        due.push(...checks.own.values(), ...checks.foreign.values());
        checks.own.clear();
        checks.foreign.clear();
        checks.writtenAtMs = nowMs;
      }
    }
    return due;
  }
}

const book = new InstallCheckBook(MAX_SITES, MAX_FOREIGN_HOSTS, INSTALL_CHECK_WRITE_MS);

/**
 * Notes what a request's beacon got from each of `sites` (those it named
 * that exist): accepted, or refused with `refusal`'s code and message.
 */
export function noteBeacon(
  sites: Iterable<Site>,
  beacon: { origin: string | undefined; referer: string | undefined; receivedMs: number },
  refusal: { code: string; message: string } | null,
): void {
  const host = beaconHost(beacon);
  for (const site of sites) book.note(site, host, beacon.receivedMs, refusal);
}

/**
 * Writes the install checks that are due to D1 after the response. One that
 * fails is lost (a minute of one isolate's view at most, the next write
 * carries on): the check is a newsroom's aid, not a count.
 */
export function sendDueInstallChecks(env: Env, waitUntil: WaitUntil, nowMs: number): void {
  const due = book.takeDue(nowMs);
  if (due.length === 0) return;
  waitUntil(
    writeInstallChecks(env.DB, due).catch((err: unknown) => {
      console.error('install checks not written', err);
    }),
  );
}
