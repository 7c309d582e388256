import { SELF } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { bucketOf } from '../../src/time';
import { createSite } from '../support/helpers';
import { seedArticles } from '../support/seed';

const popularBox = (html: string) => html.slice(html.indexOf('data-sharepulse="popular"'), html.indexOf('</aside>'));

it('should render the demo page’s popular box on the server from the popular list', async () => {
  // Before the demo site exists (an unseeded database): the placeholder.
  const empty = await (await SELF.fetch('http://localhost:8787/demo')).text();
  expect(popularBox(empty)).toContain('The most-read stories of the day will appear here.');

  const site = await createSite('demo', { hosts: ['localhost', '127.0.0.1'] });
  const c = bucketOf(Date.now());
  await seedArticles({ id: site.id, host: 'localhost:8787' }, [
    {
      path: 'demo/ferry',
      title: 'Harbour ferry <script>alert(1)</script> & more',
      image: 'https://cdn.example/ferry.jpg',
      hours: [[c - 1, 50]],
    },
    { path: 'demo/market', title: 'Night market returns', hours: [[c - 2, 40]] },
    { path: 'demo/old', title: 'Last month', hours: [[c - 30 * 24, 900]] },
    ...Array.from({ length: 5 }, (_, i) => ({
      path: `demo/more-${i}`,
      title: `More ${i}`,
      hours: [[c - 3, 10 - i]] as [number, number][],
    })),
  ]);

  const response = await SELF.fetch('http://localhost:8787/demo/night-market');
  expect(response.status).toBe(200);
  const box = popularBox(await response.text());
  // The container the browser widget upgrades, saying what it shows.
  expect(box).toMatch(/^data-sharepulse="popular" data-site="demo" data-window="24h" data-by="views" data-limit="5"/);
  // The day's five most viewed, in order; titles escaped; links stay on the page's own origin.
  const links = [...box.matchAll(/<a href="([^"]*)">/g)].map((m) => m[1]);
  expect(links).toEqual(['/demo/ferry', '/demo/market', '/demo/more-0', '/demo/more-1', '/demo/more-2']);
  expect(box).toContain('Harbour ferry &lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
  expect(box).not.toContain('<script>');
  // A thumbnail only for the article that has an image.
  expect([...box.matchAll(/<img /g)]).toHaveLength(1);
  expect(box).toContain('<img src="https://cdn.example/ferry.jpg" alt="" width="56" height="56" loading="lazy"/>');
  expect(box).not.toContain('Last month');
});
