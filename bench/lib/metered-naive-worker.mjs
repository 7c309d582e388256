// The naive Worker of ../naive-worker.mjs, its D1 rows counted as sharepulse
// counts its own (src/metering): what each statement's result says it read
// and wrote (`meta.rows_read`, `meta.rows_written`). GET /bench/usage answers
// the sums since the last time and starts again; a bench-only route.
import naive from '../naive-worker.mjs';

const zero = () => ({ statements: 0, rowsRead: 0, rowsWritten: 0 });
let usage = zero();

/** `db` whose prepared statements add their results' rows to `usage` (the naive Worker only binds and runs). */
const meteredD1 = (db) => ({
  prepare: (sql) => ({
    bind: (...params) => {
      const statement = db.prepare(sql).bind(...params);
      return {
        run: async () => {
          const result = await statement.run();
          usage.statements++;
          usage.rowsRead += result.meta.rows_read;
          usage.rowsWritten += result.meta.rows_written;
          return result;
        },
      };
    },
  }),
});

export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === '/bench/usage') {
      const answer = usage;
      usage = zero();
      return Response.json(answer);
    }
    return naive.fetch(request, { ...env, DB: meteredD1(env.DB) });
  },
};
