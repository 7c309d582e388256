import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { MeteredSql } from '../../src/metering/metered-storage';
import { StorageTally } from '../../src/metering/usage';
import { DEDUP_GRACE_MS, type DedupFields, DedupState, isDayClosed, seenTable } from '../../src/shard/dedup';
import { DAY_MS } from '../../src/time';
import { BROWSER_UA } from '../support/helpers';
import { SEEN_ROWS } from './shard-support';

const DAY = 20_000;
const IP = '198.51.100.9';

const view = (url: string): DedupFields => ({ site: 'news', url, type: 'view', network: '', from: null });

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

  it('should give every visitor of one IP scope one cap key per article, type and network', async () => {
    const OTHER_UA = BROWSER_UA.replace('Chrome/140', 'Chrome/141');
    const capKeys = await withDedup(async (dedup) => {
      const capKey = async (ip: string, event: DedupFields, userAgent = BROWSER_UA) =>
        (await dedup.keyEvents(DAY, ip, userAgent, [event]))[0]!.capKey;
      const a = view('https://n.example/a');
      return {
        ua: [await capKey(IP, a), await capKey(IP, a, OTHER_UA)],
        v6: [await capKey('2001:db8:1:2::1', a), await capKey('2001:DB8:1:2:ffff::9', a, OTHER_UA)],
        apart: [
          await capKey('198.51.100.10', a),
          await capKey('2001:db8:1:3::1', a),
          await capKey(IP, view('https://n.example/b')),
          await capKey(IP, { ...a, type: 'share', network: 'x' }),
          await capKey(IP, { ...a, type: 'share', network: 'email' }),
          await capKey(IP, { ...a, site: 'other' }),
        ],
        tomorrow: (await dedup.keyEvents(DAY + 1, IP, BROWSER_UA, [a]))[0]!.capKey,
        dedupKey: (await dedup.keyEvents(DAY, IP, BROWSER_UA, [a]))[0]!.key,
      };
    });
    expect(capKeys.ua[1]).toBe(capKeys.ua[0]);
    expect(capKeys.v6[1]).toBe(capKeys.v6[0]);
    const all = [capKeys.ua[0], capKeys.v6[0], ...capKeys.apart, capKeys.tomorrow, capKeys.dedupKey];
    expect(new Set(all).size).toBe(all.length);
    expect(all.every((key) => /^[0-9a-f]{32}$/.test(key!))).toBe(true);
  });

  it('should give a read its visitor\u2019s view key, and an event opened from a popular box its click key', async () => {
    const a = view('https://n.example/a');
    const keyed = await withDedup((dedup) =>
      dedup.keyEvents(DAY, IP, BROWSER_UA, [
        a,
        { ...a, type: 'read' },
        { ...a, from: 'views-24h.3' },
        { ...a, type: 'read', from: 'views-24h.3' },
        { ...a, from: 'views-24h.4' },
        { ...a, url: 'https://n.example/b', from: 'views-24h.3' },
      ]),
    );
    const [viewed, read, opened, readOpened, otherPosition, otherArticle] = keyed;
    expect(viewed).toMatchObject({ viewKey: null, clickKey: null });
    // A read is keyed apart from its view, and knows the view's key.
    expect(read!.key).not.toBe(viewed!.key);
    expect(read!.viewKey).toBe(viewed!.key);
    expect(read!.clickKey).toBeNull();
    // One click key per visitor, article and sp_from value, whichever event carries it.
    expect(opened!.key).toBe(viewed!.key);
    expect(opened!.clickKey).toMatch(/^[0-9a-f]{32}$/);
    expect(readOpened!.clickKey).toBe(opened!.clickKey);
    expect(readOpened!.viewKey).toBe(viewed!.key);
    const keys = [viewed!.key, read!.key, opened!.clickKey, otherPosition!.clickKey, otherArticle!.clickKey];
    expect(new Set(keys).size).toBe(keys.length);
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

describe('DedupState per-IP counts', () => {
  it('should count distinct visitors per cap key and day', async () => {
    const counts = await withDedup((dedup) => {
      const before = dedup.scopeVisitors(DAY, 'c');
      dedup.markCounted(DAY, 'k1', 'c');
      dedup.markCounted(DAY, 'k2', 'c');
      dedup.markCounted(DAY + 1, 'k1', 'c');
      return [before, dedup.scopeVisitors(DAY, 'c'), dedup.scopeVisitors(DAY + 1, 'c'), dedup.scopeVisitors(DAY, 'd')];
    });
    expect(counts).toEqual([0, 2, 1, 0]);
  });

  it('should drop them with the day\u2019s dedup keys, DEDUP_GRACE_MS after midnight', async () => {
    const midnight = (DAY + 1) * DAY_MS;
    const left = await withDedup((dedup) => {
      dedup.markCounted(DAY, 'k', 'c');
      dedup.markCounted(DAY + 1, 'k', 'c');
      dedup.dropExpired(midnight + DEDUP_GRACE_MS - 1);
      const kept = dedup.scopeVisitors(DAY, 'c');
      dedup.dropExpired(midnight + DEDUP_GRACE_MS);
      return {
        kept,
        dropped: dedup.scopeVisitors(DAY, 'c'),
        seen: dedup.markSeen(DAY, 'k'),
        today: dedup.scopeVisitors(DAY + 1, 'c'),
      };
    });
    // The key and the count go together: a new mark after the drop is new again.
    expect(left).toEqual({ kept: 1, dropped: 0, seen: true, today: 1 });
  });
});

describe('DedupState seen keys', () => {
  it('should count a key once a day', async () => {
    const seen = await withDedup((dedup) => {
      return [dedup.markSeen(DAY, 'k'), dedup.markSeen(DAY, 'k'), dedup.markSeen(DAY + 1, 'k')];
    });
    expect(seen).toEqual([true, false, true]);
  });

  it('should tell whether a key is seen on a day without marking it', async () => {
    const seen = await withDedup((dedup) => {
      const before = dedup.isSeen(DAY, 'k');
      const still = dedup.isSeen(DAY, 'k');
      dedup.markSeen(DAY, 'k');
      const after = [dedup.isSeen(DAY, 'k'), dedup.isSeen(DAY + 1, 'k'), dedup.isSeen(DAY, 'j')];
      return [before, still, ...after];
    });
    expect(seen).toEqual([false, false, true, false, false]);
  });

  it('should drop keys of past days and salts older than yesterday', async () => {
    const left = await withDedup(async (dedup, sql) => {
      for (const day of [DAY - 2, DAY - 1, DAY]) {
        await keyOf(dedup, day, IP, view('https://n.example/a'));
        dedup.markSeen(day, 'k');
      }
      dedup.dropExpired(DAY * DAY_MS + DEDUP_GRACE_MS);
      return {
        salts: sql
          .exec<{ day: number }>('SELECT day FROM salts ORDER BY day')
          .toArray()
          .map((r) => r.day),
        seen: sql
          .exec<{ day: number }>(`SELECT day FROM ${SEEN_ROWS} ORDER BY day`)
          .toArray()
          .map((r) => r.day),
        hasSalts: dedup.hasSalts(),
      };
    });
    expect(left).toEqual({ salts: [DAY - 1, DAY], seen: [DAY], hasSalts: true });
  });
});

describe('DedupState at midnight', () => {
  const midnight = (DAY + 1) * DAY_MS;

  it('should keep a day\u2019s keys past midnight, so that a beacon of the day arriving late counts once', async () => {
    const seen = await withDedup((dedup) => {
      const first = dedup.markSeen(DAY, 'k'); // at 23:59:59.999
      // The first alarm after midnight, while the beacon's twin still waits in group commit (5 s at most).
      dedup.dropExpired(midnight + 5_000);
      const late = dedup.markSeen(DAY, 'k');
      dedup.dropExpired(midnight + DEDUP_GRACE_MS - 1);
      const later = dedup.markSeen(DAY, 'k');
      return [first, late, later];
    });
    expect(seen).toEqual([true, false, false]);
  });

  it('should drop them DEDUP_GRACE_MS after midnight, when events of the day no longer count', async () => {
    const left = await withDedup((dedup, sql) => {
      dedup.markSeen(DAY, 'k');
      dedup.dropExpired(midnight + DEDUP_GRACE_MS);
      return sql.exec(`SELECT day FROM ${SEEN_ROWS}`).toArray();
    });
    expect(left).toEqual([]);
  });

  it('should drop a closed day\u2019s table whole, writing no row for its keys, and keep it working', async () => {
    const { written, left, again } = await withDedup((dedup, sql) => {
      for (let i = 0; i < 500; i++) dedup.markCounted(DAY, `k${i}`, 'cap-a');
      const tally = new StorageTally();
      const metered = new DedupState(new MeteredSql(sql, tally));
      metered.dropExpired(midnight + DEDUP_GRACE_MS);
      return new Promise<{ written: number; left: number; again: boolean[] }>((resolve) =>
        queueMicrotask(() => {
          const left = sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${seenTable(DAY)}`).one().n;
          // The table made again takes the keys of the day two days on, which shares its parity.
          const again = [metered.markSeen(DAY + 2, 'k1'), metered.markSeen(DAY + 2, 'k1')];
          resolve({ written: tally.take().rowsWritten, left, again });
        }),
      );
    });
    // The table made again: its schema's rows, never one per key.
    expect(written).toBeLessThanOrEqual(2);
    expect(left).toBe(0);
    expect(again).toEqual([true, false]);
  });

  it('should keep an open day\u2019s keys in a table that also holds a closed day\u2019s, as after a shard slept a day', async () => {
    const left = await withDedup((dedup, sql) => {
      dedup.markSeen(DAY, 'old');
      dedup.markSeen(DAY + 2, 'new');
      dedup.dropExpired((DAY + 2) * DAY_MS + DEDUP_GRACE_MS);
      return sql.exec<{ day: number; key: string }>(`SELECT day, key FROM ${SEEN_ROWS}`).toArray();
    });
    expect(left).toEqual([{ day: DAY + 2, key: 'new' }]);
  });
});

describe('isDayClosed', () => {
  const midnight = (DAY + 1) * DAY_MS;

  it('should close a day DEDUP_GRACE_MS after it ends, as its keys are dropped', () => {
    expect(isDayClosed(DAY, midnight - 1)).toBe(false);
    expect(isDayClosed(DAY, midnight + DEDUP_GRACE_MS - 1)).toBe(false);
    expect(isDayClosed(DAY, midnight + DEDUP_GRACE_MS)).toBe(true);
    expect(isDayClosed(DAY + 1, midnight + DEDUP_GRACE_MS)).toBe(false);
    // A clock ahead of the shard's stamps tomorrow: not closed.
    expect(isDayClosed(DAY + 2, midnight)).toBe(false);
  });
});

describe('DedupState per-IP counts in dedup rows', () => {
  it('should count a counted event in its dedup row alone: one row written, none for a refusal', async () => {
    const written = await withDedup((dedup, sql) => {
      const before = sql.exec('SELECT 1').rowsWritten;
      dedup.markCounted(DAY, 'k1', 'cap-a');
      const rows = sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${SEEN_ROWS}`).one().n;
      return {
        before,
        rows,
        visitors: dedup.scopeVisitors(DAY, 'cap-a'),
        otherDay: dedup.scopeVisitors(DAY + 1, 'cap-a'),
      };
    });
    expect(written).toEqual({ before: 0, rows: 1, visitors: 1, otherDay: 0 });
  });

  it('should read the counts again from storage, with those of ip_visitors made before its dedup rows held cap keys', async () => {
    const counts = await withDedup((dedup, sql) => {
      dedup.markCounted(DAY, 'k1', 'cap-a');
      dedup.markCounted(DAY, 'k2', 'cap-a');
      dedup.markCounted(DAY, 'k3', 'cap-b');
      dedup.markSeen(DAY, 'click-key');
      sql.exec("INSERT INTO ip_visitors (day, key, visitors) VALUES (?, 'cap-a', 5)", DAY);
      // A new instance over the same storage, as after the object restarted.
      const restarted = new DedupState(sql);
      return ['cap-a', 'cap-b', 'cap-c'].map((cap) => restarted.scopeVisitors(DAY, cap));
    });
    expect(counts).toEqual([7, 1, 0]);
  });

  it('should read the counts again after forgetCaps, as after a transaction rolled back', async () => {
    const counts = await withDedup((dedup, sql) => {
      dedup.markCounted(DAY, 'k1', 'cap-a');
      const before = dedup.scopeVisitors(DAY, 'cap-a');
      sql.exec(`DELETE FROM ${seenTable(DAY)} WHERE key = 'k1'`);
      dedup.forgetCaps();
      return [before, dedup.scopeVisitors(DAY, 'cap-a')];
    });
    expect(counts).toEqual([1, 0]);
  });
});
