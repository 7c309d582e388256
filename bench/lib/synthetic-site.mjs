// A synthetic news site, the same for every run of a seed: articles published
// over the period, Zipf-like popularity, each article's views and shares fading
// by the hour after it is published. Loaded into D1 by SQL inside D1 itself, so
// that millions of rows never cross the wire.

export const BIG_SITE = { articles: 20_000, days: 30, views: 5_000_000, shares: 250_000, seed: 20_261_127 };
export const SMOKE_SITE = { articles: 300, days: 3, views: 30_000, shares: 1_500, seed: 20_261_127 };

/** Popularity falls as 1 / rank^ZIPF_EXPONENT. */
export const ZIPF_EXPONENT = 1.05;
/** An article is read for at most this many hours after it is published. */
const LIFESPAN_HOURS = 5 * 24;
const SECTIONS = ['news', 'sport', 'business', 'culture', 'tech', 'opinion'];

/** mulberry32: a small seeded PRNG, uniform on [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Splits `total` over `weights` in proportion, exactly (largest remainders). */
function apportion(total, weights) {
  const sum = weights.reduce((s, w) => s + w, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((s, c) => s + c, 0);
  const byRemainder = exact.map((x, i) => [x - Math.floor(x), i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k++, left--) counts[byRemainder[k][1]]++;
  return counts;
}

export const articleUrl = (host, i) => `https://${host}/story/${i}`;

/**
 * Each article of the site as of `currentBucket`: its URL, metadata, first
 * hour, hours of life (up to now), the half-life of its readership, and its
 * total views and shares. Deterministic for a seed and a current hour.
 */
export function synthesize({ articles, days, views, shares, seed }, host, currentBucket) {
  const random = prng(seed);
  const hours = days * 24;
  const firstBucket = currentBucket - hours + 1;
  // A random permutation of popularity ranks, so that popularity does not follow publication order.
  const rank = Array.from({ length: articles }, (_, i) => i + 1);
  for (let i = articles - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rank[i], rank[j]] = [rank[j], rank[i]];
  }
  const popularity = rank.map((r) => 1 / r ** ZIPF_EXPONENT);
  const shareability = popularity.map((p) => p * (0.25 + 1.5 * random()));
  const viewCounts = apportion(views, popularity);
  const shareCounts = apportion(shares, shareability);
  return rank.map((_, i) => {
    const published = firstBucket + Math.floor(random() * hours);
    return {
      url: articleUrl(host, i),
      title: `Story ${i}: a synthetic headline of a usual length for a news site`,
      section: SECTIONS[i % SECTIONS.length],
      published: new Date(published * 3_600_000 + Math.floor(random() * 3_600_000)).toISOString(),
      first: published,
      life: Math.min(LIFESPAN_HOURS, currentBucket - published + 1),
      half: 3 + 21 * random(),
      views: viewCounts[i],
      shares: shareCounts[i],
    };
  });
}

/** Articles per statement when loading parameters: one JSON parameter each. */
const CHUNK = 2_000;

/**
 * Loads `articles` into a staging table `bench_articles` and a table of
 * integers `bench_numbers` (0 … max - 1) in D1.
 */
export async function loadStaging(db, articles) {
  await db.batch([
    db.prepare('DROP TABLE IF EXISTS bench_articles'),
    db.prepare('DROP TABLE IF EXISTS bench_numbers'),
    db.prepare(
      `CREATE TABLE bench_articles (url TEXT PRIMARY KEY, title TEXT, section TEXT, published TEXT,
         first INTEGER, life INTEGER, half REAL, views INTEGER, shares INTEGER)`,
    ),
    db.prepare('CREATE TABLE bench_numbers (n INTEGER PRIMARY KEY)'),
  ]);
  for (let start = 0; start < articles.length; start += CHUNK) {
    const rows = articles
      .slice(start, start + CHUNK)
      .map((a) => [a.url, a.title, a.section, a.published, a.first, a.life, a.half, a.views, a.shares]);
    await db
      .prepare(
        `INSERT INTO bench_articles SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4,
           value ->> 5, value ->> 6, value ->> 7, value ->> 8 FROM json_each(?)`,
      )
      .bind(JSON.stringify(rows))
      .run();
  }
  const max = Math.max(...articles.map((a) => Math.max(a.views, a.life)));
  await db
    .prepare(
      'INSERT INTO bench_numbers WITH RECURSIVE n(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM n WHERE n + 1 < ?) SELECT n FROM n',
    )
    .bind(max)
    .run();
}

/**
 * Writes the site's articles and hourly counts from the staging tables into
 * sharepulse's own tables, as shard flushes would have: an article's hour k
 * gets the share of its total that the fading curve gives that hour, rounded
 * so that the hours add up to the total exactly.
 */
export async function writeCounts(db, site) {
  // Fraction of an article's readers who came within its first k hours.
  const cdf = (k) => `((1 - pow(0.5, (${k}) / a.half)) / (1 - pow(0.5, a.life / a.half)))`;
  await db.batch([
    db
      .prepare(
        `INSERT INTO articles (site_id, url, title, section, published, views, shares, first_bucket)
         SELECT ?1, url, title, section, published, views, shares, first FROM bench_articles`,
      )
      .bind(site),
    db
      .prepare(
        `INSERT INTO article_hours (site_id, url, bucket, views, shares)
         SELECT ?1, url, bucket, views, shares FROM (
           SELECT a.url, a.first + k.n AS bucket,
             CAST(a.views * ${cdf('k.n + 1')} AS INTEGER) - CAST(a.views * ${cdf('k.n')} AS INTEGER) AS views,
             CAST(a.shares * ${cdf('k.n + 1')} AS INTEGER) - CAST(a.shares * ${cdf('k.n')} AS INTEGER) AS shares
           FROM bench_articles a JOIN bench_numbers k ON k.n < a.life)
         WHERE views > 0 OR shares > 0`,
      )
      .bind(site),
  ]);
}

export async function dropStaging(db) {
  await db.batch([db.prepare('DROP TABLE IF EXISTS bench_articles'), db.prepare('DROP TABLE IF EXISTS bench_numbers')]);
}
