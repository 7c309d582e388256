import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { READ_COUNTER } from '../../src/shard/batch';
import { bufferHeld } from '../../src/shard/held-events';
import { Journal } from '../../src/shard/journal';
import {
  addEventCount,
  bufferLedger,
  countedLedger,
  halves,
  hasOutbox,
  hasPending,
  isDefiniteRefusal,
} from '../../src/shard/outbox';

const s = { site: 's', siteCreatedAt: '2026-11-20T10:00:00.000Z' };

/** Runs `use` on a fresh shard's storage. */
const withStorage = <T>(use: (sql: SqlStorage) => T) =>
  runInDurableObject(env.SHARDS.getByName(`test-${crypto.randomUUID()}`), (_, state) => use(state.storage.sql));

const addOne = (sql: SqlStorage, incarnation: typeof s, url: string, bucket: number, network: string) =>
  addEventCount(sql, 'pending', incarnation, url, { bucket, network, n: 1 });

describe('addEventCount', () => {
  it('should add up events per article, hour and network', async () => {
    const rows = await withStorage((sql) => {
      addOne(sql, s, 'u', 10, '');
      addOne(sql, s, 'u', 10, '');
      addOne(sql, s, 'u', 11, '');
      addOne(sql, s, 'u', 10, 'x');
      return sql.exec('SELECT site, url, bucket, network, n FROM pending ORDER BY bucket, network').toArray();
    });
    expect(rows).toEqual([
      { site: 's', url: 'u', bucket: 10, network: '', n: 2 },
      { site: 's', url: 'u', bucket: 10, network: 'x', n: 1 },
      { site: 's', url: 'u', bucket: 11, network: '', n: 1 },
    ]);
  });

  it('should keep the increments of a site and of an earlier site of its id apart', async () => {
    const rows = await withStorage((sql) => {
      addOne(sql, { site: 's', siteCreatedAt: '2026-11-19T08:00:00.000Z' }, 'u', 10, '');
      addOne(sql, s, 'u', 10, '');
      return sql.exec('SELECT site_created_at, n FROM pending ORDER BY site_created_at').toArray();
    });
    expect(rows).toEqual([
      { site_created_at: '2026-11-19T08:00:00.000Z', n: 1 },
      { site_created_at: s.siteCreatedAt, n: 1 },
    ]);
  });
});

describe('bufferLedger', () => {
  it('should add up events per site incarnation, day and outcome', async () => {
    const rows = await withStorage((sql) => {
      bufferLedger(sql, { ...s, day: 9, outcome: 'view', n: 2 });
      bufferLedger(sql, { ...s, day: 9, outcome: 'view', n: 3 });
      bufferLedger(sql, { ...s, day: 9, outcome: 'repeat', n: 1 });
      bufferLedger(sql, { ...s, day: 10, outcome: 'view', n: 1 });
      bufferLedger(sql, { ...s, siteCreatedAt: '', day: 9, outcome: 'bot', n: 4 });
      return sql.exec('SELECT * FROM pending_ledger ORDER BY site_created_at, day, outcome').toArray();
    });
    expect(rows).toEqual([
      { site: 's', site_created_at: '', day: 9, outcome: 'bot', n: 4 },
      { site: 's', site_created_at: s.siteCreatedAt, day: 9, outcome: 'repeat', n: 1 },
      { site: 's', site_created_at: s.siteCreatedAt, day: 9, outcome: 'view', n: 5 },
      { site: 's', site_created_at: s.siteCreatedAt, day: 10, outcome: 'view', n: 1 },
    ]);
  });
});

describe('hasPending and hasOutbox', () => {
  it('should see ledger rows, pending and sealed', async () => {
    const state = await withStorage((sql) => {
      const journal = new Journal(sql, 100);
      bufferLedger(sql, { ...s, day: 9, outcome: 'bot', n: 1 });
      const seen = [{ pending: hasPending(sql, journal), outbox: hasOutbox(sql) }];
      sql.exec('DELETE FROM pending_ledger');
      sql.exec("INSERT INTO outbox_ledger VALUES (1, 's', '', 9, 'bot', 1)");
      seen.push({ pending: hasPending(sql, journal), outbox: hasOutbox(sql) });
      return seen;
    });
    expect(state).toEqual([
      { pending: true, outbox: false },
      { pending: false, outbox: true },
    ]);
  });

  it('should see held events as pending', async () => {
    const state = await withStorage((sql) => {
      bufferHeld(sql, s, 'u', 10, '');
      return { pending: hasPending(sql, new Journal(sql, 100)), outbox: hasOutbox(sql) };
    });
    expect(state).toEqual({ pending: true, outbox: false });
  });

  it('should see the journal\u2019s open increments as pending, and its sealed parts as the outbox', async () => {
    const state = await withStorage((sql) => {
      const journal = new Journal(sql, 100);
      journal.add({ ...s, url: 'u', bucket: 10, network: '' });
      const seen = [{ pending: hasPending(sql, journal), outbox: hasOutbox(sql) }];
      journal.seal();
      seen.push({ pending: hasPending(sql, journal), outbox: hasOutbox(sql) });
      return seen;
    });
    expect(state).toEqual([
      { pending: true, outbox: false },
      { pending: false, outbox: true },
    ]);
  });
});

describe('halves', () => {
  const count = (url: string) => ({ ...s, url, bucket: 10, network: '', n: 1 });
  const ledger = (day: number) => ({ ...s, day, outcome: 'repeat' as const, n: 1 });

  it('should split a batch\u2019s rows in two in order, increments first, the first half the larger', () => {
    expect(halves({ counts: ['a', 'b', 'c'].map(count), ledger: [1, 2].map(ledger) })).toEqual([
      { counts: ['a', 'b', 'c'].map(count), ledger: [] },
      { counts: [], ledger: [1, 2].map(ledger) },
    ]);
    expect(halves({ counts: ['a', 'b'].map(count), ledger: [1, 2, 3].map(ledger) })).toEqual([
      { counts: ['a', 'b'].map(count), ledger: [1].map(ledger) },
      { counts: [], ledger: [2, 3].map(ledger) },
    ]);
  });

  it('should take ledger rows last', () => {
    expect(halves({ counts: [], ledger: [1, 2, 3].map(ledger) })).toEqual([
      { counts: [], ledger: [1, 2].map(ledger) },
      { counts: [], ledger: [3].map(ledger) },
    ]);
  });

  it('should leave one row in each half of a batch of two', () => {
    expect(halves({ counts: [count('a'), count('b')], ledger: [] })).toEqual([
      { counts: [count('a')], ledger: [] },
      { counts: [count('b')], ledger: [] },
    ]);
    expect(halves({ counts: [count('a')], ledger: [ledger(1)] })).toEqual([
      { counts: [count('a')], ledger: [] },
      { counts: [], ledger: [ledger(1)] },
    ]);
  });
});

describe('isDefiniteRefusal', () => {
  const errorsByVerdict = [
    {
      verdict: 'a refusal of the batch',
      refusal: true,
      messages: [
        'D1_ERROR: refused for the test: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_TRIGGER)',
        'D1_ERROR: UNIQUE constraint failed: flush_log.shard, flush_log.epoch, flush_log.seq: SQLITE_CONSTRAINT',
        'D1_ERROR: cannot store TEXT value in INTEGER column articles.views: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_DATATYPE)',
        'D1_ERROR: no such table: article_hours: SQLITE_ERROR',
        'D1_ERROR: too many SQL variables at offset 207: SQLITE_ERROR',
        'D1_ERROR: string or blob too big: SQLITE_TOOBIG',
        "D1_TYPE_ERROR: Type 'undefined' not supported for value 'undefined'",
      ],
    },
    {
      verdict: 'a failure that says nothing of the batch',
      refusal: false,
      messages: [
        'D1 did not answer within 30000 ms',
        'D1_ERROR: Network connection lost.',
        'D1 DB is overloaded. Requests queued for too long.',
        'D1 DB is overloaded. Too many requests queued.',
        'D1_ERROR: Internal error while starting up D1 DB storage caused object to be reset.',
        'D1_ERROR: D1 DB reset because its code was updated.',
        'D1_ERROR: D1 DB storage operation exceeded timeout which caused object to be reset.',
        'D1_ERROR: Cannot resolve D1 DB due to transient issue on remote node.',
        'D1_ERROR: database is locked: SQLITE_BUSY',
        'D1_ERROR: disk I/O error: SQLITE_IOERR',
        'D1_ERROR: database or disk is full: SQLITE_FULL',
        'internal error',
      ],
    },
  ];
  for (const { verdict, refusal, messages } of errorsByVerdict) {
    it.each(messages)(`should take %s for ${verdict}`, (message) => {
      expect(isDefiniteRefusal(new Error(message))).toBe(refusal);
    });
  }

  it('should take what is not an Error for no refusal', () => {
    expect(isDefiniteRefusal('D1_ERROR: no such table: x: SQLITE_ERROR')).toBe(false);
  });
});

describe('countedLedger', () => {
  it('should sum a batch\u2019s increments per site, UTC day of their hour, and view, read or share', () => {
    const row = (bucket: number, network: string, n: number) => ({ ...s, url: 'u', bucket, network, n });
    expect(
      countedLedger([
        row(24, '', 2),
        row(47, '', 3),
        row(48, '', 1),
        row(24, 'x', 4),
        row(30, 'email', 1),
        row(25, READ_COUNTER, 2),
        row(49, READ_COUNTER, 1),
      ]),
    ).toEqual([
      { ...s, day: 1, outcome: 'view', n: 5 },
      { ...s, day: 2, outcome: 'view', n: 1 },
      { ...s, day: 1, outcome: 'share', n: 5 },
      { ...s, day: 1, outcome: 'read', n: 2 },
      { ...s, day: 2, outcome: 'read', n: 1 },
    ]);
  });
});
