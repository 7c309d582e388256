import { env, SELF } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { bucketOf } from '../../src/time';
import { createSite } from '../support/helpers';
import { seedArticles } from '../support/seed';

const popularBox = (html: string) => html.slice(html.indexOf('class="popular"'), html.indexOf('</aside>'));
const linksOf = (box: string) => [...box.matchAll(/<a href="([^"]*)">/g)].map((m) => m[1]);

it('should render the demo page’s popular box on the server, linking the demo’s own pages on the origin serving it and others to their page', async () => {
  // Before the demo site exists (an unseeded database): the placeholder.
  const empty = await (await SELF.fetch('http://localhost:8787/demo')).text();
  expect(popularBox(empty)).toContain('The most-read stories of the day will appear here.');

  const site = await createSite('demo', { hosts: ['localhost', '127.0.0.1'] });
  const c = bucketOf(Date.now());
  // Keys as counting makes them (https, the paper's port), and one article that is not a demo page.
  await seedArticles({ id: site.id, host: 'localhost:8787' }, [
    {
      path: 'demo',
      title: 'Harbour ferry goes electric',
      image: 'https://cdn.example/ferry.jpg',
      hours: [[c - 1, 60]],
    },
    {
      path: 'demo/derby',
      title: 'Late header <script>alert(1)</script> & more',
      hours: [[c - 1, 50]],
    },
    { path: 'demo/night-market', title: 'Night market returns', hours: [[c - 2, 40]] },
    { path: 'elsewhere', title: 'Not a demo page', image: 'https://cdn.example/x.jpg', hours: [[c - 3, 30]] },
    { path: 'demo/budget-vote', title: 'Budget vote', hours: [[c - 3, 20]] },
    { path: 'demo/heat-pumps', title: 'Heat pumps', hours: [[c - 3, 10]] },
    { path: 'demo/old', title: 'Last month', hours: [[c - 30 * 24, 900]] },
  ]);
  // The page that is not the demo's gave its address as http: the registry keeps it for links.
  await env.DB.prepare('UPDATE articles SET page_url = ? WHERE site_id = ? AND url = ?')
    .bind('http://localhost:8787/elsewhere', site.id, 'https://localhost:8787/elsewhere')
    .run();

  // Served on another port and host than the keys': README's `npm run dev -- --port 8899 --ip 127.0.0.1`.
  const response = await SELF.fetch('http://127.0.0.1:8899/demo/night-market');
  expect(response.status).toBe(200);
  const box = popularBox(await response.text());
  // Server-rendered only: /widget.js would link the pages' canonical addresses, at the paper's port, not this one.
  expect(box).not.toContain('data-sharepulse');
  // The day's most viewed, in order, less the article being read; demo pages by their path on this origin,
  // another article to its page.
  expect(linksOf(box)).toEqual([
    '/demo',
    '/demo/derby',
    'http://localhost:8787/elsewhere',
    '/demo/budget-vote',
    '/demo/heat-pumps',
  ]);
  expect(box).toContain('Late header &lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
  expect(box).not.toContain('<script>');
  expect(box).not.toContain('Last month');
  // The demo's own pictures, on this origin; another article's image as it was recorded.
  const images = [...box.matchAll(/<img src="([^"]*)"/g)].map((m) => m[1]);
  expect(images).toEqual([
    '/demo/pictures/front.svg',
    '/demo/pictures/derby.svg',
    'https://cdn.example/x.jpg',
    '/demo/pictures/budget-vote.svg',
    '/demo/pictures/heat-pumps.svg',
  ]);

  // On the front page, the front page is the one left out.
  const front = popularBox(await (await SELF.fetch('http://127.0.0.1:8899/demo')).text());
  expect(linksOf(front)[0]).toBe('/demo/derby');
  expect(linksOf(front)).not.toContain('/demo');
});
