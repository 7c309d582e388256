import { boxLink } from '../../common/box-link';
import { boxList, fromValue } from '../../common/box-list';
import { language, quantity, strings, type Unit } from '../../common/i18n';
import { getJson, h, isHttpUrl, mount } from './dom';
import { absolute, article, type Context, languageTag, option, theme } from './page';

interface Item {
  /** The article as its page gives it when the server knows it (scheme and port included), else its key. */
  link: string;
  /** Shown, as text (never parsed as HTML), when it is a string. */
  title?: unknown;
  image?: unknown;
  views?: unknown;
  shares?: unknown;
  reads?: unknown;
}

const isItem = (value: unknown): value is Item =>
  typeof value === 'object' && value !== null && isHttpUrl((value as Item).link);

/**
 * Upgrades `<div data-sharepulse="popular">` into the site's most popular
 * articles, leaving out the page's own article and the URLs of `data-exclude`
 * (space-separated, as a URL may hold a comma). Rows have a fixed height and
 * their room is kept from the start, so the list does not move the page when
 * it fills in. Every title is set as text; each link says its list and
 * position (`sp_from`). If the ranking cannot be read, the element's own
 * content shows again. Answers the list's id, or nothing when the element is
 * not a box (no site) or is one already.
 */
export function popularList(ctx: Context, el: HTMLElement): string | undefined {
  const site = option(ctx, el, 'site');
  if (!site || el.shadowRoot) return;
  const lang = language(languageTag(ctx, el));
  const s = strings(lang);
  const limit = Math.min(50, Math.max(1, Number.parseInt(option(ctx, el, 'limit') ?? '', 10) || 10));
  const by = option(ctx, el, 'by') ?? 'views';
  const listId = boxList(by, option(ctx, el, 'window'));
  const query = new URLSearchParams({ limit: String(limit) });
  for (const name of ['window', 'by', 'section']) {
    const value = option(ctx, el, name);
    if (value) query.set(name, value);
  }
  for (const url of [article(option(ctx, el, 'url')).url, ...(option(ctx, el, 'exclude')?.split(/\s+/) ?? [])]) {
    const excluded = absolute(url);
    if (excluded) query.append('exclude', excluded);
  }

  const box = mount(el, theme(ctx, el));
  const list = h('ol', { class: 'pop', 'aria-busy': 'true' });
  list.style.setProperty('--rows', String(limit));
  for (let i = 0; i < limit; i++) list.append(h('li', { class: 'sk', 'aria-hidden': 'true' }));
  box.append(list);

  getJson(`${ctx.api}/api/v1/sites/${encodeURIComponent(site)}/popular?${query}`)
    .then((data) => {
      // An answer without a list of items throws here, and the element's own content shows.
      const items = (data as { items: unknown[] }).items;
      const count = (value: unknown, unit: Unit) => quantity(lang, Number(value) || 0, unit);
      const rows = items.filter(isItem).map((item, index) => {
        const metric =
          by === 'views' || by === 'shares' || by === 'reads'
            ? count(item[by], s[by])
            : `${count(item.views, s.views)} · ${count(item.shares, s.shares)}`;
        const title = (typeof item.title === 'string' && item.title) || item.link.replace(/^https?:\/\//, '');
        const li = h(
          'li',
          {},
          h('a', { href: boxLink(item.link, fromValue(listId, index + 1)) }, title),
          h('span', { class: 'm' }, metric),
        );
        // Decorative (the link names the article); without one, the title takes its room.
        if (isHttpUrl(item.image))
          li.prepend(h('img', { class: 'th', src: item.image, alt: '', loading: 'lazy', decoding: 'async' }));
        return li;
      });
      list.replaceChildren(...(rows.length ? rows : [h('li', { class: 'none' }, s.empty)]));
      list.removeAttribute('aria-busy');
    })
    .catch(() => box.replaceChildren(h('slot')));
  return listId;
}
