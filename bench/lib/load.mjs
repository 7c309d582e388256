// A bounded load run with autocannon against 127.0.0.1 only.
import autocannon from 'autocannon';

/**
 * Runs `requests` (autocannon request specs) over `connections`, for `seconds`
 * or for exactly `amount` requests. Answers throughput, latency percentiles
 * and status counts.
 */
export async function load({ url, seconds, amount, connections, requests }) {
  if (!new URL(url).hostname.startsWith('127.')) throw new Error(`load tests target 127.0.0.1 only, not ${url}`);
  const bound = amount ? { amount } : { duration: seconds };
  const result = await autocannon({ url, ...bound, connections, requests, timeout: 10 });
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statuses: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count])),
  };
}
