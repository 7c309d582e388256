// The baseline most tutorials build: one awaited D1 upsert per event, no
// dedup, no buffering. Same schema as sharepulse, so the work per row is alike.
export default {
  async fetch(request, env) {
    if (request.method !== 'POST') return new Response('not found', { status: 404 });
    const event = JSON.parse(await request.text());
    const bucket = Math.floor(Date.now() / 3_600_000);
    await env.DB.prepare(
      `INSERT INTO article_hours (site_id, url, bucket, views, shares) VALUES (?, ?, ?, 1, 0)
       ON CONFLICT (site_id, url, bucket) DO UPDATE SET views = views + 1`,
    )
      .bind(event.site, event.url, bucket)
      .run();
    return new Response(null, { status: 202 });
  },
};
