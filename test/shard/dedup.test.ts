import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { type DedupFields, DedupState } from '../../src/shard/dedup';
import { DAY_MS } from '../../src/time';
import { BROWSER_UA } from '../support/helpers';

const DAY = 20_000;
const IP = '198.51.100.9';

const view = (url: string): DedupFields => ({ site: 'news', url, type: 'view', network: '' });

/** Runs `use` on the dedup state of a fresh shard's storage. */
const withDedup = <T>(use: (dedup: DedupState, sql: SqlStorage) => Promise<T> | T) =>
  runInDurableObject(env.SHARDS.getByName(`test-${crypto.randomUUID()}`), (_, state) =>
    use(new DedupState(state.storage.sql), state.storage.sql),
  );

/** The dedup key of one event. */
const keyOf = async (dedup: DedupState, day: number, ip: string, event: DedupFields) =>
  (await dedup.keyEvents(day, ip, BROWSER_UA, [event]))[0]!.key;

describe('DedupState.keyEvents', () => {
  it('should key each event by visitor, article, type and network', async () => {
    const events = [
      view('https://n.example/a'),
      view('https://n.example/a'),
      view('https://n.example/b'),
      { ...view('https://n.example/a'), type: 'share' as const, network: 'x' },
    ];
    const keyed = await withDedup((dedup) => dedup.keyEvents(DAY, IP, BROWSER_UA, events));
    expect(keyed.map((k) => k.event)).toEqual(events);
    const keys = keyed.map((k) => k.key);
    expect(keys.every((key) => /^[0-9a-f]{32}$/.test(key))).toBe(true);
    expect(keys[1]).toBe(keys[0]);
    expect(new Set(keys).size).toBe(3);
  });

  it('should key another visitor\u2019s events, or the next day\u2019s, apart', async () => {
    const [mine, theirs, tomorrow] = await withDedup(async (dedup) => [
      await keyOf(dedup, DAY, IP, view('https://n.example/a')),
      await keyOf(dedup, DAY, '198.51.100.10', view('https://n.example/a')),
      await keyOf(dedup, DAY + 1, IP, view('https://n.example/a')),
    ]);
    expect(theirs).not.toBe(mine);
    expect(tomorrow).not.toBe(mine);
  });

  it('should make one salt per day, and keep it', async () => {
    const salts = await withDedup(async (dedup, sql) => {
      const keys = [
        await keyOf(dedup, DAY, IP, view('https://n.example/a')),
        await keyOf(dedup, DAY, IP, view('https://n.example/a')),
      ];
      // A new instance (the shard woken again) reads the stored salt.
      keys.push(await keyOf(new DedupState(sql), DAY, IP, view('https://n.example/a')));
      return { keys, stored: sql.exec('SELECT day FROM salts').toArray() };
    });
    expect(new Set(salts.keys).size).toBe(1);
    expect(salts.stored).toEqual([{ day: DAY }]);
  });
});

describe('DedupState seen keys', () => {
  it('should count a key once a day, again once unmarked', async () => {
    const seen = await withDedup((dedup) => {
      const answers = [dedup.markSeen(DAY, 'k'), dedup.markSeen(DAY, 'k'), dedup.markSeen(DAY + 1, 'k')];
      dedup.unmarkSeen(DAY, 'k');
      return [...answers, dedup.markSeen(DAY, 'k')];
    });
    expect(seen).toEqual([true, false, true, true]);
  });

  it('should drop keys of past days and salts older than yesterday', async () => {
    const left = await withDedup(async (dedup, sql) => {
      for (const day of [DAY - 2, DAY - 1, DAY]) {
        await keyOf(dedup, day, IP, view('https://n.example/a'));
        dedup.markSeen(day, 'k');
      }
      dedup.dropExpired(DAY * DAY_MS + 1);
      return {
        salts: sql
          .exec<{ day: number }>('SELECT day FROM salts ORDER BY day')
          .toArray()
          .map((r) => r.day),
        seen: sql
          .exec<{ day: number }>('SELECT day FROM seen ORDER BY day')
          .toArray()
          .map((r) => r.day),
        hasSalts: dedup.hasSalts(),
      };
    });
    expect(left).toEqual({ salts: [DAY - 1, DAY], seen: [DAY], hasSalts: true });
  });
});
