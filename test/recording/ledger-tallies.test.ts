import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, expect, it, vi } from 'vitest';
import worker from '../../src/index';
import { NOT_COUNTED_REASONS } from '../../src/ledger/reasons';
import { EVENTS_PER_MINUTE } from '../../src/recording/flood-guard';
import { TALLY_WAIT_MS } from '../../src/recording/ledger-tallies';
import {
  ADMIN,
  BROWSER_UA,
  createSite,
  flushAllShards,
  freezeAtMinuteStart,
  postEvents,
  uniqueSiteId,
} from '../support/helpers';

const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

interface LedgerDay {
  date: string;
  received: number;
  counted: number;
  not_counted: Record<string, number>;
}

/** Today's entry of a site's ledger, as the admin API answers it. */
async function todaysLedger(site: string): Promise<LedgerDay> {
  const response = await SELF.fetch(`https://api.test/api/v1/admin/sites/${site}/ledger?days=1`, { headers: ADMIN });
  expect(response.status).toBe(200);
  const { days } = await response.json<{ days: LedgerDay[] }>();
  expect(days).toHaveLength(1);
  return days[0]!;
}

const notCountedTotal = (day: LedgerDay) => NOT_COUNTED_REASONS.reduce((sum, r) => sum + day.not_counted[r]!, 0);

afterEach(() => {
  vi.useRealTimers();
});

it("should put bots, opt-outs, the flood guard's refusals and disabled networks exactly in the day's ledger", async () => {
  freezeAtMinuteStart();
  const { id, host } = await createSite(uniqueSiteId(), { settings: { respect_gpc: true, networks: ['x'] } });
  const origin = `https://${host}`;
  const view = (path: string) => ({ site: id, type: 'view', url: `${origin}${path}` });
  const share = (path: string, network: string) => ({ site: id, type: 'share', url: `${origin}${path}`, network });
  const statuses: number[] = [];
  const send = async (body: unknown, options: Parameters<typeof postEvents>[1] = {}) => {
    statuses.push((await postEvents(body, { origin, ...options })).status);
  };

  // bot: 3 events, the share to a disabled network among them (bot comes first).
  await send([view('/a'), share('/a', 'x'), share('/a', 'facebook')], { userAgent: GOOGLEBOT });
  // gpc: 2 events.
  await send([view('/a'), share('/a', 'x')], { headers: { 'Sec-GPC': '1' } });
  // network_disabled: 2 events, beside a view that counts.
  await send([share('/b', 'facebook'), share('/b', 'copy'), view('/b')], { ip: '198.51.100.1' });
  // One address fills the flood guard's minute: one visitor, one view counted, the rest repeats.
  const ip = '198.51.100.2';
  const filled = Array.from({ length: 20 }, () => view('/filled'));
  await Promise.all(Array.from({ length: EVENTS_PER_MINUTE / 20 }, () => send(filled, { ip })));
  // rate_limited: 3 events refused; the disabled share of a refused request keeps its own reason.
  await send([view('/c'), view('/d')], { ip });
  await send([share('/e', 'facebook'), view('/e')], { ip });
  // A counted view of the site carries what waited for it to its shard.
  await send(view('/f'), { ip: '198.51.100.3' });

  expect(statuses.filter((s) => s === 429)).toHaveLength(2);
  expect(statuses.filter((s) => s !== 429).every((s) => s === 202)).toBe(true);
  await flushAllShards();
  const day = await todaysLedger(id);
  expect(day.date).toBe(new Date().toISOString().slice(0, 10));
  expect(day.counted).toBe(3);
  expect(day.not_counted).toMatchObject({ bot: 3, gpc: 2, rate_limited: 3, network_disabled: 3 });
  expect(day.not_counted.repeat).toBe(EVENTS_PER_MINUTE - 1);
  expect(day.received).toBe(day.counted + notCountedTotal(day));
  // Every event sent: the bot's, the opt-out's, the disabled shares', the filling, the refused, the last view.
  expect(day.received).toBe(3 + 2 + 3 + EVENTS_PER_MINUTE + 4 + 1);
}, 60_000);

/** Sends a bot's view the way the runtime does, and waits for the work it leaves for after the response. */
async function botViewAndWait(site: string, origin: string): Promise<Response> {
  const ctx = createExecutionContext();
  const request = new Request('https://api.test/api/v1/events', {
    method: 'POST',
    headers: { Origin: origin, 'User-Agent': GOOGLEBOT, 'CF-Connecting-IP': '198.51.100.9' },
    body: JSON.stringify({ site, type: 'view', url: `${origin}/a` }),
  });
  const response = await worker.fetch(request, env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

it('should send the tallies of a site whose traffic is all bots on their own once they have waited, and not before', async () => {
  const startMs = freezeAtMinuteStart();
  const { id, host } = await createSite();
  const origin = `https://${host}`;
  for (let i = 0; i < 3; i++) expect((await botViewAndWait(id, origin)).status).toBe(202);
  // Kept in the isolate, not a write per event.
  await flushAllShards();
  expect((await todaysLedger(id)).received).toBe(0);

  vi.setSystemTime(startMs + TALLY_WAIT_MS);
  expect((await botViewAndWait(id, origin)).status).toBe(202);
  await flushAllShards();
  const day = await todaysLedger(id);
  expect(day).toMatchObject({ received: 4, counted: 0 });
  expect(day.not_counted.bot).toBe(4);
}, 30_000);

it('should not tally what a request refused for bad input or a foreign origin sent', async () => {
  const { id, host } = await createSite();
  const origin = `https://${host}`;
  const botView = { site: id, type: 'view', url: `${origin}/a` };
  await postEvents([botView, { ...botView, url: 'https://elsewhere.example/a' }], { origin, userAgent: GOOGLEBOT });
  await postEvents(botView, { origin: 'https://elsewhere.example', userAgent: GOOGLEBOT });
  await postEvents(botView, { origin, userAgent: BROWSER_UA, ip: '198.51.100.10' });
  await flushAllShards();
  expect(await todaysLedger(id)).toMatchObject({ received: 1, counted: 1 });
});
