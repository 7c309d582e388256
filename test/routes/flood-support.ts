import { expect, vi } from 'vitest';
import { EVENTS_PER_MINUTE } from '../../src/recording/flood-guard';
import { createSite, postEvents } from '../support/helpers';

/** Freezes the clock just after a minute begins, so that the flood guard's minute does not end mid-test. */
export const freezeAtMinuteStart = () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime((Math.floor(Date.now() / 60_000) + 1) * 60_000 + 500);
};

/** Fills an address's bound for a site with arrays of 20 views of one article: 20 events, one visitor. */
async function fillBound(site: string, origin: string, ip: string): Promise<number[]> {
  const array = Array.from({ length: 20 }, () => ({ site, type: 'view', url: `${origin}/filled` }));
  const beacons = Array.from({ length: EVENTS_PER_MINUTE / 20 }, () => postEvents(array, { origin, ip }));
  return (await Promise.all(beacons)).map((r) => r.status);
}

/**
 * A new site whose flood-guard bound for `ip` is full for this minute (every
 * beacon that filled it accepted), the clock frozen just after the minute began.
 */
export async function siteFilledFrom(ip: string) {
  freezeAtMinuteStart();
  const { id, host } = await createSite();
  const origin = `https://${host}`;
  expect(new Set(await fillBound(id, origin, ip))).toEqual(new Set([202]));
  return { id, origin };
}
