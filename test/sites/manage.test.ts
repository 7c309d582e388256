import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createSite, creationTime, removeSite } from '../../src/sites/manage';
import { uniqueSiteId } from '../support/helpers';

const NOW = Date.UTC(2026, 10, 20, 10, 0);

describe('creationTime', () => {
  it('should be now, or just after the deleted site of the id when that was created later by the clocks', () => {
    expect(creationTime(NOW, null)).toBe(NOW);
    expect(creationTime(NOW, new Date(NOW - 60_000).toISOString())).toBe(NOW);
    expect(creationTime(NOW, new Date(NOW).toISOString())).toBe(NOW + 1);
    expect(creationTime(NOW, new Date(NOW + 5).toISOString())).toBe(NOW + 6);
  });
});

describe('createSite after removeSite', () => {
  it('should give a site created again under an id a later created_at than the deleted one, in the same millisecond too', async () => {
    const id = uniqueSiteId();
    const body = { id, name: 'Again', hosts: [`${id}.example`] };
    const first = await createSite(env, body, NOW);
    expect(await removeSite(env, id)).toBe(true);
    const second = await createSite(env, body, NOW);
    expect(await removeSite(env, id)).toBe(true);
    const third = await createSite(env, body, NOW);
    expect([first, second, third].map((site) => site.created_at)).toEqual([
      new Date(NOW).toISOString(),
      new Date(NOW + 1).toISOString(),
      new Date(NOW + 2).toISOString(),
    ]);
  });
});
