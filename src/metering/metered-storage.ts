import type { StorageTally } from './usage';

interface Run {
  statement: string;
  cursor: SqlStorageCursor<Record<string, SqlStorageValue>>;
}

/**
 * A Durable Object's SQL storage that adds each statement's rows, as its
 * cursor counts them (`rowsRead`, `rowsWritten`: what storage is billed by),
 * to `tally`. A cursor's counts grow while it is read, so they are taken once
 * the code that ran the statement is done with it: after the current task,
 * in one microtask for all the statements it ran, which also keeps the
 * cursors waiting to be counted few. Every caller here reads its cursor at
 * once (`toArray`, `one`, `rowsWritten`); a cursor read later would count
 * only the rows read by then.
 */
export class MeteredSql implements SqlStorage {
  private runs: Run[] = [];

  constructor(
    private readonly sql: SqlStorage,
    private readonly tally: StorageTally,
  ) {}

  exec<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]): SqlStorageCursor<T> {
    const cursor = this.sql.exec<T>(query, ...bindings);
    if (this.runs.push({ statement: query, cursor }) === 1) queueMicrotask(this.count);
    return cursor;
  }

  get databaseSize(): number {
    return this.sql.databaseSize;
  }

  get Cursor(): typeof SqlStorageCursor {
    return this.sql.Cursor;
  }

  get Statement(): typeof SqlStorageStatement {
    return this.sql.Statement;
  }

  private readonly count = (): void => {
    const runs = this.runs;
    this.runs = [];
    for (const { statement, cursor } of runs) this.tally.add(statement, cursor.rowsRead, cursor.rowsWritten);
  };
}

/**
 * Meters a Durable Object's storage into `tally`: its `sql` becomes a
 * MeteredSql and its `setAlarm` counts each call (billed as a row written).
 * Both are set on the storage object itself, shadowing the runtime's own, so
 * that every module handed the storage (the shard's flush, the schema steps)
 * is metered too without taking anything else. Answers the metered `sql`.
 */
export function meterStorage(storage: DurableObjectStorage, tally: StorageTally): SqlStorage {
  // Metered once: another instance made on the same state (tests make them) keeps the meter.
  if (storage.sql instanceof MeteredSql) return storage.sql;
  const sql = new MeteredSql(storage.sql, tally);
  const setAlarm = storage.setAlarm.bind(storage);
  Object.defineProperties(storage, {
    sql: { value: sql },
    setAlarm: {
      value: (scheduledTime: number | Date, options?: DurableObjectSetAlarmOptions): Promise<void> => {
        tally.alarmsSet++;
        return setAlarm(scheduledTime, options);
      },
    },
  });
  return sql;
}
