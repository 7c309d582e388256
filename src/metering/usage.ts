/**
 * What this isolate's code made the platform do, by the platform's own
 * counts: rows that Durable Object SQL cursors and D1 results say a statement
 * read and wrote, alarms set (each billed as a row written), KV calls. Kept
 * for the cost bench (bench/cost.mjs), which reads them through the objects'
 * `usage()` RPC; in production nothing reads them, and keeping them costs a
 * map lookup and a few additions per statement.
 */

/** What one statement (as its SQL reads, parameters apart) read and wrote, summed over its runs. */
export interface StatementUsage {
  statement: string;
  runs: number;
  rowsRead: number;
  rowsWritten: number;
}

/** Rows that a set of statements read and wrote, in all and by statement (most rows written first). */
export interface RowUsage {
  runs: number;
  rowsRead: number;
  rowsWritten: number;
  byStatement: StatementUsage[];
}

/** A Durable Object class's storage: its SQL statements, and its `setAlarm` calls. */
export interface StorageUsage extends RowUsage {
  alarmsSet: number;
}

export interface KvUsage {
  reads: number;
  writes: number;
  deletes: number;
}

export interface UsageReport {
  shardStorage: StorageUsage;
  registryStorage: StorageUsage;
  d1: RowUsage;
  kv: KvUsage;
}

/** Distinct statements kept apart at most; the rest are summed under OTHER_STATEMENTS, so memory stays bounded. */
export const MAX_STATEMENTS = 200;
export const OTHER_STATEMENTS = '(other statements)';

interface Sums {
  runs: number;
  rowsRead: number;
  rowsWritten: number;
}

/**
 * A statement as a report names it: whitespace collapsed, and the tuples of
 * a `(VALUES …)` list of parameters as one, so that the chunks of one
 * multi-row upsert (src/db/counts.ts), whatever their number of rows, sum
 * under one name.
 */
export const statementLabel = (sql: string): string =>
  sql
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\(VALUES (\([?, ]*\))(?:, \([?, ]*\))*\)/g, '(VALUES $1, …)');

/** Rows read and written, summed per statement text. */
export class StatementTally {
  private byStatement = new Map<string, Sums>();

  add(statement: string, rowsRead: number, rowsWritten: number): void {
    let sums = this.byStatement.get(statement);
    if (sums === undefined) {
      const key = this.byStatement.size < MAX_STATEMENTS ? statement : OTHER_STATEMENTS;
      sums = this.byStatement.get(key) ?? { runs: 0, rowsRead: 0, rowsWritten: 0 };
      this.byStatement.set(key, sums);
    }
    sums.runs++;
    sums.rowsRead += rowsRead;
    sums.rowsWritten += rowsWritten;
  }

  /** What was added since the last take, then nothing. */
  take(): RowUsage {
    const labelled = new Map<string, StatementUsage>();
    for (const [sql, sums] of this.byStatement) {
      const statement = statementLabel(sql);
      const usage = labelled.get(statement) ?? { statement, runs: 0, rowsRead: 0, rowsWritten: 0 };
      usage.runs += sums.runs;
      usage.rowsRead += sums.rowsRead;
      usage.rowsWritten += sums.rowsWritten;
      labelled.set(statement, usage);
    }
    this.byStatement = new Map();
    const byStatement = [...labelled.values()].sort((a, b) => b.rowsWritten - a.rowsWritten || b.rowsRead - a.rowsRead);
    const sum = (key: keyof Sums) => byStatement.reduce((total, s) => total + s[key], 0);
    return { runs: sum('runs'), rowsRead: sum('rowsRead'), rowsWritten: sum('rowsWritten'), byStatement };
  }
}

/** A Durable Object class's storage use: its statements' rows, and its alarms set. */
export class StorageTally extends StatementTally {
  alarmsSet = 0;

  override take(): StorageUsage {
    const usage = { ...super.take(), alarmsSet: this.alarmsSet };
    this.alarmsSet = 0;
    return usage;
  }
}

/** Everything this isolate counted; `take` answers it since the last take and starts again. */
export const isolateUsage = {
  shardStorage: new StorageTally(),
  registryStorage: new StorageTally(),
  d1: new StatementTally(),
  kv: { reads: 0, writes: 0, deletes: 0 } satisfies KvUsage,

  take(): UsageReport {
    const kv = { ...this.kv };
    Object.assign(this.kv, { reads: 0, writes: 0, deletes: 0 });
    return {
      shardStorage: this.shardStorage.take(),
      registryStorage: this.registryStorage.take(),
      d1: this.d1.take(),
      kv,
    };
  },
};

/** Adds the rows a D1 result says its statement read and wrote. */
export function meterD1Result(statement: string, { meta }: D1Result): void {
  isolateUsage.d1.add(statement, meta.rows_read, meta.rows_written);
}
