import { env, runDurableObjectAlarm, SELF } from 'cloudflare:test';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { LedgerBody } from '../../src/openapi/schemas';
import { DAY_MS, dayOf } from '../../src/time';
import { ADMIN, BROWSER_UA } from '../support/helpers';
import { beacon, createShardSite, isolatedShard, shardEvent } from './shard-support';

const ARTICLES = 3;
/** Readers are a User-Agent on one of two IPs: eight visitors, four per IP, over a cap of two. */
const USER_AGENTS = 4;
const IPS = ['198.51.100.80', '198.51.100.81'];
const CAP = 2;

type Command = { kind: 'view' | 'read'; ua: number; ip: number; article: number } | { kind: 'flush' };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constantFrom('view' as const, 'read' as const),
      ua: fc.nat(USER_AGENTS - 1),
      ip: fc.nat(IPS.length - 1),
      article: fc.nat(ARTICLES - 1),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'flush' as const }) },
);

/**
 * What the counting rules say of each event, kept apart from the shard: a
 * view or read counts once per visitor, article and day, for at most CAP
 * visitors of an IP per article and type; a read only after its visitor's
 * view counted.
 */
class Rules {
  private readonly seen = new Set<string>();
  private readonly visitorsOfIp = new Map<string, number>();
  noView = 0;

  counts(kind: 'view' | 'read', visitor: string, ip: number, article: number): boolean {
    if (kind === 'read' && !this.seen.has(JSON.stringify(['view', visitor, article]))) {
      this.noView++;
      return false;
    }
    const key = JSON.stringify([kind, visitor, article]);
    const capKey = JSON.stringify([kind, ip, article]);
    if (this.seen.has(key) || (this.visitorsOfIp.get(capKey) ?? 0) >= CAP) return false;
    this.seen.add(key);
    this.visitorsOfIp.set(capKey, (this.visitorsOfIp.get(capKey) ?? 0) + 1);
    return true;
  }
}

it('should never count more reads than views for a visitor and article, and store exactly what it counted', async () => {
  const today = dayOf(Date.now());
  // One instant of today for every event: a run that crosses midnight still counts one day.
  const receivedMs = today * DAY_MS + 1000;
  await fc.assert(
    fc.asyncProperty(fc.array(command, { maxLength: 40 }), async (commands) => {
      const site = await createShardSite();
      const shard = isolatedShard();
      const url = (article: number) => `https://${site.host}/story-${article}`;
      const rules = new Rules();
      // What the shard answered it counted, per visitor and article.
      const counted = new Map<string, { views: number; reads: number }>();
      const totals = Array.from({ length: ARTICLES }, () => ({ views: 0, reads: 0 }));
      let events = 0;

      for (const c of commands) {
        if (c.kind === 'flush') {
          await runDurableObjectAlarm(shard);
          continue;
        }
        events++;
        const visitor = JSON.stringify([c.ua, c.ip]);
        const event = shardEvent(site, url(c.article), { type: c.kind, siteMaxVisitorsPerIp: CAP });
        const [n] = await shard.record([
          beacon([event], {
            receivedMs,
            ip: IPS[c.ip]!,
            userAgent: BROWSER_UA.replace('Chrome/140', `Chrome/${100 + c.ua}`),
          }),
        ]);
        expect(n).toBe(rules.counts(c.kind, visitor, c.ip, c.article) ? 1 : 0);
        const key = JSON.stringify([visitor, c.article]);
        const mine = counted.get(key) ?? { views: 0, reads: 0 };
        if (c.kind === 'view') mine.views += n!;
        else mine.reads += n!;
        counted.set(key, mine);
        if (c.kind === 'view') totals[c.article]!.views += n!;
        else totals[c.article]!.reads += n!;
        expect(mine.reads).toBeLessThanOrEqual(mine.views);
      }
      await runDurableObjectAlarm(shard);

      const { results } = await env.DB.prepare(
        'SELECT url, views, shares, reads FROM articles WHERE site_id = ? ORDER BY url',
      )
        .bind(site.id)
        .all();
      const wanted = totals.flatMap((t, article) => (t.views > 0 ? [{ url: url(article), ...t, shares: 0 }] : []));
      expect(results).toEqual(wanted);
      const sums = await env.DB.prepare(
        'SELECT coalesce(sum(views), 0) AS views, coalesce(sum(reads), 0) AS reads FROM article_hours WHERE site_id = ?',
      )
        .bind(site.id)
        .first();
      const sum = (kind: 'views' | 'reads') => totals.reduce((acc, t) => acc + t[kind], 0);
      expect(sums).toEqual({ views: sum('views'), reads: sum('reads') });

      const response = await SELF.fetch(`https://api.test/api/v1/admin/sites/${site.id}/ledger?days=1`, {
        headers: ADMIN,
      });
      const [day] = (await response.json<LedgerBody>()).days;
      expect(day).toMatchObject({ received: events, counted: sum('views') + sum('reads') });
      expect(day!.not_counted.no_view).toBe(rules.noView);
    }),
    // Bounded work, and under the test's timeout even on a loaded machine.
    { numRuns: 50, interruptAfterTimeLimit: 60_000 },
  );
}, 120_000);
