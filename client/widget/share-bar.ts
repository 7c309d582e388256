import { compact, language, quantity, strings } from '../../common/i18n';
import { ICONS } from '../../common/icons';
import { isLinkNetwork, isNetwork, NETWORK_LABELS, NETWORKS, type Network, shareUrl } from '../../common/networks';
import { getJson, h, icon, mount } from './dom';
import { article, type Context, languageTag, option, send, theme } from './page';

/**
 * Upgrades `<div data-sharepulse="share">` into share buttons. The networks
 * are links to the share endpoint, so a new-tab click (or the page's own
 * fallback links, with JavaScript off) still counts; a plain click sends a
 * share beacon and opens the network's share page directly. A count below
 * `data-min-count` (default 1, so a new article shows no row of zeros) is not shown.
 */
export function shareBar(ctx: Context, el: HTMLElement): void {
  const site = option(ctx, el, 'site');
  if (!site || el.shadowRoot) return;
  const lang = language(languageTag(ctx, el));
  const s = strings(lang);
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
  const counts = option(ctx, el, 'counts');
  const withCounts = (counts ?? 'false') !== 'false';
  const minCount = Number(option(ctx, el, 'minCount') ?? 1);

  const box = mount(el, theme(ctx, el));
  // Shown under the copy button (ending at its right edge, so it never widens the page), and read out.
  const status = h('span', { class: 'tip', role: 'status' });
  const list = h('ul', { class: 'bar', 'aria-label': s.bar });
  const badges: [Network, HTMLElement, HTMLElement, string][] = [];
  const shared = (network: Network) => send(ctx.api, { site, type: 'share', network, ...page });
  const query = new URLSearchParams({ site, url: page.url });
  if (title) query.set('title', title);

  for (const network of networks) {
    // Copy, share sheet and email have labels of their own; the others say the network's name.
    const label = (s as unknown as Partial<Record<Network, string>>)[network] ?? s.share(NETWORK_LABELS[network]);
    const glyph = icon(ICONS[network]);
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
        const target = shareUrl(network, page.url, title);
        if (network === 'email') location.href = target;
        else open(target, '_blank', 'noopener,noreferrer,width=600,height=560');
      } else if (network === 'copy') {
        // The Clipboard API: a secure page's, in every browser; an insecure page's copy fails, and says so.
        const copied = await navigator.clipboard?.writeText(page.url).then(
          () => true,
          () => false,
        );
        if (copied) shared('copy');
        status.textContent = copied ? s.copied : s.copyFailed;
        glyph.firstElementChild!.setAttribute('d', copied ? ICONS.done : ICONS.copy);
        setTimeout(() => {
          status.textContent = '';
          glyph.firstElementChild!.setAttribute('d', ICONS.copy);
        }, 2500);
      } else {
        navigator.share({ title, url: page.url }).then(
          () => shared('native'),
          () => undefined,
        );
      }
    });
    if (withCounts) {
      // The count's room is kept from the start, so nothing moves when it arrives.
      const badge = h('span', { class: 'n', 'aria-hidden': 'true' });
      button.append(badge);
      badges.push([network, button, badge, label]);
    }
    list.append(h('li', {}, button, network === 'copy' ? status : ''));
  }
  box.append(list);

  if (withCounts) {
    getJson(`${ctx.api}/api/v1/sites/${encodeURIComponent(site)}/counts?url=${encodeURIComponent(page.url)}`).then(
      (data) => {
        const byNetwork = (data as { shares?: { by_network?: Record<string, number> } }).shares?.by_network ?? {};
        for (const [network, button, badge, label] of badges) {
          const count = byNetwork[network] ?? 0;
          if (count < minCount) continue;
          badge.textContent = compact(lang, count);
          button.setAttribute('aria-label', `${label}: ${quantity(lang, count, s.shares)}`);
        }
      },
      () => undefined,
    );
  }
}
