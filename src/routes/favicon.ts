import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { describe } from '../openapi/describe';

// A 32×32 red square with a white pulse (209 bytes, one PNG inside an ICO):
// browsers ask every page's origin for /favicon.ico unless the page names an icon.
const FAVICON = Uint8Array.from(
  atob(
    'AAABAAEAICAAAAEAIAC7AAAAFgAAAIlQTkcNChoKAAAADUlIRFIAAAAgAAAAIAgGAAAAc3p69AAAAIJJREFUeNrtl1EKwCAMQ3OSfe7+sAM69jEoQpkrNUFswO+8akkrYHSdR2MceNoTgGXqwhTAcgCP9gV4JQWQ9YCtPhMEkerpAP3bSwBoOeBpFOpLIYA/tyIFGNHUWRDpFWQZRlMyFYA+jm0ySgAycgIZ5nIA6UomB6iteMlfUn1OrecNmTgjkRAGh1IAAAAASUVORK5CYII=',
  ),
  (c) => c.charCodeAt(0),
);

/** GET /favicon.ico, mounted there: the icon of the demo, /docs and dashboard pages. */
export const faviconRoutes = new Hono<AppEnv>().get(
  '/',
  describe('Operating', 'The site icon', { 200: { description: 'An ICO image' } }),
  (c) => {
    c.header('Cache-Control', 'public, max-age=604800');
    return c.body(FAVICON, 200, { 'Content-Type': 'image/x-icon' });
  },
);
