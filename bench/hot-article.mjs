// One hot article (issue 16): view beacons of new visitors (each its own IP)
// all for one article, against the same load over many articles, in
// interleaved rounds on one Miniflare. Each load's events are counted back
// from D1 after the flush (none lost or doubled), and the shards count what
// reaches them (lib/tallied-shards.mjs), which gives the share of events each
// shard took from the Worker's own routing: today the hot article's events
// all meet one shard, whatever spreading later changes.
import { pathToFileURL } from 'node:url';
import { viewsByArticle } from './exactness.mjs';
import { viewBeacons } from './lib/beacons.mjs';
import { load, median, medianOf } from './lib/load.mjs';
import { buildTalliedWorker, tallyTaker } from './lib/tallied-shards.mjs';
import { buildWorker, createBenchSite, startSharepulse, tomlVars } from './lib/worker.mjs';

/** The bench's settings in a smoke run (a check that it works: its figures mean nothing) and a full one. */
export const HOT_CONFIG = {
  smoke: { rounds: 1, amount: 150, connections: 8, articles: 50, vars: { FLUSH_SECONDS: '1' } },
  full: { rounds: 5, amount: 3000, connections: 32, articles: 1000, vars: {} },
};

/** The two loads, each on a site of its own so that D1 tells their events apart. */
const LOADS = {
  hot: { site: 'hot', host: 'hot.example' },
  spread: { site: 'spread', host: 'spread.example' },
};

/** Adds each shard's tally of `taken` (tallied-shards-worker.mjs takeTally) into `into`. */
function addTallies(into, taken) {
  for (const [name, t] of Object.entries(taken)) {
    const sum = into[name] ?? { rpcs: 0, beacons: 0, events: 0, forwardedEvents: 0, relayed: 0 };
    for (const field of Object.keys(sum)) sum[field] += t[field];
    into[name] = sum;
  }
}

/** What each shard took of a load's events, busiest first, with the busiest one's rates over the load's `seconds`. */
function shardShares(tallies, shardCount, seconds) {
  const all = Object.entries(tallies);
  // Requests each object took (a shard's RPCs, a relay's calls): what a Durable Object's limit is about.
  const requests = all.reduce((sum, [, t]) => sum + t.rpcs + t.relayed, 0);
  const objects = all
    .map(([name, t]) => ({ name, requests: t.rpcs + t.relayed, share: (t.rpcs + t.relayed) / Math.max(1, requests) }))
    .sort((a, b) => b.requests - a.requests || a.name.localeCompare(b.name));
  const relays = all.filter(([, t]) => t.relayed > 0).length;
  const withEvents = all.filter(([, t]) => t.rpcs > 0);
  const events = withEvents.reduce((sum, [, t]) => sum + t.events, 0);
  const shards = withEvents
    .map(([name, t]) => ({ name, ...t, share: t.events / Math.max(1, events) }))
    .sort((a, b) => b.events - a.events || a.name.localeCompare(b.name));
  const busiest = shards[0] ?? { name: null, events: 0, rpcs: 0, beacons: 0, share: 0 };
  return {
    events,
    forwardedEvents: shards.reduce((sum, s) => sum + s.forwardedEvents, 0),
    shardsReached: shards.length,
    shardCount,
    maxShare: busiest.share,
    // A shard that took nothing has no tally: the smallest share is 0 unless every shard took some.
    minShare: shards.length < shardCount ? 0 : (shards.at(-1)?.share ?? 0),
    busiest: {
      name: busiest.name,
      eventsPerSecond: busiest.events / seconds,
      rpcsPerSecond: busiest.rpcs / seconds,
      beaconsPerRpc: busiest.beacons / Math.max(1, busiest.rpcs),
    },
    shards,
    requests: {
      total: requests,
      relays,
      busiest: objects[0] ?? { name: null, requests: 0, share: 0 },
      busiestPerSecond: (objects[0]?.requests ?? 0) / seconds,
    },
  };
}

/**
 * Both loads in `rounds` interleaved rounds (the order alternating), each
 * load `amount` beacons over `connections`: every beacon for one article
 * (hot), or for `articles` articles in turn (spread). A warm-up first sends
 * one beacon to each article of the spread site and up to 500 to the hot one
 * (the JIT, every shard), so that no timed beacon is an article's first sight.
 */
export async function benchHotArticle({ scriptPath, rounds, amount, connections, articles, vars = {} }) {
  const sharepulse = await startSharepulse(await buildTalliedWorker(scriptPath), vars);
  const shardCount = Number(vars.SHARD_COUNT ?? tomlVars().SHARD_COUNT);
  const flushMs = 1000 * Number(vars.FLUSH_SECONDS ?? tomlVars().FLUSH_SECONDS);
  let sent = 0;
  const next = () => sent++;
  const beacons = (name) => viewBeacons({ ...LOADS[name], articles: name === 'hot' ? 1 : articles, next });
  try {
    const takeTally = await tallyTaker(sharepulse.mf);
    for (const { site, host } of Object.values(LOADS)) await createBenchSite(sharepulse.url, site, [host]);
    const answered = { hot: [], spread: [] };
    answered.hot.push(
      await load({ url: sharepulse.url, amount: Math.min(amount, 500), connections, requests: beacons('hot') }),
    );
    answered.spread.push(
      await load({ url: sharepulse.url, amount: articles, connections, requests: beacons('spread') }),
    );
    await takeTally();

    const runs = { hot: [], spread: [] };
    const tallies = { hot: {}, spread: {} };
    for (let round = 0; round < rounds; round++) {
      for (const name of round % 2 === 0 ? ['hot', 'spread'] : ['spread', 'hot']) {
        const run = await load({
          url: sharepulse.url,
          amount,
          connections,
          requests: beacons(name),
          pids: sharepulse.pids,
        });
        runs[name].push(run);
        answered[name].push(run);
        addTallies(tallies[name], await takeTally());
      }
    }

    const result = {};
    for (const [name, { site }] of Object.entries(LOADS)) {
      const accepted = answered[name].reduce((sum, r) => sum + (r.statuses['202'] ?? 0), 0);
      const requests = answered[name].reduce((sum, r) => sum + r.requests, 0);
      const rows = await viewsByArticle(sharepulse.db, site, accepted, flushMs + 15_000);
      const stored = rows.reduce((sum, r) => sum + r.views, 0);
      const seconds = runs[name].reduce((sum, r) => sum + r.seconds, 0);
      const timedAccepted = runs[name].reduce((sum, r) => sum + (r.statuses['202'] ?? 0), 0);
      result[name] = {
        ...medianOf(runs[name]),
        articles: name === 'hot' ? 1 : articles,
        shares: shardShares(tallies[name], shardCount, seconds),
        timedAccepted,
        exactness: {
          answered: requests,
          accepted,
          refused: requests - accepted,
          stored,
          articlesStored: rows.length,
          lost: Math.max(0, accepted - stored),
          doubled: Math.max(0, stored - accepted),
        },
      };
    }
    const problems = [];
    for (const [name, r] of Object.entries(result)) {
      if (r.exactness.lost || r.exactness.doubled) problems.push(`${name}: views lost or doubled`);
      if (r.errors > 0 || r.exactness.refused > 0) problems.push(`${name}: requests refused or failed`);
      // Every accepted beacon's events reached a shard: fewer tallied means the tally missed shards.
      if (r.shares.events < r.timedAccepted) problems.push(`${name}: the shards' tally missed events`);
    }
    return {
      rounds,
      amount,
      connections,
      articles,
      shardCount,
      flushSeconds: flushMs / 1000,
      hot: result.hot,
      spread: result.spread,
      ratio: median(runs.hot.map((r, i) => r.rps / runs.spread[i].rps)),
      problems,
    };
  } finally {
    await sharepulse.mf.dispose();
  }
}

const pct = (share) => `${(100 * share).toFixed(1)} %`;
const int = (n) => Math.round(n).toLocaleString('en-US');

/** One load's line of the report: rates, exactness and what each shard took. */
function loadLine(label, r) {
  const { shares, exactness } = r;
  const top = shares.shards
    .slice(0, 3)
    .map((s) => `${s.name} ${pct(s.share)}`)
    .join(', ');
  return `- ${label}: ${int(r.rps)} req/s, p99 ${int(r.p99)} ms, ${r.errors} errors, non-202 ${int(exactness.refused)}; ${int(exactness.accepted)} accepted, ${int(exactness.stored)} in D1 after the flush (${int(exactness.articlesStored)} article${exactness.articlesStored === 1 ? '' : 's'}): ${exactness.lost} lost, ${exactness.doubled} doubled. Shards that took events: ${shares.shardsReached} of ${shares.shardCount}; **max shard share ${pct(shares.maxShare)}** (${top}; smallest ${pct(shares.minShare)}); the busiest took ${int(shares.busiest.eventsPerSecond)} events/s in ${int(shares.busiest.rpcsPerSecond)} RPCs/s (${shares.busiest.beaconsPerRpc.toFixed(1)} beacons per RPC)${shares.forwardedEvents ? `; ${int(shares.forwardedEvents)} events sent on between shards` : ''}. Requests to Durable Objects: ${int(shares.requests.total)} (shard RPCs and relay calls), ${shares.requests.relays} relays took some; the busiest object, ${shares.requests.busiest.name}, took **${pct(shares.requests.busiest.share)}** of them (${int(shares.requests.busiestPerSecond)} a second).`;
}

/** The bench's report, as Markdown. */
export function hotArticleReport(hot, { smoke = false } = {}) {
  return `
### One hot article${smoke ? ' (SMOKE: figures mean nothing)' : ''}

${hot.rounds} interleaved rounds of ${int(hot.amount)} view beacons per load, ${hot.connections} connections, each beacon a new visitor with its own IP; ${hot.shardCount} shards, FLUSH_SECONDS=${hot.flushSeconds}. Shares are of the events the shards took from the Worker in the timed rounds.

${loadLine('Hot: every beacon the same article', hot.hot)}
${loadLine(`Spread: the same load over ${int(hot.articles)} articles`, hot.spread)}
- Throughput hot / spread: **${hot.ratio.toFixed(2)} ×** (median of per-round ratios); max shard share ${pct(hot.hot.shares.maxShare)} against ${pct(hot.spread.shares.maxShare)}.
`;
}

// Alone: `node bench/hot-article.mjs [--smoke]`, after `npm run build:assets`.
if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const smoke = process.argv.includes('--smoke');
  const hot = await benchHotArticle({ scriptPath: buildWorker(), ...(smoke ? HOT_CONFIG.smoke : HOT_CONFIG.full) });
  console.log(hotArticleReport(hot, { smoke }));
  if (hot.problems.length > 0) {
    console.error(`FAILED: ${hot.problems.join('; ')}`);
    process.exit(1);
  }
}
