// The popular list most tutorials build: one row per raw event, indexed by
// site and time, and a GROUP BY over the window's events on every request,
// joined to the same article metadata as sharepulse answers with.
// GET /popular?site=…&window=24h|7d|30d&limit=10 → {"items": [{url, title, …, views}]}
const WINDOW_HOURS = { '1h': 1, '24h': 24, '7d': 168, '30d': 720 };

export default {
  async fetch(request, env) {
    const params = new URL(request.url).searchParams;
    const hours = WINDOW_HOURS[params.get('window') ?? '24h'];
    if (!hours) return new Response('bad window', { status: 400 });
    const current = Math.floor(Date.now() / 3_600_000);
    const { results } = await env.DB.prepare(
      `WITH top AS (
         SELECT url, count(*) AS views FROM events
         WHERE site_id = ?1 AND bucket > ?2 AND type = 'view'
         GROUP BY url ORDER BY views DESC, url LIMIT ?3)
       SELECT top.url, a.title, a.image, a.section, a.published, top.views
       FROM top LEFT JOIN articles a ON a.site_id = ?1 AND a.url = top.url
       ORDER BY top.views DESC, top.url`,
    )
      .bind(params.get('site'), current - hours, Number(params.get('limit') ?? 10))
      .all();
    return Response.json({ items: results });
  },
};
