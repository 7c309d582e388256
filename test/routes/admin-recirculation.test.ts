import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { RecirculationBody } from '../../src/openapi/schemas';
import { DAY_MS, dayOf } from '../../src/time';
import { seedBoxDays } from '../recirculation/box-support';
import { itRefusesMissingAndWrongTokens } from '../support/admin-auth';
import { ADMIN, createSite, expectError, flushAllShards, postEvents, uniqueSiteId } from '../support/helpers';

const recirculation = (
  path: string,
  { method = 'GET', headers = {} }: { method?: string; headers?: Record<string, string> } = {},
) => SELF.fetch(`https://api.test/api/v1/admin/sites/${path}`, { method, headers: { ...ADMIN, ...headers } });

const today = dayOf(Date.now());
const date = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

describe('GET /api/v1/admin/sites/{site}/recirculation', () => {
  itRefusesMissingAndWrongTokens([['GET', '/demo/recirculation']], (method, path, headers) =>
    recirculation(path.slice(1), { method, headers }),
  );

  it("should answer the lists' figures over the last days, today included, as hand-computed", async () => {
    const { id } = await createSite();
    const other = await createSite();
    await seedBoxDays(id, [
      [today, 'views-24h', 0, 120, 0, 0],
      [today, 'views-24h', 1, 0, 9, 4],
      [today - 1, 'views-24h', 0, 80, 0, 0],
      [today - 1, 'views-24h', 1, 0, 3, 2],
      [today - 1, 'views-24h', 4, 0, 2, 0],
      [today, 'reads-7d', 0, 400, 0, 0],
      [today, 'reads-7d', 2, 0, 10, 10],
      // Clicks of an iframe box, whose impressions are not known.
      [today, 'trending', 3, 0, 6, 1],
      // The day before the two asked for.
      [today - 2, 'views-24h', 0, 1000, 0, 0],
      [today - 2, 'shares-1h', 1, 0, 5, 5],
    ]);
    await seedBoxDays(other.id, [[today, 'views-24h', 0, 9999, 0, 0]]);

    const response = await recirculation(`${id}/recirculation?days=2`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      from: date(today - 1),
      to: date(today),
      lists: [
        {
          list: 'reads-7d',
          impressions: 400,
          clicks: 10,
          quality_clicks: 10,
          click_through: 0.025,
          positions: [{ position: 2, clicks: 10, quality_clicks: 10, click_through: 0.025 }],
        },
        {
          list: 'views-24h',
          impressions: 200,
          clicks: 14,
          quality_clicks: 6,
          click_through: 0.07,
          positions: [
            { position: 1, clicks: 12, quality_clicks: 6, click_through: 0.06 },
            { position: 4, clicks: 2, quality_clicks: 0, click_through: 0.01 },
          ],
        },
        {
          list: 'trending',
          impressions: 0,
          clicks: 6,
          quality_clicks: 1,
          click_through: 0,
          positions: [{ position: 3, clicks: 6, quality_clicks: 1, click_through: 0 }],
        },
      ],
    } satisfies RecirculationBody);
  });

  it('should answer what beacons counted: an impression, a click at its position and the quality click of its read', async () => {
    const { id, host } = await createSite();
    const beacon = (event: Record<string, unknown>, ip: string) =>
      postEvents({ site: id, url: `https://${host}/b`, ...event }, { origin: `https://${host}`, ip });
    // A reader opens /b from the 3rd item of the views-24h box on another page; /b shows that box too; the reader stays.
    await beacon({ type: 'view', from: 'views-24h.3', boxes: ['views-24h'] }, '203.0.113.30');
    await beacon({ type: 'read', from: 'views-24h.3' }, '203.0.113.30');
    // Another comes to /b straight, and reads it: an impression, no click.
    await beacon({ type: 'view', boxes: ['views-24h'] }, '203.0.113.31');
    await beacon({ type: 'read' }, '203.0.113.31');
    await flushAllShards();

    expect((await (await recirculation(`${id}/recirculation?days=1`)).json<RecirculationBody>()).lists).toEqual([
      {
        list: 'views-24h',
        impressions: 2,
        clicks: 1,
        quality_clicks: 1,
        click_through: 0.5,
        positions: [{ position: 3, clicks: 1, quality_clicks: 1, click_through: 0.5 }],
      },
    ]);
  });

  it('should answer the last 30 days unless asked, and up to 90', async () => {
    const { id } = await createSite();
    await seedBoxDays(id, [
      [today - 29, 'views-24h', 0, 7, 0, 0],
      [today - 30, 'views-24h', 0, 100, 0, 0],
      [today - 89, 'trending', 1, 0, 2, 0],
      [today - 90, 'trending', 1, 0, 50, 0],
    ]);
    const thirty = await (await recirculation(`${id}/recirculation`)).json<RecirculationBody>();
    expect(thirty).toMatchObject({ from: date(today - 29), to: date(today) });
    expect(thirty.lists.map(({ list, impressions, clicks }) => [list, impressions, clicks])).toEqual([
      ['views-24h', 7, 0],
    ]);
    const ninety = await (await recirculation(`${id}/recirculation?days=90`)).json<RecirculationBody>();
    expect(ninety).toMatchObject({ from: date(today - 89), to: date(today) });
    expect(ninety.lists.map(({ list, impressions, clicks }) => [list, impressions, clicks])).toEqual([
      ['views-24h', 107, 0],
      ['trending', 0, 2],
    ]);
    const none = await (await recirculation(`${id}/recirculation?days=1`)).json<RecirculationBody>();
    expect(none).toEqual({ from: date(today), to: date(today), lists: [] });
  });

  it('should refuse days out of 1\u201390 or not whole with 400, an unknown site with 404, and other methods', async () => {
    const { id } = await createSite();
    for (const days of ['0', '91', '1.5', 'week', '-3', '']) {
      await expectError(await recirculation(`${id}/recirculation?days=${days}`), 400, 'invalid_request');
    }
    await expectError(await recirculation(`${uniqueSiteId()}/recirculation`), 404, 'unknown_site');
    await expectError(await recirculation('NOT_VALID/recirculation'), 400, 'invalid_request');
    await expectError(await recirculation(`${id}/recirculation`, { method: 'POST' }), 405, 'method_not_allowed');
  });
});
