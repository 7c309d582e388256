import { SELF } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { createSite, flushAllShards, postEvents, storedTotals } from './helpers';

it('should count a view end to end', async () => {
  const { id, host } = await createSite();
  const res = await postEvents({ site: id, type: 'view', url: `https://${host}/a` }, { origin: `https://${host}` });
  expect(res.status).toBe(202);
  await flushAllShards();
  expect(await storedTotals(id, `https://${host}/a`)).toEqual({ views: 1, shares: 0 });
  const health = await SELF.fetch('https://api.test/healthz');
  expect(await health.json()).toEqual({ ok: true });
});
