import { compact, language, quantity, strings } from '../../common/i18n';
import { ICONS } from '../../common/icons';
import { isLinkNetwork, isNetwork, NETWORK_LABELS, NETWORKS, type Network } from '../../common/networks';
import { getJson, h, icon, mount } from './dom';
import { article, type Context, languageTag, option, send, theme } from './page';

/** Copies with the Clipboard API, else (no permission, insecure page) through a selection. */
async function copyText(text: string, box: HTMLElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h('textarea', { class: 'sr', readonly: '', 'aria-hidden': 'true' }, text);
    box.append(area);
    area.select();
    try {
      return document.execCommand('copy');
    } finally {
      area.remove();
    }
  }
}

/**
 * Upgrades `<div data-sharepulse="share">` into share buttons. The networks
 * are links to the share endpoint, so a new-tab click (or the page's own
 * fallback links, with JavaScript off) still counts; a plain click sends a
 * share beacon and opens the link in a small window, without a Referer, so
 * the endpoint only redirects it to the network. A count below
 * `data-min-count` (default 1, so a new article shows no row of zeros) is not shown.
 */
export function shareBar(ctx: Context, el: HTMLElement): void {
  const site = option(ctx, el, 'site');
  if (!site || el.shadowRoot) return;
  const lang = language(languageTag(ctx, el));
  const s = strings(lang);
  // Copy, share sheet and email have labels of their own; the others say the network's name.
  const own: Partial<Record<Network, string>> = s;
  const page = article(option(ctx, el, 'url'));
  const title = page.title ?? '';
  const canShare = 'share' in navigator;
  // By default a browser's share sheet, which has its own "Copy", takes the copy
  // button's place: one button count everywhere, so README's plain links can take the bar's room.
  const wanted =
    option(ctx, el, 'networks')
      ?.split(',')
      .map((n) => n.trim())
      .filter(isNetwork) ?? NETWORKS.filter((n) => n !== (canShare ? 'copy' : 'native'));
  const networks = wanted.filter((n) => n !== 'native' || canShare);
  const minCount = Number(option(ctx, el, 'minCount') ?? 1);
  // The share counts by network, asked for at once when `data-counts` is on.
  const counts =
    (option(ctx, el, 'counts') ?? 'false') !== 'false'
      ? getJson(`${ctx.api}/api/v1/sites/${encodeURIComponent(site)}/counts?url=${encodeURIComponent(page.url)}`).then(
          (data) => (data as { shares?: { by_network?: Record<string, number> } }).shares?.by_network ?? {},
          () => undefined,
        )
      : undefined;

  const box = mount(el, theme(ctx, el));
  // Shown under the copy button (ending at its right edge, so it never widens the page), and read out.
  const status = h('span', { class: 'tip', role: 'status' });
  const list = h('ul', { class: 'bar', 'aria-label': s.bar });
  const shared = (network: Network) => send(ctx.api, { site, type: 'share', network, ...page });
  const query = new URLSearchParams({ site, url: page.url });
  if (title) query.set('title', title);

  for (const network of networks) {
    const label = own[network] ?? s.share(NETWORK_LABELS[network]);
    const glyph = icon(ICONS[network]);
    // The copy button's icon and status: a tick and "Link copied" for a moment.
    const show = (text: string, d: string) => {
      status.textContent = text;
      glyph.firstElementChild!.setAttribute('d', d);
    };
    const button: HTMLElement = h(
      isLinkNetwork(network) ? 'a' : 'button',
      {
        class: 'btn',
        title: label,
        'aria-label': label,
        ...(isLinkNetwork(network)
          ? { href: `${ctx.api}/api/v1/share/${network}?${query}`, rel: 'nofollow' }
          : { type: 'button' }),
      },
      glyph,
    );
    button.addEventListener('click', async (event) => {
      if (isLinkNetwork(network)) {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        shared(network);
        // Through the share endpoint, which redirects to the network: the beacon counted the share, and
        // without a Referer the endpoint counts nothing more. The network's URL is the server's to build.
        const target = (button as HTMLAnchorElement).href;
        if (network === 'email') location.href = target;
        else open(target, '_blank', 'noopener,noreferrer,width=600,height=560');
      } else if (network === 'copy') {
        const copied = await copyText(page.url, box);
        if (copied) shared('copy');
        show(copied ? s.copied : s.copyFailed, copied ? ICONS.done : ICONS.copy);
        setTimeout(show, 2500, '', ICONS.copy);
      } else {
        navigator.share({ title, url: page.url }).then(
          () => shared('native'),
          () => undefined,
        );
      }
    });
    if (counts) {
      // The count's room is kept from the start, so nothing moves when it arrives.
      const badge = h('span', { class: 'n', 'aria-hidden': 'true' });
      button.append(badge);
      counts.then((byNetwork) => {
        const count = byNetwork?.[network] ?? 0;
        if (!byNetwork || count < minCount) return;
        badge.textContent = compact(lang, count);
        button.setAttribute('aria-label', `${label}: ${quantity(lang, count, s.shares)}`);
      });
    }
    list.append(h('li', {}, button, network === 'copy' ? status : ''));
  }
  box.append(list);
}
