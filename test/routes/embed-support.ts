import { expect } from 'vitest';
import { createSite, frameAncestors, uniqueSiteId } from '../support/helpers';

/**
 * Expects an embed page to be framed only by the pages of its site's hosts,
 * on any port: `embedOf` fetches it for a new site with two hosts.
 */
export async function expectFramedBySiteHostsOnly(embedOf: (site: string, host: string) => Promise<Response>) {
  const id = uniqueSiteId();
  await createSite(id, { hosts: [`a.${id}.example`, `b.${id}.example`] });
  expect(frameAncestors(await embedOf(id, `a.${id}.example`))).toEqual([
    `https://a.${id}.example:*`,
    `http://a.${id}.example:*`,
    `https://b.${id}.example:*`,
    `http://b.${id}.example:*`,
  ]);
}
