// A bounded load run with autocannon against 127.0.0.1 only.
import autocannon from 'autocannon';
import { cpuMs } from './cpu.mjs';

/**
 * Runs `requests` (autocannon request specs) over `connections`, for `seconds`
 * or for exactly `amount` requests (then every request gets its answer).
 * Answers throughput, latency percentiles, status counts and, given the
 * server's workerd `pids`, its CPU time per request: a cost that the other
 * processes on a shared machine disturb much less than throughput.
 */
export async function load({ url, seconds, amount, connections, requests, pids = [] }) {
  if (!new URL(url).hostname.startsWith('127.')) throw new Error(`load tests target 127.0.0.1 only, not ${url}`);
  const bound = amount ? { amount } : { duration: seconds };
  const cpuBefore = cpuMs(pids);
  const started = performance.now();
  // Timed to the last answer: autocannon itself only notices the end at its next sample.
  let lastAnswer = started;
  const run = autocannon({ url, ...bound, connections, requests, timeout: 30, sampleInt: 250 });
  run.on('response', () => {
    lastAnswer = performance.now();
  });
  const result = await run;
  const elapsed = (lastAnswer - started) / 1000;
  const cpuAfter = cpuMs(pids);
  const answered = result.requests.total;
  return {
    requests: answered,
    seconds: elapsed,
    rps: answered / elapsed,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuUsPerRequest:
      cpuBefore !== null && cpuAfter !== null && answered > 0 ? ((cpuAfter - cpuBefore) * 1000) / answered : null,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statuses: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count])),
  };
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The median of each figure over several runs of the same load, plus the runs. */
export function medianOf(runs) {
  const pick = (key) => (runs.every((r) => r[key] !== null) ? median(runs.map((r) => r[key])) : null);
  const statuses = {};
  for (const r of runs) for (const [code, n] of Object.entries(r.statuses)) statuses[code] = (statuses[code] ?? 0) + n;
  return {
    rps: pick('rps'),
    p50: pick('p50'),
    p99: pick('p99'),
    cpuUsPerRequest: pick('cpuUsPerRequest'),
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    statuses,
    runs: runs.map((r) => ({ rps: r.rps, p50: r.p50, p99: r.p99, cpuUsPerRequest: r.cpuUsPerRequest })),
  };
}
