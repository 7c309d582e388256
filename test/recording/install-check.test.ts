import { createExecutionContext, createScheduledController, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  INSTALL_CHECK_DAYS,
  type InstallCheckRow,
  MAX_FOREIGN_HOSTS,
  writeInstallChecks,
} from '../../src/db/install-check';
import { getSite } from '../../src/db/sites';
import worker from '../../src/index';
import {
  beaconHost,
  INSTALL_CHECK_WRITE_MS,
  InstallCheckBook,
  noteBeacon,
  sendDueInstallChecks,
} from '../../src/recording/install-check';
import { DEFAULT_SETTINGS, type Site } from '../../src/sites/site-schema';
import { dayOf } from '../../src/time';
import { ADMIN, BROWSER_UA, createSite, freezeAtMinuteStart, postEvents, uniqueSiteId } from '../support/helpers';

/** A site's install-check rows as stored in D1, in host order. */
async function storedChecks(site: string): Promise<InstallCheckRow[]> {
  const { results } = await env.DB.prepare(
    `SELECT host, day, last_accepted_at, refused, last_refused_at, last_refusal_code, last_refusal_message
     FROM install_checks WHERE site_id = ? ORDER BY host, day`,
  )
    .bind(site)
    .all<InstallCheckRow>();
  return results;
}

/**
 * Sends a beacon to the Worker as a browser does, and waits for the work it
 * leaves for after the response (what SELF.fetch does not wait for). Answers its status.
 */
async function beaconAndWait(body: unknown, headers: Record<string, string>, ip: string): Promise<number> {
  const ctx = createExecutionContext();
  const request = new Request('https://api.test/api/v1/events', {
    method: 'POST',
    headers: {
      'Content-Type': 'text/plain;charset=UTF-8',
      'User-Agent': BROWSER_UA,
      'CF-Connecting-IP': ip,
      ...headers,
    },
    body: JSON.stringify(body),
  });
  const response = await worker.fetch(request, env, ctx);
  await waitOnExecutionContext(ctx);
  return response.status;
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const view = (site: string, url: string) => ({ site, type: 'view', url });

describe('the install check of beacons sent to the Worker', () => {
  it("should put a wrong host's refusals and a right host's last beacon in D1, the first at once and the rest a minute on", async () => {
    const startMs = freezeAtMinuteStart();
    const { id, host } = await createSite();
    const page = `https://${host}/story`;

    // The site's first beacon in this isolate: written at once.
    expect(await beaconAndWait(view(id, page), { Origin: `https://WWW.${host}` }, '198.18.1.1')).toBe(403);
    expect(await storedChecks(id)).toEqual([
      {
        host: `www.${host}`,
        day: dayOf(startMs),
        last_accepted_at: null,
        refused: 1,
        last_refused_at: startMs,
        last_refusal_code: 'origin_not_allowed',
        last_refusal_message: `Origin host www.${host} is not a host of site ${id}.`,
      },
    ]);

    // Within the minute: kept in the isolate, no write per beacon.
    vi.setSystemTime(startMs + 1_000);
    expect(await beaconAndWait(view(id, page), { Origin: `https://${host}` }, '198.18.1.2')).toBe(202);
    expect(await beaconAndWait(view(id, page), { Origin: `https://www.${host}` }, '198.18.1.3')).toBe(403);
    expect(
      await beaconAndWait(view(id, 'https://elsewhere.example/story'), { Origin: `https://${host}` }, '198.18.1.4'),
    ).toBe(400);
    expect(await beaconAndWait(view(id, page), {}, '198.18.1.5')).toBe(403);
    expect(await storedChecks(id)).toHaveLength(1);

    // A minute after the write, the next beacon carries what waited.
    const laterMs = startMs + INSTALL_CHECK_WRITE_MS;
    vi.setSystemTime(laterMs);
    expect(await beaconAndWait(view(id, page), { Referer: `https://${host}/story` }, '198.18.1.6')).toBe(202);
    expect(await storedChecks(id)).toEqual([
      {
        host: '',
        day: dayOf(startMs),
        last_accepted_at: null,
        refused: 1,
        last_refused_at: startMs + 1_000,
        last_refusal_code: 'origin_required',
        last_refusal_message: 'The request must come from a page of the site (Origin or Referer).',
      },
      {
        host,
        day: dayOf(startMs),
        last_accepted_at: laterMs,
        refused: 1,
        last_refused_at: startMs + 1_000,
        last_refusal_code: 'url_not_allowed',
        last_refusal_message: `URL host elsewhere.example is not a host of site ${id}.`,
      },
      {
        host: `www.${host}`,
        day: dayOf(startMs),
        last_accepted_at: null,
        refused: 2,
        last_refused_at: startMs + 1_000,
        last_refusal_code: 'origin_not_allowed',
        last_refusal_message: `Origin host www.${host} is not a host of site ${id}.`,
      },
    ]);
  });

  it('should keep at most MAX_FOREIGN_HOSTS forged hosts per site, in the isolate and in D1, and the own host whatever comes', async () => {
    const startMs = freezeAtMinuteStart();
    const siteId = uniqueSiteId();
    const { id, host } = await createSite(siteId, { hosts: [`${siteId}.example`, `m.${siteId}.example`] });
    const mobile = `m.${host}`;
    const page = `https://${host}/story`;
    expect(await beaconAndWait(view(id, page), { Origin: `https://${host}` }, '198.18.2.1')).toBe(202);

    // One address forging 1,000 Origins, refused each (the flood guard never sees them).
    const forge = async (prefix: string, n: number) => {
      for (let start = 0; start < n; start += 50) {
        const statuses = await Promise.all(
          Array.from(
            { length: Math.min(50, n - start) },
            async (_, i) =>
              (await postEvents(view(id, page), { origin: `https://${prefix}${start + i}.example`, ip: '198.18.2.2' }))
                .status,
          ),
        );
        expect(statuses.every((status) => status === 403)).toBe(true);
      }
    };
    await forge('forged-', 1_000);
    vi.setSystemTime(startMs + INSTALL_CHECK_WRITE_MS);
    expect(await beaconAndWait(view(id, page), { Origin: `https://${host}` }, '198.18.2.3')).toBe(202);
    const stored = await storedChecks(id);
    const foreign = stored.filter((row) => row.host !== host);
    expect(foreign).toHaveLength(MAX_FOREIGN_HOSTS);
    expect(foreign.every((row) => /^forged-\d+\.example$/.test(row.host) && row.refused === 1)).toBe(true);
    expect(stored.find((row) => row.host === host)).toMatchObject({
      last_accepted_at: startMs + INSTALL_CHECK_WRITE_MS,
      refused: 0,
    });

    // More forged hosts the same day: D1 takes no new row of them, and still those of the site's own hosts.
    await forge('other-', 30);
    vi.setSystemTime(startMs + 2 * INSTALL_CHECK_WRITE_MS);
    expect(await beaconAndWait(view(id, page), { Origin: `https://${mobile}` }, '198.18.2.4')).toBe(202);
    const again = await storedChecks(id);
    const own = [host, mobile];
    expect(again.filter((row) => !own.includes(row.host)).map((row) => row.host)).toEqual(
      foreign.map((row) => row.host),
    );
    expect(again.find((row) => row.host === mobile)?.last_accepted_at).toBe(startMs + 2 * INSTALL_CHECK_WRITE_MS);
  }, 60_000);

  it('should note nothing of a request that names a site that does not exist, even beside one that does', async () => {
    freezeAtMinuteStart();
    const { id, host } = await createSite();
    const ghost = uniqueSiteId('ghost');
    const origin = { Origin: `https://${host}` };
    expect(await beaconAndWait(view(ghost, `https://${host}/a`), origin, '198.18.3.1')).toBe(404);
    expect(
      await beaconAndWait([view(id, `https://${host}/a`), view(ghost, `https://${host}/a`)], origin, '198.18.3.2'),
    ).toBe(404);
    expect(await storedChecks(ghost)).toEqual([]);
    // The site's first beacon noted is written at once: nothing of the refused request came before it.
    expect(await beaconAndWait(view(id, `https://${host}/a`), origin, '198.18.3.3')).toBe(202);
    expect(await storedChecks(id)).toEqual([expect.objectContaining({ host, refused: 0, last_refusal_code: null })]);
  });

  it('should be deleted with its site, and never reach a site created again under the id', async () => {
    const startMs = freezeAtMinuteStart();
    const { id, host } = await createSite();
    expect(await beaconAndWait(view(id, `https://${host}/a`), { Origin: `https://${host}` }, '198.18.4.1')).toBe(202);
    const first = (await getSite(env.DB, id))!;
    expect(await storedChecks(id)).toHaveLength(1);

    const deleted = await SELF.fetch(`https://api.test/api/v1/admin/sites/${id}`, { method: 'DELETE', headers: ADMIN });
    expect(deleted.status).toBe(204);
    expect(await storedChecks(id)).toEqual([]);

    // A write of the first site's incarnation that comes after its deletion and re-creation is refused.
    vi.setSystemTime(startMs + 1_000);
    await createSite(id);
    const delta = { host, day: dayOf(startMs), lastAcceptedMs: startMs, refused: 0, lastRefusal: null };
    await writeInstallChecks(env.DB, [{ site: id, siteCreatedAt: first.created_at, ...delta }]);
    expect(await storedChecks(id)).toEqual([]);
    const second = (await getSite(env.DB, id))!;
    await writeInstallChecks(env.DB, [{ site: id, siteCreatedAt: second.created_at, ...delta }]);
    expect(await storedChecks(id)).toHaveLength(1);
  });

  it('should keep the later acceptance and the later refusal, whichever isolate writes first', async () => {
    const { id, host } = await createSite();
    const site = (await getSite(env.DB, id))!;
    const day = dayOf(Date.now());
    const delta = (lastAcceptedMs: number | null, atMs: number, code: string) => ({
      site: id,
      siteCreatedAt: site.created_at,
      host,
      day,
      lastAcceptedMs,
      refused: 1,
      lastRefusal: { atMs, code, message: `refused at ${atMs}` },
    });
    await writeInstallChecks(env.DB, [delta(2_000, 3_000, 'origin_not_allowed')]);
    await writeInstallChecks(env.DB, [delta(1_000, 2_000, 'url_not_allowed')]);
    await writeInstallChecks(env.DB, [delta(null, 1_000, 'invalid_url')]);
    expect(await storedChecks(id)).toEqual([
      {
        host,
        day,
        last_accepted_at: 2_000,
        refused: 3,
        last_refused_at: 3_000,
        last_refusal_code: 'origin_not_allowed',
        last_refusal_message: 'refused at 3000',
      },
    ]);
  });

  it(`should be pruned by the hourly cron after ${INSTALL_CHECK_DAYS} days`, async () => {
    const { id, host } = await createSite();
    const site = (await getSite(env.DB, id))!;
    const nowMs = Date.now();
    const today = dayOf(nowMs);
    const kept = Array.from({ length: INSTALL_CHECK_DAYS }, (_, i) => today - i);
    await writeInstallChecks(
      env.DB,
      [...kept, today - INSTALL_CHECK_DAYS].map((day) => ({
        site: id,
        siteCreatedAt: site.created_at,
        host,
        day,
        lastAcceptedMs: day * 86_400_000,
        refused: 0,
        lastRefusal: null,
      })),
    );
    await worker.scheduled(createScheduledController({ scheduledTime: nowMs, cron: '0 * * * *' }), env);
    expect((await storedChecks(id)).map((row) => row.day).sort()).toEqual([...kept].sort());
  });

  it('should log a write D1 failed, and answer the beacon all the same', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { id } = await createSite();
    const site = (await getSite(env.DB, id))!;
    const nowMs = Date.now();
    noteBeacon([site], { origin: `https://${site.hosts[0]}`, referer: undefined, receivedMs: nowMs }, null);
    // A D1 that refuses every batch: the real binding cannot be made to fail on demand.
    const failingDb = {
      prepare: (sql: string) => env.DB.prepare(sql),
      batch: () => Promise.reject(new Error('D1 is unavailable')),
    } as unknown as D1Database;
    const waited: Promise<unknown>[] = [];
    sendDueInstallChecks({ ...env, DB: failingDb }, (promise) => waited.push(promise), nowMs);
    expect(waited).toHaveLength(1);
    await Promise.all(waited);
    expect(error).toHaveBeenCalledWith(
      'install checks not written',
      expect.objectContaining({ message: 'D1 is unavailable' }),
    );
  });
});

const site = (id: string, hosts: string[], createdAt = '2026-11-01T08:00:00.000Z'): Site => ({
  id,
  name: id,
  hosts,
  settings: DEFAULT_SETTINGS,
  created_at: createdAt,
});

const REFUSED = { code: 'origin_not_allowed', message: 'Origin host www.news.example is not a host of site news.' };

describe('InstallCheckBook', () => {
  const T = Date.UTC(2026, 10, 2, 12);

  it("should make a site's first beacon due at once and coalesce the rest until its minute is over", () => {
    const book = new InstallCheckBook(1_000, 20, 60_000);
    const news = site('news', ['news.example']);
    book.note(news, 'www.news.example', T, REFUSED);
    expect(book.takeDue(T)).toEqual([
      {
        site: 'news',
        siteCreatedAt: news.created_at,
        host: 'www.news.example',
        day: dayOf(T),
        lastAcceptedMs: null,
        refused: 1,
        lastRefusal: { atMs: T, ...REFUSED },
      },
    ]);
    book.note(news, 'news.example', T + 1_000, null);
    book.note(news, 'news.example', T + 2_000, null);
    book.note(news, 'www.news.example', T + 3_000, REFUSED);
    book.note(news, 'www.news.example', T + 4_000, { code: 'invalid_url', message: 'x'.repeat(600) });
    expect(book.takeDue(T + 59_999)).toEqual([]);
    expect(book.takeDue(T + 60_000)).toEqual([
      expect.objectContaining({ host: 'news.example', lastAcceptedMs: T + 2_000, refused: 0, lastRefusal: null }),
      expect.objectContaining({
        host: 'www.news.example',
        refused: 2,
        lastRefusal: { atMs: T + 4_000, code: 'invalid_url', message: 'x'.repeat(500) },
      }),
    ]);
    expect(book.takeDue(T + 120_000)).toEqual([]);
    // Its minute over with nothing waiting, the next beacon is due at once.
    book.note(news, 'news.example', T + 130_000, null);
    expect(book.takeDue(T + 130_000)).toEqual([expect.objectContaining({ lastAcceptedMs: T + 130_000 })]);
  });

  it("should hold a site's own hosts and its last maxForeignHosts others, per day", () => {
    const book = new InstallCheckBook(1_000, 20, 60_000);
    const own = Array.from({ length: 50 }, (_, i) => `h${i}.news.example`);
    const news = site('news', own);
    book.note(news, own[0]!, T, null);
    book.takeDue(T);
    for (const host of own) book.note(news, host, T + 1, null);
    for (let i = 0; i < 1_000; i++) book.note(news, `forged-${i}.example`, T + 2 + i, REFUSED);
    book.note(news, own[0]!, T + 5_000, null);
    const due = book.takeDue(T + 60_000);
    expect(due.filter((d) => own.includes(d.host))).toHaveLength(50);
    expect(due.filter((d) => !own.includes(d.host)).map((d) => d.host)).toEqual(
      Array.from({ length: 20 }, (_, i) => `forged-${980 + i}.example`),
    );
  });

  it('should make the least recently seen site due at once past maxSites', () => {
    const book = new InstallCheckBook(2, 20, 60_000);
    const [a, b, c] = ['a', 'b', 'c'].map((id) => site(id, [`${id}.example`]));
    book.note(a!, 'a.example', T, null);
    book.note(b!, 'b.example', T, null);
    expect(book.takeDue(T)).toHaveLength(2);
    book.note(a!, 'a.example', T + 1, null);
    book.note(b!, 'b.example', T + 2, null);
    book.note(c!, 'c.example', T + 3, null);
    expect(book.takeDue(T + 3).map((d) => d.site)).toEqual(['a', 'c']);
    expect(book.takeDue(T + 60_000).map((d) => d.site)).toEqual(['b']);
  });

  it('should start afresh for a site created again under its id', () => {
    const book = new InstallCheckBook(1_000, 20, 60_000);
    book.note(site('news', ['news.example']), 'news.example', T, null);
    book.takeDue(T);
    book.note(site('news', ['news.example']), 'news.example', T + 1, null);
    const again = site('news', ['news.example'], '2026-11-02T08:00:00.000Z');
    book.note(again, 'news.example', T + 2, REFUSED);
    expect(book.takeDue(T + 2)).toEqual([
      expect.objectContaining({ siteCreatedAt: again.created_at, lastAcceptedMs: null, refused: 1 }),
    ]);
  });
});

describe('beaconHost', () => {
  it.each([
    [{ origin: 'https://News.Example:8443', referer: 'https://other.example/' }, 'news.example'],
    [{ origin: undefined, referer: 'https://News.Example/a?b' }, 'news.example'],
    [{ origin: 'null', referer: 'https://news.example/' }, ''],
    [{ origin: undefined, referer: undefined }, ''],
  ])('should read the page host of %j as %j', (headers, host) => {
    expect(beaconHost(headers)).toBe(host);
  });

  it('should cut a host to the 253 characters of the longest host name', () => {
    const long = ['a', 'b', 'c', 'd', 'e'].map((c) => c.repeat(60)).join('.');
    expect(beaconHost({ origin: `https://${long}`, referer: undefined })).toBe(long.slice(0, 253));
  });
});
