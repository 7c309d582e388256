import type { FC } from 'hono/jsx';
import { quantity, type Strings, type Unit } from '../../common/i18n';
import type { PopularBody } from '../openapi/schemas';

const isHttpUrl = (value: string | null): value is string => value !== null && /^https?:\/\//i.test(value);

/**
 * The popular list for an iframe, as the widget draws it. Links go to each
 * article as its page gives it, and open in the page around the iframe (the
 * site's own article pages); every title is text.
 */
export const EmbedPopular: FC<{ list: PopularBody; lang: string; strings: Strings }> = ({ list, lang, strings: s }) => {
  const count = (n: number, unit: Unit) => quantity(lang, n, unit);
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
      {items.map((item) => (
        <li>
          {isHttpUrl(item.image) && <img class="th" src={item.image} alt="" loading="lazy" decoding="async" />}
          <a href={item.link} target="_top">
            {item.title || item.link.replace(/^https?:\/\//, '')}
          </a>
          <span class="m">
            {list.by === 'views'
              ? count(item.views, s.views)
              : list.by === 'shares'
                ? count(item.shares, s.shares)
                : `${count(item.views, s.views)} · ${count(item.shares, s.shares)}`}
          </span>
        </li>
      ))}
    </ol>
  );
};
