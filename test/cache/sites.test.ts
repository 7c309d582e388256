import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LOOKUP_MEMORY_ENTRIES, loadSite, loadSiteIdOfHost, storeSite } from '../../src/cache/sites';
import { createSite, uniqueSiteId } from '../support/helpers';
import { loadStoredSite } from '../support/seed';

/** A host no site claims, unique to this call. */
const inventedHost = () => `${uniqueSiteId('nobody')}.example`;

describe("sites in the isolate's memory", () => {
  afterEach(() => vi.restoreAllMocks());

  it("should give a KV copy written before a setting existed that setting's default", async () => {
    const { id } = await createSite();
    const stored = await loadStoredSite(id);
    const { max_visitors_per_ip: _dropped, ...olderSettings } = stored.settings;
    await env.CACHE.put(`site:${id}`, JSON.stringify({ ...stored, settings: olderSettings }));
    expect((await loadSite(env, id, Date.now()))?.settings.max_visitors_per_ip).toBe(20);
  });

  it('should remember an unknown site id, so that asking again reads neither KV nor D1', async () => {
    const id = uniqueSiteId('unknown');
    const t0 = Date.now();
    expect(await loadSite(env, id, t0)).toBeNull();
    const kvGet = vi.spyOn(env.CACHE, 'get');
    const d1 = vi.spyOn(env.DB, 'prepare');
    expect(await loadSite(env, id, t0 + 14_000)).toBeNull();
    expect(kvGet).not.toHaveBeenCalled();
    expect(d1).not.toHaveBeenCalled();
    // After 15 seconds it is looked up again.
    expect(await loadSite(env, id, t0 + 15_000)).toBeNull();
    expect(d1).toHaveBeenCalledTimes(1);
  });

  it(`should keep at most ${LOOKUP_MEMORY_ENTRIES} unknown ids, and never drop a known site for them`, async () => {
    const { id } = await createSite();
    const nowMs = Date.now();
    expect(await loadSite(env, id, nowMs)).toMatchObject({ id });
    const invented = Array.from({ length: LOOKUP_MEMORY_ENTRIES + 1 }, () => uniqueSiteId('invented'));
    for (const unknown of invented) await loadSite(env, unknown, nowMs);

    const kvGet = vi.spyOn(env.CACHE, 'get');
    const d1 = vi.spyOn(env.DB, 'prepare');
    expect(await loadSite(env, id, nowMs)).toMatchObject({ id });
    expect(await loadSite(env, invented.at(-1)!, nowMs)).toBeNull();
    expect(kvGet).not.toHaveBeenCalled();
    expect(d1).not.toHaveBeenCalled();
    // The first invented id was pushed out: it is looked up again.
    expect(await loadSite(env, invented[0]!, nowMs)).toBeNull();
    expect(d1).toHaveBeenCalledTimes(1);
  }, 60_000);

  it("should remember which site claims a host, and that none claims it, for Shariff's lookups", async () => {
    const { id, host } = await createSite();
    const unclaimed = inventedHost();
    const t0 = Date.now();
    expect(await loadSiteIdOfHost(env, host, t0)).toBe(id);
    expect(await loadSiteIdOfHost(env, unclaimed, t0)).toBeNull();
    const d1 = vi.spyOn(env.DB, 'prepare');
    expect(await loadSiteIdOfHost(env, host, t0 + 14_000)).toBe(id);
    expect(await loadSiteIdOfHost(env, unclaimed, t0 + 14_000)).toBeNull();
    expect(d1).not.toHaveBeenCalled();
    expect(await loadSiteIdOfHost(env, unclaimed, t0 + 15_000)).toBeNull();
    expect(d1).toHaveBeenCalledTimes(1);
  });

  it(`should keep at most ${LOOKUP_MEMORY_ENTRIES} unclaimed hosts, and never drop a claimed one for them`, async () => {
    const { id, host } = await createSite();
    const nowMs = Date.now();
    await loadSiteIdOfHost(env, host, nowMs);
    const invented = Array.from({ length: LOOKUP_MEMORY_ENTRIES + 1 }, inventedHost);
    for (const unclaimed of invented) await loadSiteIdOfHost(env, unclaimed, nowMs);

    const d1 = vi.spyOn(env.DB, 'prepare');
    expect(await loadSiteIdOfHost(env, host, nowMs)).toBe(id);
    expect(await loadSiteIdOfHost(env, invented.at(-1)!, nowMs)).toBeNull();
    expect(d1).not.toHaveBeenCalled();
    expect(await loadSiteIdOfHost(env, invented[0]!, nowMs)).toBeNull();
    expect(d1).toHaveBeenCalledTimes(1);
  }, 60_000);

  it('should forget the hosts it remembers when a site changes, as the host may now be claimed', async () => {
    const host = inventedHost();
    const nowMs = Date.now();
    expect(await loadSiteIdOfHost(env, host, nowMs)).toBeNull();
    const { id } = await createSite(undefined, { hosts: [host] });
    // What the admin API does after writing the site to D1, in this isolate.
    await storeSite(env, id, await loadStoredSite(id));
    expect(await loadSiteIdOfHost(env, host, nowMs)).toBe(id);
  });
});
