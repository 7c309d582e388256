import { env, SELF } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NETWORKS } from '../../common/networks';
import { getSite } from '../../src/db/sites';
import { DEFAULT_SETTINGS, type Site } from '../../src/sites/site-schema';
import { dayOf } from '../../src/time';
import { ADMIN, createSite, postEvents, uniqueSiteId } from '../support/helpers';
import { seedArticles } from '../support/seed';
import { dashboard, expectNoSuchSitePage, insertRows, ORIGIN, sessionCookie } from './dashboard-support';

/** A form post from the dashboard's own page, signed in; fields may repeat (checkboxes). */
const submit = async (path: string, fields: [string, string][]) =>
  SELF.fetch(`${ORIGIN}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN, Cookie: await sessionCookie() },
    body: new URLSearchParams(fields),
  });

/** The status a view gets from a page of `host`. */
const viewStatus = async (site: string, host: string, path: string) =>
  (await postEvents({ site, type: 'view', url: `https://${host}${path}` }, { origin: `https://${host}` })).status;

/** The fields the create form sends, its settings at the defaults it shows. */
const createFields = (id: string, hosts: string, extra: [string, string][] = []): [string, string][] => [
  ['id', id],
  ['name', `News ${id}`],
  ['hosts', hosts],
  ['share_weight', '5'],
  ['half_life_hours', '12'],
  ['max_events_per_second', '800'],
  ['max_visitors_per_ip', '50'],
  ['hourly_retention_days', '31'],
  ['daily_retention_days', '400'],
  ['article_source', 'page'],
  ['image_hosts', ''],
  ['exclude_paths', ''],
  ['max_new_articles_per_hour', '1000'],
  ...NETWORKS.map((n): [string, string] => ['networks', n]),
  ...extra,
];

/** The fields the edit form sends for a stored site, with some replaced. */
const editFields = (
  site: Site,
  replace: Record<string, string> = {},
  networks: string[] = site.settings.networks,
): [string, string][] => [
  ...Object.entries({
    name: site.name,
    hosts: site.hosts.join('\n'),
    share_weight: String(site.settings.share_weight),
    half_life_hours: String(site.settings.half_life_hours),
    max_events_per_second: String(site.settings.max_events_per_second),
    max_visitors_per_ip: String(site.settings.max_visitors_per_ip),
    hourly_retention_days: String(site.settings.hourly_retention_days),
    daily_retention_days: String(site.settings.daily_retention_days),
    article_source: site.settings.article_source,
    image_hosts: site.settings.image_hosts.join('\n'),
    exclude_paths: site.settings.exclude_paths.join('\n'),
    max_new_articles_per_hour: String(site.settings.max_new_articles_per_hour),
    ...replace,
  }),
  ...networks.map((n): [string, string] => ['networks', n]),
];

const cached = (id: string) => env.CACHE.get<Site>(`site:${id}`, 'json');

describe('creating a site from the dashboard', () => {
  it('should create it with the admin API rules, cache it for beacons, and show its page', async () => {
    const id = uniqueSiteId('dash');
    const response = await submit(
      '/dashboard/sites',
      createFields(id, `${id}.example\nWWW.${id}.example, ${id}.example`, [['respect_gpc', 'on']]),
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('Location')).toBe(`/dashboard/sites/${id}?done=created`);

    const stored = await getSite(env.DB, id);
    expect(stored).toEqual({
      id,
      name: `News ${id}`,
      hosts: [`${id}.example`, `www.${id}.example`],
      settings: { ...DEFAULT_SETTINGS, respect_gpc: true, max_events_per_second: 800, max_visitors_per_ip: 50 },
      created_at: expect.any(String),
    });
    expect(await cached(id)).toEqual(stored);
    // The admin API sees the same site.
    expect(await (await SELF.fetch(`https://api.test/api/v1/admin/sites/${id}`, { headers: ADMIN })).json()).toEqual(
      stored,
    );
    // Beacons from its host count at once.
    expect(await viewStatus(id, `www.${id}.example`, '/a')).toBe(202);

    const html = await (await dashboard(`/dashboard/sites/${id}?done=created`)).text();
    expect(html).toContain('Site created.');
    expect(html).toContain(`<a class="button secondary" href="/dashboard/sites/${id}/articles/list">Articles</a>`);
  });

  it('should show the form again with what was typed and why, when a value is refused', async () => {
    const id = uniqueSiteId('bad');
    const response = await submit('/dashboard/sites', [
      ...createFields(id, 'https://with-scheme.example/').filter(
        ([name]) => name !== 'networks' && name !== 'daily_retention_days',
      ),
      ['daily_retention_days', '7'],
    ]);
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('role="alert"');
    expect(html).toMatch(/<li>hosts\.0: must be a host name[^<]*<\/li>/);
    expect(html).toMatch(/<li>settings\.networks: [^<]+<\/li>/);
    expect(html).toMatch(/<li>settings\.daily_retention_days: [^<]+<\/li>/);
    expect(html).toContain(`value="${id}"`);
    expect(html).toContain('https://with-scheme.example/</textarea>');
    expect(await getSite(env.DB, id)).toBeNull();
  });

  it('should say the rule of an id it refuses, and create nothing', async () => {
    const response = await submit('/dashboard/sites', createFields('Riverside_Post', 'riverside.example'));
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(
      '<li>id: must be 1 to 32 lower-case letters, digits and dashes, starting with a letter or digit',
    );
    expect(await getSite(env.DB, 'Riverside_Post')).toBeNull();
  });

  it('should refuse a taken id or host with 409 and say which', async () => {
    const taken = await createSite();
    const sameId = await submit('/dashboard/sites', createFields(taken.id, `${uniqueSiteId()}.example`));
    expect(sameId.status).toBe(409);
    expect(await sameId.text()).toContain(`Site ${taken.id} exists already.`);

    const id = uniqueSiteId('host');
    const sameHost = await submit('/dashboard/sites', createFields(id, taken.host));
    expect(sameHost.status).toBe(409);
    expect(await sameHost.text()).toContain(`Already a host of another site: ${taken.host}.`);
    expect(await getSite(env.DB, id)).toBeNull();
  });

  it('should refuse text where a number belongs', async () => {
    const id = uniqueSiteId('nan');
    const response = await submit('/dashboard/sites', [
      ...createFields(id, `${id}.example`).filter(([n]) => n !== 'share_weight'),
      ['share_weight', 'lots'],
    ]);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/settings\.share_weight: /);
  });
});

describe('editing a site from the dashboard', () => {
  it('should save hosts and settings, in D1 and in the cache beacons read', async () => {
    const created = await createSite();
    const site = (await getSite(env.DB, created.id))!;
    // Warm the cache the way a beacon does, so that a stale copy would show.
    expect(await viewStatus(site.id, created.host, '/a')).toBe(202);

    const response = await submit(
      `/dashboard/sites/${site.id}`,
      editFields(
        site,
        {
          name: 'Renamed',
          hosts: `news-${site.id}.example`,
          share_weight: '2.5',
          half_life_hours: '6',
          max_visitors_per_ip: '300',
        },
        ['x', 'email'],
      ),
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('Location')).toBe(`/dashboard/sites/${site.id}?done=saved`);
    const saved = await getSite(env.DB, site.id);
    expect(saved).toEqual({
      ...site,
      name: 'Renamed',
      hosts: [`news-${site.id}.example`],
      settings: {
        ...site.settings,
        share_weight: 2.5,
        half_life_hours: 6,
        max_visitors_per_ip: 300,
        networks: ['x', 'email'],
        respect_gpc: false,
      },
    });
    expect(await cached(site.id)).toEqual(saved);
    // The old host is refused at once, the new one counts.
    expect(await viewStatus(site.id, created.host, '/b')).toBe(403);
    expect(await viewStatus(site.id, `news-${site.id}.example`, '/b')).toBe(202);
    expect(await (await dashboard(`/dashboard/sites/${site.id}?done=saved`)).text()).toContain('Changes saved.');
  });

  it('should change nothing when a value is refused', async () => {
    const created = await createSite();
    const site = (await getSite(env.DB, created.id))!;
    const response = await submit(
      `/dashboard/sites/${site.id}`,
      editFields(site, { name: 'Never saved', hourly_retention_days: '5', max_visitors_per_ip: '100001' }),
    );
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toMatch(/settings\.hourly_retention_days: /);
    expect(html).toMatch(/settings\.max_visitors_per_ip: /);
    expect(html).toContain('value="Never saved"');
    expect(await getSite(env.DB, site.id)).toEqual(site);
  });

  it("should save the site's time zone, and refuse a name that is not an IANA zone, changing nothing", async () => {
    const created = await createSite();
    const site = (await getSite(env.DB, created.id))!;
    expect(site.settings.time_zone).toBe('UTC');
    const saved = await submit(`/dashboard/sites/${site.id}`, editFields(site, { time_zone: 'Europe/Paris' }));
    expect(saved.status).toBe(303);
    const paris = (await getSite(env.DB, site.id))!;
    expect(paris.settings.time_zone).toBe('Europe/Paris');
    expect(await cached(site.id)).toEqual(paris);
    expect(await (await dashboard(`/dashboard/sites/${site.id}`)).text()).toContain(
      '<input id="time_zone" name="time_zone" value="Europe/Paris"',
    );

    const refused = await submit(`/dashboard/sites/${site.id}`, editFields(paris, { time_zone: 'Mars/Olympus' }));
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain(
      '<li>settings.time_zone: must be an IANA time zone name such as Europe/Paris or UTC</li>',
    );
    expect(await getSite(env.DB, site.id)).toEqual(paris);
  });

  it.each([
    { field: 'article_source', typed: 'beacon', stored: 'beacon', shown: 'value="beacon" checked=""' },
    {
      field: 'image_hosts',
      typed: 'img.news.example\nCDN.news.example, img.news.example',
      stored: ['img.news.example', 'cdn.news.example'],
      shown: 'img.news.example\ncdn.news.example</textarea>',
    },
    {
      field: 'exclude_paths',
      typed: '/\n/tag/*, /sponsored/*',
      stored: ['/', '/tag/*', '/sponsored/*'],
      shown: '/\n/tag/*\n/sponsored/*</textarea>',
    },
    { field: 'max_new_articles_per_hour', typed: '250', stored: 250, shown: 'value="250"' },
  ])('should save $field, in D1 and in the cache, and show it again', async ({ field, typed, stored, shown }) => {
    const created = await createSite();
    const site = (await getSite(env.DB, created.id))!;
    const response = await submit(`/dashboard/sites/${site.id}`, editFields(site, { [field]: typed }));
    expect(response.status).toBe(303);
    const saved = await getSite(env.DB, site.id);
    expect(saved).toEqual({ ...site, settings: { ...site.settings, [field]: stored } });
    expect(await cached(site.id)).toEqual(saved);
    expect(await (await dashboard(`/dashboard/sites/${site.id}`)).text()).toContain(shown);
  });

  it('should empty a list whose box is emptied', async () => {
    const created = await createSite(undefined, {
      settings: { image_hosts: ['img.news.example'], exclude_paths: ['/'] },
    });
    const site = (await getSite(env.DB, created.id))!;
    const response = await submit(
      `/dashboard/sites/${site.id}`,
      editFields(site, { image_hosts: '', exclude_paths: ' \n ' }),
    );
    expect(response.status).toBe(303);
    expect((await getSite(env.DB, site.id))!.settings).toEqual({
      ...site.settings,
      image_hosts: [],
      exclude_paths: [],
    });
  });

  it('should refuse article settings out of their rules, changing nothing', async () => {
    const created = await createSite();
    const site = (await getSite(env.DB, created.id))!;
    const response = await submit(
      `/dashboard/sites/${site.id}`,
      editFields(site, {
        article_source: 'anywhere',
        image_hosts: 'https://img.news.example/',
        exclude_paths: 'tag/*',
        max_new_articles_per_hour: '100001',
      }),
    );
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toMatch(/<li>settings\.article_source: [^<]+<\/li>/);
    expect(html).toMatch(/<li>settings\.image_hosts\.0: must be a host name[^<]*<\/li>/);
    expect(html).toMatch(/<li>settings\.exclude_paths\.0: must start with &#39;\/&#39;[^<]*<\/li>/);
    expect(html).toMatch(/<li>settings\.max_new_articles_per_hour: [^<]+<\/li>/);
    // What was typed stays in the form.
    expect(html).toContain('tag/*</textarea>');
    expect(await getSite(env.DB, site.id)).toEqual(site);
  });

  it('should refuse hosts of another site with 409', async () => {
    const other = await createSite();
    const created = await createSite();
    const site = (await getSite(env.DB, created.id))!;
    const response = await submit(
      `/dashboard/sites/${site.id}`,
      editFields(site, { hosts: `${created.host}\n${other.host}` }),
    );
    expect(response.status).toBe(409);
    expect(await getSite(env.DB, site.id)).toEqual(site);
  });
});

describe('a site page', () => {
  it("should show README's embed snippet: plain links of the site's networks, counts on, the script async", async () => {
    const { id } = await createSite(undefined, { settings: { networks: ['x', 'email', 'copy'] } });
    const html = await (await dashboard(`/dashboard/sites/${id}`)).text();
    const link = (network: string, label: string) =>
      `    &lt;li&gt;&lt;a href=&quot;${ORIGIN}/api/v1/share/${network}?site=${id}&amp;url=ARTICLE_URL&amp;title=TITLE&quot; rel=&quot;nofollow noopener&quot; target=&quot;_blank&quot;&gt;${label}&lt;/a&gt;&lt;/li&gt;`;
    const snippet = [
      `&lt;div data-sharepulse=&quot;share&quot; data-site=&quot;${id}&quot; data-counts=&quot;true&quot;&gt;`,
      '  &lt;ul&gt;',
      link('x', 'X'),
      link('email', 'Email'),
      '  &lt;/ul&gt;',
      '&lt;/div&gt;',
      `&lt;div data-sharepulse=&quot;popular&quot; data-site=&quot;${id}&quot; data-window=&quot;24h&quot; data-limit=&quot;5&quot;&gt;Most-read stories&lt;/div&gt;`,
      `&lt;script src=&quot;${ORIGIN}/widget.js&quot; async&gt;&lt;/script&gt;`,
    ].join('\n');
    expect(html).toContain(`<pre class="snippet" id="snippet" tabindex="0"><code>${snippet}</code></pre>`);
    expect(html).toContain(
      '<pre class="snippet" id="snippet-css" tabindex="0"><code>[data-sharepulse=&quot;share&quot;] &gt; ul {',
    );
    expect(html).toContain(
      '<button type="button" class="secondary" data-copy="#snippet" hidden="">Copy embed code</button>',
    );
    expect(html).toContain(`href="/dashboard/sites/${id}/export?format=csv" download=""`);
    expect(html).toContain(`href="/dashboard/sites/${id}/export?format=json" download=""`);
  });

  it('should list every site', async () => {
    const a = await createSite();
    const b = await createSite();
    const html = await (await dashboard('/dashboard/sites')).text();
    expect(html).toContain(`<a href="/dashboard/sites/${a.id}">Site ${a.id}</a>`);
    expect(html).toContain(`<a href="/dashboard/sites/${b.id}">Site ${b.id}</a>`);
    // The whole row is its title's link (client/dashboard/dashboard.css stretches it).
    expect(html).toContain(`<tr class="linked"><td class="title"><a href="/dashboard/sites/${a.id}">`);
  });

  it('should say when a site does not exist', () => expectNoSuchSitePage('/dashboard/sites/no-such-site'));
});

describe("a site page's install check", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("should show per host its last beacon on the site's clock and today's refusals, and say which host to add", async () => {
    const { id, host } = await createSite(undefined, { settings: { time_zone: 'Europe/Paris' } });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2026, 6, 1, 12));
    const today = dayOf(Date.now());
    const refusal = `Origin host www.${host} is not a host of site ${id}.`;
    await insertRows('install_checks', ['day', 'host', 'last_accepted_at', 'refused'], id, [
      [today, host, Date.UTC(2026, 6, 1, 8, 15), 0],
    ]);
    const refusalColumns = ['day', 'host', 'refused', 'last_refused_at', 'last_refusal_code', 'last_refusal_message'];
    await insertRows('install_checks', refusalColumns, id, [
      [today - 1, `www.${host}`, 5, Date.UTC(2026, 5, 30, 9), 'origin_not_allowed', refusal],
      [today, `www.${host}`, 3, Date.UTC(2026, 6, 1, 9, 30), 'origin_not_allowed', refusal],
    ]);
    const html = await (await dashboard(`/dashboard/sites/${id}`)).text();
    expect(html).toContain('<h2 id="install-heading">Install check</h2>');
    expect(html).toContain(
      `<li>Beacons come from www.${host}, which is not a host of this site: add it under <a href="#hosts">Hosts</a>.</li>`,
    );
    expect(html).toContain(
      `<tr><td class="title">${host}</td><td>1 Jul 2026, 10:15 (Europe/Paris)</td><td class="num">0</td><td><span class="muted">none</span></td></tr>`,
    );
    expect(html).toContain(
      `<tr><td class="title">www.${host}<small>not a host of this site</small></td><td><span class="muted">none</span></td><td class="num">3</td><td><div>${refusal}</div><div class="muted">1 Jul 2026, 11:30 (Europe/Paris) · origin_not_allowed</div></td></tr>`,
    );
    // Its Hosts field, where the notice's link goes.
    expect(html).toContain('<textarea id="hosts" name="hosts"');
  });

  it('should say when no beacon came yet, and point at the embed code', async () => {
    const { id } = await createSite();
    const html = await (await dashboard(`/dashboard/sites/${id}`)).text();
    expect(html).toContain(
      '<p class="empty">No beacon seen in the last 3 days. Paste the <a href="#snippet">embed code</a> below into your article template, then open one of its pages and reload this one.</p>',
    );
    expect(html).not.toContain('Beacons come from');
  });
});

describe('deleting a site from the dashboard', () => {
  it('should ask for the id to be typed, then delete the site, every count of it and its cached copy', async () => {
    const created = await createSite();
    const [url] = await seedArticles(created, [{ path: 'gone', hours: [[1000, 1, 1]] }]);
    await env.DB.batch([
      env.DB.prepare('INSERT INTO article_days (site_id, day, url, views, shares) VALUES (?, 41, ?, 1, 1)').bind(
        created.id,
        url,
      ),
      env.DB.prepare('INSERT INTO rollup_state (site_id, rolled_through_day) VALUES (?, 41)').bind(created.id),
      env.DB.prepare('INSERT INTO site_hours (site_id, bucket, views, shares) VALUES (?, 1000, 1, 1)').bind(created.id),
      env.DB.prepare("INSERT INTO site_network_hours (site_id, bucket, network, shares) VALUES (?, 1000, 'x', 1)").bind(
        created.id,
      ),
      env.DB.prepare('INSERT INTO install_checks (site_id, day, host, refused) VALUES (?, 20000, ?, 1)').bind(
        created.id,
        created.host,
      ),
    ]);
    const wrong = await submit(`/dashboard/sites/${created.id}/delete`, [['confirm', 'something else']]);
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain(`Type ${created.id} in the box to confirm the deletion.`);
    expect(await getSite(env.DB, created.id)).not.toBeNull();

    const response = await submit(`/dashboard/sites/${created.id}/delete`, [['confirm', created.id]]);
    expect(response.status).toBe(303);
    expect(response.headers.get('Location')).toBe(`/dashboard/sites?done=deleted&id=${created.id}`);
    expect(await getSite(env.DB, created.id)).toBeNull();
    expect(await cached(created.id)).toBeNull();
    for (const table of [
      'articles',
      'article_hours',
      'article_days',
      'article_network_shares',
      'rollup_state',
      'window_totals',
      'window_state',
      'site_hours',
      'site_network_hours',
      'site_hosts',
      'install_checks',
    ]) {
      const left = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE site_id = ?`)
        .bind(created.id)
        .first<{ n: number }>();
      expect(left!.n, table).toBe(0);
    }
    expect(await (await dashboard(response.headers.get('Location')!)).text()).toContain(`Site ${created.id} deleted.`);
  });
});

describe('a dashboard form whose body is not a form', () => {
  /** Bodies the browser never sends, which the body parser cannot read: multipart without its boundary, and the like. */
  const unreadable: [string, string][] = [
    ['multipart/form-data', 'id=x&name=y'],
    ['multipart/form-data; boundary=abc', 'not a multipart body'],
    ['application/x-www-form-urlencoded; charset=utf-16', 'id=x'],
  ];

  const send = async (path: string, contentType: string, body: string) =>
    SELF.fetch(`${ORIGIN}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': contentType, Origin: ORIGIN, Cookie: await sessionCookie() },
      body,
    });

  /** A 400 page saying so, in the dashboard's HTML rather than a 500. */
  const expectUnreadablePage = async (response: Response) => {
    expect(response.status).toBe(400);
    expect(response.headers.get('Content-Type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('role="alert"');
    expect(html).toContain('The form could not be read.');
  };

  it('should answer the create form with a 400 page and create nothing', async () => {
    const before = await env.DB.prepare('SELECT count(*) AS n FROM sites').first<{ n: number }>();
    for (const [contentType, body] of unreadable) {
      await expectUnreadablePage(await send('/dashboard/sites', contentType, body));
    }
    expect(await env.DB.prepare('SELECT count(*) AS n FROM sites').first<{ n: number }>()).toEqual(before);
  });

  it('should answer the edit and delete forms with a 400 page and change nothing', async () => {
    const { id } = await createSite();
    const stored = await getSite(env.DB, id);
    for (const [contentType, body] of unreadable) {
      await expectUnreadablePage(await send(`/dashboard/sites/${id}`, contentType, body));
      await expectUnreadablePage(await send(`/dashboard/sites/${id}/delete`, contentType, body));
    }
    expect(await getSite(env.DB, id)).toEqual(stored);
  });
});
