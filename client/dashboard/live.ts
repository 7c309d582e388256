import type { LiveHour, LiveItem } from '../../common/dashboard-json';
import { formatNumber, formatZoned } from './format';

/** Seconds between refreshes: counts reach D1 within the shards' flush interval (10 s). */
const REFRESH_MS = 30_000;

/** Sets the text of the panel's `[data-live=name]`. */
const put = (panel: HTMLElement, name: string, text: string) => {
  const el = panel.querySelector(`[data-live="${name}"]`);
  if (el) el.textContent = text;
};

/** The hour's top articles, as the server renders them, each linked to its article page; titles go in as text, never as HTML. */
function renderItems(panel: HTMLElement, items: LiveItem[], articles: string) {
  const list = panel.querySelector('[data-live="items"]');
  const empty = panel.querySelector('[data-live="empty"]');
  if (!list || !(empty instanceof HTMLElement)) return;
  list.replaceChildren(
    ...items.map((item) => {
      const li = document.createElement('li');
      const link = document.createElement('a');
      link.href = `${articles}?${new URLSearchParams({ url: item.url })}`;
      link.textContent = item.title ?? item.url;
      const count = document.createElement('span');
      count.className = 'num';
      count.textContent = formatNumber(item.views);
      li.append(link, count);
      return li;
    }),
  );
  empty.hidden = items.length > 0;
}

/**
 * Keeps the "last hour" panel current: asks its JSON endpoint every 30 s while
 * the tab is visible, and at once when it becomes visible again. A session
 * that ended (401) is said in the panel instead of failing silently.
 */
export function enableLivePanel() {
  const panel = document.querySelector('[data-live-endpoint]');
  if (!(panel instanceof HTMLElement)) return;
  const endpoint = panel.dataset.liveEndpoint ?? '';
  const articles = panel.dataset.liveArticles ?? '';
  const zone = panel.dataset.liveZone ?? 'UTC';
  // The site's clock, as the server renders it: HH:MM (and :SS for the status line).
  const clock = (iso: string, seconds: boolean) =>
    `${formatZoned(new Date(iso), zone, true).slice(11)}${seconds ? `:${iso.slice(17, 19)}` : ''} ${zone}`;

  const refresh = async () => {
    try {
      const response = await fetch(endpoint, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (response.status === 401) {
        put(panel, 'status', 'Signed out: reload the page to sign in again.');
        return;
      }
      if (!response.ok) throw new Error(String(response.status));
      const live = (await response.json()) as LiveHour;
      put(panel, 'hour', clock(live.hour_start, false));
      for (const metric of ['views', 'shares', 'reads'] as const) {
        put(panel, metric, formatNumber(live.current[metric]));
        put(panel, `previous-${metric}`, formatNumber(live.previous[metric]));
      }
      renderItems(panel, live.items, articles);
      put(panel, 'status', `Updated ${clock(live.generated_at, true)}`);
    } catch {
      put(panel, 'status', 'Could not refresh; trying again shortly.');
    }
  };

  setInterval(() => {
    if (document.visibilityState === 'visible') void refresh();
  }, REFRESH_MS);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void refresh();
  });
}
