// Junk flood (issue 13): one client (one IP, one User-Agent) sends view
// beacons for `urls` invented URLs of one site, as long as it can make them
// (long query strings, long paths, paths of characters that percent-encoding
// makes 9 times longer), with the longest metadata, as fast as the Worker
// answers. The site takes `budget` new articles an hour
// (max_new_articles_per_hour), in page mode (each URL's page is fetched from
// a publisher's server on 127.0.0.1, which knows none of them) and in beacon
// mode (no page is fetched). The baseline of each mode sends the same beacons
// for ONE real article. Each run has its own Miniflare, so each starts from
// the same empty database; D1's size (its SQLite pages) is read once the
// ledger holds every event and no check is pending.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { d1DatabaseFile, sqliteDatabaseBytes } from './lib/sqlite-size.mjs';
import { ADMIN_TOKEN, createBenchSite, startSharepulse } from './lib/worker.mjs';

const SITE = 'junk';
const BEACON_HOST = 'junk-flood.example';
/** The one client, in the benchmarking range. */
const CLIENT_IP = '198.18.13.13';
const CLIENT_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36';
const HONEST_PATH = '/news/harbour-ferry-goes-electric';
/** What the events endpoint takes at most: 20 events, 16 KiB. */
const EVENTS_PER_REQUEST = 20;
const REQUEST_BYTES = 16 * 1024;
/** The longest article key, once normalised. */
const MAX_KEY_LENGTH = 2048;

/**
 * A publisher's server on 127.0.0.1: its one article at HONEST_PATH, a 404
 * for anything else. Notes when each page is asked for.
 */
async function startPublisher() {
  const fetchedAt = [];
  const server = createServer((request, response) => {
    fetchedAt.push(performance.now());
    const origin = `http://${request.headers.host}`;
    if (new URL(request.url, origin).pathname !== HONEST_PATH) {
      response.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' });
      return response.end('<!doctype html><title>Not found</title><h1>Not found</h1>');
    }
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(
      [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        '<title>Harbour ferry goes electric | The Eastbank Ledger</title>',
        `<link rel="canonical" href="${origin}${HONEST_PATH}">`,
        '<meta property="og:title" content="Harbour ferry goes electric">',
        `<meta property="og:image" content="${origin}/pictures/ferry.jpg">`,
        '<meta property="article:section" content="City">',
        '<meta property="article:published_time" content="2026-11-26T07:30:00Z">',
        '</head><body><p>The story.</p></body></html>',
      ].join('\n'),
    );
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    /** When each page was asked for (performance.now()), in order. */
    fetchedAt,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** `unit` repeated to fill `room` characters (at least once). */
const fill = (unit, room) => unit.repeat(Math.max(1, Math.floor(room / unit.length)));

/**
 * Invented URL `n` of `origin`, its key as long as it may be: a long query
 * string, a long path, or a path of '€', which percent-encoding makes 9
 * characters each ("%E2%82%AC"). The key is https with the origin's port.
 */
function inventedUrl(origin, n) {
  const room = MAX_KEY_LENGTH - `${origin.replace(/^http:/, 'https:')}/`.length - 40;
  switch (n % 3) {
    case 0:
      return `${origin}/search?id=${n}&q=${fill('x', room)}`;
    case 1:
      return `${origin}/${fill('section/', room)}${n}`;
    default:
      return `${origin}/${fill('€', room / 9)}-${n}`;
  }
}

/** The longest metadata an event takes (title 300, section 64, image 2,048 characters, on the site's host). */
const junkMetadata = (origin, n) => ({
  title: `${n} ${fill('Mayor arrested for fraud ', 290)}`.slice(0, 300),
  image: `${origin}/pictures/${fill('p', 1900)}-${n}.jpg`,
  section: fill('s', 64),
  published: '2026-11-26T07:30:00Z',
});

/** Events packed into request bodies of at most 20 events and 16 KiB each, in order. */
function packedBodies(events) {
  const bodies = [];
  let batch = [];
  for (const event of events) {
    const candidate = [...batch, event];
    if (
      batch.length > 0 &&
      (candidate.length > EVENTS_PER_REQUEST || Buffer.byteLength(JSON.stringify(candidate)) > REQUEST_BYTES)
    ) {
      bodies.push(JSON.stringify(batch));
      batch = [event];
    } else {
      batch = candidate;
    }
  }
  if (batch.length > 0) bodies.push(JSON.stringify(batch));
  return bodies;
}

/** Sends the bodies one after the other, as one client; answers the count of each status. */
async function sendAll(url, origin, bodies) {
  const statuses = {};
  for (const body of bodies) {
    const response = await fetch(`${url}/api/v1/events`, {
      method: 'POST',
      headers: {
        'Content-Type': 'text/plain;charset=UTF-8',
        Origin: origin,
        'CF-Connecting-IP': CLIENT_IP,
        'User-Agent': CLIENT_UA,
      },
      body,
    });
    await response.arrayBuffer();
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  }
  return statuses;
}

const admin = async (url, path) => {
  const response = await fetch(`${url}/api/v1/admin/sites/${SITE}${path}`, {
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return response.json();
};

/** The site's ledger over its last two UTC days (a run may cross midnight): received, counted, not counted by reason. */
async function ledgerTotals(url) {
  const { days } = await admin(url, '/ledger?days=2');
  const notCounted = {};
  for (const day of days)
    for (const [reason, n] of Object.entries(day.not_counted)) notCounted[reason] = (notCounted[reason] ?? 0) + n;
  return {
    received: days.reduce((sum, day) => sum + day.received, 0),
    counted: days.reduce((sum, day) => sum + day.counted, 0),
    notCounted: Object.fromEntries(Object.entries(notCounted).filter(([, n]) => n > 0)),
  };
}

/**
 * The ledger once every event sent is in it, none is still held for a check
 * and no check is pending; `settled` false at the deadline.
 */
async function settledLedger(url, events, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const ledger = await ledgerTotals(url);
    const { articles: pending } = await admin(url, '/articles?status=pending');
    const settled = ledger.received === events && !ledger.notCounted.unverified && pending.length === 0;
    if (settled || Date.now() > deadline) return { ...ledger, settled };
  }
}

const utcHour = () => Math.floor(Date.now() / 3_600_000);

const articleRows = async (db) =>
  (await db.prepare('SELECT count(*) AS n FROM articles WHERE site_id = ?').bind(SITE).first()).n;

/** One run on a fresh Miniflare: the site, D1's size and rows before, the beacons, then all of it after. */
async function runOnce({ scriptPath, source, budget, host, origin, urls, fetchedAt }) {
  const persistence = mkdtempSync(join(tmpdir(), 'sharepulse-junk-flood-'));
  const sharepulse = await startSharepulse(
    scriptPath,
    { FLUSH_SECONDS: '1' },
    { resourcePersistencePath: persistence },
  );
  try {
    await createBenchSite(sharepulse.url, SITE, [host], { article_source: source, max_new_articles_per_hour: budget });
    const d1File = d1DatabaseFile(persistence);
    const d1BytesBefore = sqliteDatabaseBytes(d1File);
    const rowsBefore = await articleRows(sharepulse.db);
    const fetchesBefore = fetchedAt.length;
    const bodies = packedBodies(urls.map((url, n) => ({ site: SITE, type: 'view', url, ...junkMetadata(origin, n) })));
    const started = performance.now();
    const firstHour = utcHour();
    const statuses = await sendAll(sharepulse.url, origin, bodies);
    const seconds = (performance.now() - started) / 1000;
    // Page checks run at most 4 at a time, batches about 2 s apart: a budget's worth takes up to budget / 2 s.
    const ledger = await settledLedger(sharepulse.url, urls.length, 30_000 + budget * 1_000);
    const fetches = fetchedAt.slice(fetchesBefore);
    return {
      events: urls.length,
      requests: bodies.length,
      // The budget is per UTC hour: a run across an hour's end may take it twice.
      hours: utcHour() - firstHour + 1,
      statuses,
      seconds,
      ledger,
      d1BytesBefore,
      d1BytesAfter: sqliteDatabaseBytes(d1File),
      articlesAdded: (await articleRows(sharepulse.db)) - rowsBefore,
      pagesFetched: fetches.length,
      // From the first page asked for to the last: how fast the checker went through them.
      fetchSeconds: fetches.length > 1 ? (fetches.at(-1) - fetches[0]) / 1000 : 0,
    };
  } finally {
    await sharepulse.mf.dispose();
    rmSync(persistence, { recursive: true, force: true });
  }
}

/** What went wrong in a mode's runs, if anything: refused requests, a ledger that never settled, too many articles. */
function problemsOf(source, { junk, honest }, budget) {
  const problems = [];
  for (const [kind, run] of Object.entries({ junk, honest })) {
    if (Object.keys(run.statuses).some((status) => status !== '202'))
      problems.push(`${source} ${kind}: requests refused`);
    if (!run.ledger.settled) problems.push(`${source} ${kind}: the ledger did not settle`);
  }
  // In page mode no invented URL is an article (the publisher knows none); in beacon mode the budget bounds them.
  const allowed = source === 'page' ? 0 : budget * junk.hours;
  if (junk.articlesAdded > allowed) problems.push(`${source}: ${junk.articlesAdded} articles added, over ${allowed}`);
  if (honest.articlesAdded !== 1) problems.push(`${source} honest: ${honest.articlesAdded} articles added, not 1`);
  return problems;
}

/**
 * For each article source, a flood of `urls` invented URLs and its honest
 * baseline (as many beacons for one real article), with `budget` new
 * articles an hour. `ratio`: D1's size after the flood ÷ after the
 * baseline; `problems`: what should fail the run.
 */
export async function benchJunkFlood({ scriptPath, urls, budget }) {
  const publisher = await startPublisher();
  try {
    const modes = {};
    for (const source of ['page', 'beacon']) {
      // Page mode's pages are the publisher's server's; beacon mode fetches nothing, so any host does.
      const origin = source === 'page' ? publisher.origin : `https://${BEACON_HOST}`;
      const host = new URL(origin).hostname;
      const common = { scriptPath, source, budget, host, origin, fetchedAt: publisher.fetchedAt };
      const invented = Array.from({ length: urls }, (_, n) => inventedUrl(origin, n));
      const junk = await runOnce({ ...common, urls: invented });
      const honest = await runOnce({ ...common, urls: invented.map(() => `${origin}${HONEST_PATH}`) });
      modes[source] = { junk, honest, ratio: junk.d1BytesAfter / honest.d1BytesAfter };
    }
    const problems = Object.entries(modes).flatMap(([source, mode]) => problemsOf(source, mode, budget));
    return { urls, budget, ip: CLIENT_IP, ...modes, problems };
  } finally {
    await publisher.close();
  }
}
