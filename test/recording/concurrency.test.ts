import { env } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { readArticleCounts } from '../../src/db/counts';
import { createSite, flushAllShards, postEvents } from '../support/helpers';

it('should end hundreds of concurrent beacons from distinct visitors as exact totals in D1', async () => {
  const { id, host } = await createSite();
  const origin = `https://${host}`;
  const articles = Array.from({ length: 12 }, (_, i) => `${origin}/story-${i}`);
  const visitors = 400;

  const beacons = Array.from({ length: visitors }, (_, v) => {
    const url = articles[v % articles.length]!;
    const events = [
      { site: id, type: 'view', url },
      ...(v % 4 === 0 ? [{ site: id, type: 'share', url, network: 'x' }] : []),
    ];
    const ip = `10.${v >> 8}.${v & 255}.1`;
    // Each visitor's beacon arrives twice at once, as a retrying client would send it.
    return [postEvents(events, { origin, ip }), postEvents(events, { origin, ip })];
  }).flat();
  const statuses = (await Promise.all(beacons)).map((r) => r.status);
  expect(statuses.every((s) => s === 202)).toBe(true);

  await flushAllShards();
  let views = 0;
  let shares = 0;
  for (const [i, url] of articles.entries()) {
    const counts = await readArticleCounts(env.DB, id, url);
    const visitorsOfArticle = Array.from({ length: visitors }, (_, v) => v).filter((v) => v % articles.length === i);
    expect(counts.views).toBe(visitorsOfArticle.length);
    expect(counts.shares.total).toBe(visitorsOfArticle.filter((v) => v % 4 === 0).length);
    views += counts.views;
    shares += counts.shares.total;
  }
  expect({ views, shares }).toEqual({ views: 400, shares: 100 });
}, 60_000);
