import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import fc from 'fast-check';
import { expect, it, type MockInstance, onTestFinished, vi } from 'vitest';
import { readConfig } from '../../src/config';
import { shardIndex } from '../../src/shard/routing';
import { DAY_MS, dayOf } from '../../src/time';
import { BROWSER_UA, shardStub } from '../support/helpers';
import {
  createShardSite,
  OUTBOX_ROWS,
  PENDING_ROWS,
  putBackCommittedBatch,
  readBufferedRows,
  rowCount,
  shardEvent,
} from './shard-support';

const ARTICLES = 4;
const VISITORS = 3;
const NETWORKS = ['', 'x', 'email']; // '' is a view

type Command =
  | { kind: 'event'; visitor: number; article: number; network: number; day: 0 | 1 }
  | { kind: 'flush' | 'failed-flush' | 'replayed-flush'; shard: number };

const { shardCount } = readConfig(env);
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('event' as const),
      visitor: fc.nat(VISITORS - 1),
      article: fc.nat(ARTICLES - 1),
      network: fc.nat(NETWORKS.length - 1),
      day: fc.constantFrom(0 as const, 1 as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom('flush' as const, 'failed-flush' as const, 'replayed-flush' as const),
      shard: fc.nat(shardCount - 1),
    }),
  },
);

/** Whether a shard holds rows for D1, so that its next flush calls D1. */
const holdsRows = (shard: number) =>
  runInDurableObject(
    shardStub(shard),
    (_, state) =>
      state.storage.sql
        .exec(
          `SELECT 1 FROM ${PENDING_ROWS} UNION ALL SELECT 1 FROM held UNION ALL SELECT 1 FROM ${OUTBOX_ROWS} LIMIT 1`,
        )
        .toArray().length > 0,
  );

/** A flush while D1 fails; checks what the shard logged to `errors` meanwhile. */
async function failedFlush(shard: number, errors: MockInstance<typeof console.error>) {
  const callsBefore = errors.mock.calls.length;
  const expectsFailure = await holdsRows(shard);
  await env.DB.exec('ALTER TABLE flush_log RENAME TO flush_log_away');
  try {
    await runDurableObjectAlarm(shardStub(shard));
  } finally {
    await env.DB.exec('ALTER TABLE flush_log_away RENAME TO flush_log');
  }
  const logged = errors.mock.calls.slice(callsBefore).map(([message, err]) => [message, String(err)]);
  // Reported once per failed attempt, and only by a shard that had something to send.
  expect(logged).toEqual(
    expectsFailure
      ? [
          [
            expect.stringMatching(/^shard flush failed \(attempt \d+\); will retry$/),
            expect.stringContaining('no such table: flush_log'),
          ],
        ]
      : [],
  );
}

/** A flush whose shard dies after D1 commits and before it clears its outbox, then runs again. */
async function replayedFlush(shard: number) {
  const stub = shardStub(shard);
  const buffered = await readBufferedRows(stub);
  if ((await rowCount(stub, OUTBOX_ROWS)) > 0 || buffered.pending.length === 0) return runDurableObjectAlarm(stub);
  await runDurableObjectAlarm(stub);
  await putBackCommittedBatch(stub, buffered);
  return runDurableObjectAlarm(stub);
}

it('should store totals equal to the counted events under any interleaving of events and flushes', async () => {
  const today = dayOf(Date.now());
  const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
  onTestFinished(() => errors.mockRestore());
  await fc.assert(
    fc.asyncProperty(fc.array(command, { maxLength: 40 }), async (commands) => {
      const site = await createShardSite();
      const { id, host } = site;
      const url = (article: number) => `https://${host}/story-${article}`;
      const counted = new Set<string>();
      const expected = new Map<string, { views: number; shares: number }>();

      for (const c of commands) {
        if (c.kind === 'event') {
          const network = NETWORKS[c.network]!;
          const receivedMs = (today + c.day) * DAY_MS + 1000;
          const shard = shardIndex(id, url(c.article), shardCount);
          await shardStub(shard).record([
            {
              receivedMs,
              ip: `198.51.100.${c.visitor}`,
              userAgent: BROWSER_UA,
              events: [shardEvent(site, url(c.article), { type: network ? 'share' : 'view', network })],
            },
          ]);
          const key = JSON.stringify([c.visitor, c.article, network, c.day]);
          if (!counted.has(key)) {
            counted.add(key);
            const totals = expected.get(url(c.article)) ?? { views: 0, shares: 0 };
            if (network) totals.shares++;
            else totals.views++;
            expected.set(url(c.article), totals);
          }
        } else if (c.kind === 'flush') {
          await runDurableObjectAlarm(shardStub(c.shard));
        } else if (c.kind === 'failed-flush') {
          await failedFlush(c.shard, errors);
        } else {
          await replayedFlush(c.shard);
        }
      }
      for (let i = 0; i < shardCount; i++) await runDurableObjectAlarm(shardStub(i));

      const { results } = await env.DB.prepare('SELECT url, views, shares FROM articles WHERE site_id = ? ORDER BY url')
        .bind(id)
        .all();
      const wanted = [...expected].sort(([a], [b]) => a.localeCompare(b)).map(([u, t]) => ({ url: u, ...t }));
      expect(results).toEqual(wanted);
      const hours = await env.DB.prepare(
        'SELECT sum(views) AS views, sum(shares) AS shares FROM article_hours WHERE site_id = ?',
      )
        .bind(id)
        .first();
      const sum = wanted.reduce((acc, t) => ({ views: acc.views + t.views, shares: acc.shares + t.shares }), {
        views: 0,
        shares: 0,
      });
      expect(hours).toEqual(wanted.length ? sum : { views: null, shares: null });
    }),
    // Bounded work, and under the test's timeout even on a loaded machine.
    { numRuns: 30, interruptAfterTimeLimit: 60_000 },
  );
}, 120_000);
