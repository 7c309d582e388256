// The demo site's seed: a `demo` site on localhost and 127.0.0.1 with its
// articles (each with its picture, verified as the publisher's) and two days
// of plausible hourly counts (views, shares, reads), as one SQL script. Every statement is skipped
// once the site exists, so running it again changes nothing.

const HOUR_MS = 3_600_000;
const SEEDED_HOURS = 48;
const SHARE_NETWORKS = ['x', 'facebook', 'linkedin', 'whatsapp', 'reddit', 'bluesky', 'email'];

const sql = (value) =>
  value === null ? 'NULL' : typeof value === 'number' ? String(value) : `'${String(value).replaceAll("'", "''")}'`;
const row = (values) => `(${values.map(sql).join(', ')})`;
const unlessSeeded = `WHERE NOT EXISTS (SELECT 1 FROM sites WHERE id = 'demo')`;

/**
 * Deterministic counts: earlier articles are more popular, and interest fades
 * by the hour; some stories keep their readers better than others, so that
 * ranking by reads differs from ranking by views.
 */
function hourlyCounts(articleIndex, hoursAgo) {
  const base = [120, 70, 45, 30, 18][articleIndex % 5];
  const fade = Math.exp(-hoursAgo / (10 + 6 * articleIndex));
  const wobble = 1 + 0.3 * Math.sin(articleIndex * 7 + hoursAgo * 1.3);
  const views = Math.round(base * fade * wobble);
  const readRate = [0.3, 0.62, 0.45, 0.55, 0.4][articleIndex % 5];
  return { views, shares: Math.floor(views / 12), reads: Math.floor(views * readRate) };
}

/**
 * @param {{ slug: string, title: string, section: string, published: string }[]} articles
 * @param {string} origin the paper's address its pages give as their canonical URL (src/demo/paper.json)
 * @param {number} nowMs
 * @param {{ pictureOrigin?: string, articleSource?: 'page' | 'beacon' | 'admin' }} [options]
 *   `pictureOrigin`: where the Worker serving the pictures runs, when not at the paper's address (a test's
 *   Worker on a port of its own, whose pages must load nothing from elsewhere); `articleSource`: the site's
 *   setting, `page` (its pages checked against the Worker serving them) unless a test's world needs another
 */
export function demoSeedSql(articles, origin, nowMs, { pictureOrigin = origin, articleSource = 'page' } = {}) {
  const currentBucket = Math.floor(nowMs / HOUR_MS);
  const base = new URL(origin);
  const articlePath = (slug) => (slug ? `/demo/${slug}` : '/demo');
  const articleUrl = (slug) => `https://${base.host}${articlePath(slug)}`;
  // Where readers go: the article as its page gives it (its canonical link, on the paper's origin).
  const pageUrl = (slug) => `${base.origin}${articlePath(slug)}`;
  // The Worker's /demo/pictures/{name}.svg (src/demo/pictures.ts).
  const pictureUrl = (slug) => `${new URL(pictureOrigin).origin}/demo/pictures/${slug || 'front'}.svg`;
  const articleRows = [];
  const hourRows = [];
  const networkRows = [];
  const siteHours = new Map();
  const siteNetworkHours = new Map();
  const add = (map, key, views, shares, reads = 0) => {
    const sum = map.get(key) ?? { views: 0, shares: 0, reads: 0 };
    map.set(key, { views: sum.views + views, shares: sum.shares + shares, reads: sum.reads + reads });
  };

  articles.forEach((article, index) => {
    const url = articleUrl(article.slug);
    let views = 0;
    let shares = 0;
    let reads = 0;
    const byNetwork = new Map();
    for (let hoursAgo = 0; hoursAgo < SEEDED_HOURS; hoursAgo++) {
      const counts = hourlyCounts(index, hoursAgo);
      if (counts.views === 0 && counts.shares === 0) continue;
      const bucket = currentBucket - hoursAgo;
      hourRows.push(row(['demo', url, bucket, counts.views, counts.shares, counts.reads]));
      add(siteHours, bucket, counts.views, counts.shares, counts.reads);
      views += counts.views;
      shares += counts.shares;
      reads += counts.reads;
      // Split the hour's shares over networks so that they add up exactly.
      let left = counts.shares;
      SHARE_NETWORKS.forEach((network, i) => {
        const n = i === SHARE_NETWORKS.length - 1 ? left : Math.ceil(left / 2);
        left -= n;
        if (n === 0) return;
        byNetwork.set(network, (byNetwork.get(network) ?? 0) + n);
        add(siteNetworkHours, `${bucket} ${network}`, 0, n);
      });
    }
    for (const [network, n] of byNetwork) networkRows.push(row(['demo', url, network, n]));
    articleRows.push(
      row([
        'demo',
        url,
        article.title,
        pictureUrl(article.slug),
        article.section,
        article.published,
        views,
        shares,
        reads,
        currentBucket - SEEDED_HOURS + 1,
        pageUrl(article.slug),
      ]),
    );
  });
  const siteHourRows = [...siteHours].map(([bucket, { views, shares, reads }]) =>
    row(['demo', bucket, views, shares, reads]),
  );
  const siteNetworkRows = [...siteNetworkHours].map(([key, { shares }]) => {
    const [bucket, network] = key.split(' ');
    return row(['demo', Number(bucket), network, shares]);
  });

  const insert = (table, columns, rows) =>
    rows.length === 0
      ? ''
      : `INSERT INTO ${table} (${columns}) SELECT * FROM (VALUES ${rows.join(',\n  ')}) ${unlessSeeded};\n`;

  return [
    insert(
      'articles',
      'site_id, url, title, image, section, published, views, shares, reads, first_bucket, page_url',
      articleRows,
    ),
    insert('article_hours', 'site_id, url, bucket, views, shares, reads', hourRows),
    insert('article_network_shares', 'site_id, url, network, shares', networkRows),
    insert('site_hours', 'site_id, bucket, views, shares, reads', siteHourRows),
    insert('site_network_hours', 'site_id, bucket, network, shares', siteNetworkRows),
    `INSERT INTO sites (id, name, settings, created_at) SELECT 'demo', 'The Eastbank Ledger', ${sql(
      JSON.stringify({ article_source: articleSource }),
    )}, ${sql(new Date(nowMs).toISOString())} ${unlessSeeded};\n`,
    `INSERT OR IGNORE INTO site_hosts (host, site_id) VALUES ('localhost', 'demo'), ('127.0.0.1', 'demo');\n`,
  ].join('');
}
