import { meterD1Result } from '../metering/usage';

/** D1 caps bound parameters per statement at 100. */
export const MAX_BOUND_PARAMETERS = 100;

/** A statement and its bound parameters, before it meets a D1 binding. */
export interface Query {
  sql: string;
  params: (string | number | null)[];
}

/** `query` prepared on `db`, its parameters bound. */
export const prepareQuery = (db: D1Database, { sql, params }: Query): D1PreparedStatement =>
  db.prepare(sql).bind(...params);

/**
 * Runs `queries` as one D1 batch: one transaction, rolled back whole when any
 * statement fails. The results come in the order of the queries; the rows
 * each says it read and wrote are metered (src/metering).
 *
 * @example
 * const [deleted] = await runBatch(db, [{ sql: 'DELETE FROM sites WHERE id = ?', params: ['s'] }]);
 */
export async function runBatch<Row = unknown>(db: D1Database, queries: readonly Query[]): Promise<D1Result<Row>[]> {
  const results = await db.batch<Row>(queries.map((query) => prepareQuery(db, query)));
  for (const [i, result] of results.entries()) meterD1Result(queries[i]!.sql, result);
  return results;
}

/** Whether D1 refused a statement for a UNIQUE or PRIMARY KEY already taken. */
export const isUniqueViolation = (err: unknown): boolean =>
  err instanceof Error && /UNIQUE constraint failed/i.test(err.message);
