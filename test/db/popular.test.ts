import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { globOfPathPattern, readCandidates } from '../../src/db/popular';
import { runBatch } from '../../src/db/query';
import { advanceWindowQueries } from '../../src/db/window-totals';
import { RANK_BY, WINDOWS } from '../../src/ranking/windows';
import { bucketOf } from '../../src/time';
import { createSite } from '../support/helpers';
import { loadStoredSite, seedArticles } from '../support/seed';

const C = bucketOf(Date.UTC(2026, 10, 20, 10, 30));

describe('globOfPathPattern', () => {
  it.each([
    ['/', '/'],
    ['/tag/*', '/tag/*'],
    ['/*/live/*', '/*/live/*'],
    ['/a?b', '/a[?]b'],
    ['/list[1]*', '/list[[]1]*'],
  ])('should turn %j into %j', (pattern, glob) => {
    expect(globOfPathPattern(pattern)).toBe(glob);
  });
});

describe('readCandidates: what never ranks', () => {
  it('should leave out articles not verified, hidden or on an excluded path, in every form of the query, and still fill the limit', async () => {
    const created = await createSite(undefined, { settings: { exclude_paths: ['/', '/tag/*', '/list[1]*'] } });
    const unranked = ['', '?page=2', 'tag/x', 'tag/x/y?z=1', 'list[1]-b', 'hidden', 'rejected', 'pending'];
    const ranked = ['tags', 'tag', 'a/tag/x', 'list1', 'b'];
    // The articles that never rank have the most counts: a limit taken before the filters would return them.
    const paths = [...unranked, ...ranked];
    const urls = await seedArticles(
      created,
      paths.map((path, i) => ({ path, hours: [[C, 100 - i, 100 - i, 100 - i]] })),
    );
    // A key keeps a port that is not the default: the path is still what follows it.
    await seedArticles({ id: created.id, host: `${created.host}:8443` }, [
      { path: 'tag/p', hours: [[C, 200, 200, 200]] },
    ]);
    const urlOf = (path: string) => urls[paths.indexOf(path)]!;
    await env.DB.batch([
      env.DB.prepare('UPDATE articles SET hidden = 1 WHERE site_id = ? AND url = ?').bind(created.id, urlOf('hidden')),
      ...['rejected', 'pending'].map((status) =>
        env.DB.prepare('UPDATE articles SET status = ? WHERE site_id = ? AND url = ?').bind(
          status,
          created.id,
          urlOf(status),
        ),
      ),
    ]);
    // Running totals at C, so that 24h and 7d read them (corrected, an hour later).
    await runBatch(env.DB, advanceWindowQueries([created.id], C));
    const site = await loadStoredSite(created.id);

    const expected = ranked.slice(0, 3).map(urlOf);
    for (const window of WINDOWS) {
      for (const by of RANK_BY) {
        const request = { window, by, limit: 3, section: null, exclude: [] };
        const candidates = await readCandidates(env.DB, site, request, C);
        expect(
          candidates.map(({ url }) => url),
          `${window} by ${by}`,
        ).toEqual(expected);
        if (window === '24h' || window === '7d') {
          const later = await readCandidates(env.DB, site, request, C + 1);
          expect(
            later.map(({ url }) => url),
            `${window} by ${by}, totals an hour behind`,
          ).toEqual(expected);
        }
      }
    }
  });
});
