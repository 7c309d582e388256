import type { FC } from 'hono/jsx';
import { boxLink } from '../../common/box-link';
import { boxList, fromValue } from '../../common/box-list';
import { quantity, type Strings, type Unit } from '../../common/i18n';
import type { PopularBody } from '../openapi/schemas';

const isHttpUrl = (value: string | null): value is string => value !== null && /^https?:\/\//i.test(value);

/**
 * The popular list for an iframe, as the widget draws it. Links go to each
 * article as its page gives it, saying which list and position the reader
 * came from (`sp_from`, as the widget's), and open in the page around the
 * iframe (the site's own article pages); every title is text.
 */
export const EmbedPopular: FC<{ list: PopularBody; lang: string; strings: Strings }> = ({ list, lang, strings: s }) => {
  const count = (n: number, unit: Unit) => quantity(lang, n, unit);
  const listId = boxList(list.by, list.window);
  const items = list.items.filter((item) => isHttpUrl(item.link));
  if (items.length === 0) {
    return (
      <ol class="pop">
        <li class="none">{s.empty}</li>
      </ol>
    );
  }
  return (
    <ol class="pop">
      {items.map((item, index) => (
        <li>
          {isHttpUrl(item.image) && <img class="th" src={item.image} alt="" loading="lazy" decoding="async" />}
          {/* The article's widget takes sp_from only from a page of its site or of ours: this origin, not the embed's URL. */}
          <a href={boxLink(item.link, fromValue(listId, index + 1))} target="_top" referrerpolicy="origin">
            {item.title || item.link.replace(/^https?:\/\//, '')}
          </a>
          <span class="m">
            {list.by === 'views' || list.by === 'shares' || list.by === 'reads'
              ? count(item[list.by], s[list.by])
              : `${count(item.views, s.views)} · ${count(item.shares, s.shares)}`}
          </span>
        </li>
      ))}
    </ol>
  );
};
