import type { FC } from 'hono/jsx';
import { compact, quantity, type Strings } from '../../common/i18n';
import { ICONS } from '../../common/icons';
import { type LinkNetwork, NETWORK_LABELS } from '../../common/networks';

export interface EmbedShareProps {
  site: string;
  /** The article's normalised URL. */
  url: string;
  title: string | undefined;
  networks: LinkNetwork[];
  /** All-time shares per network, when the embed shows counts. */
  counts: Record<string, number> | undefined;
  /** Counts below it are not shown (their room is kept, so every button has one width). */
  minCount: number;
  lang: string;
  strings: Strings;
}

const label = (network: LinkNetwork, s: Strings): string =>
  network === 'email' ? s.email : s.share(NETWORK_LABELS[network]);

/**
 * The share bar for an iframe: plain links to the share endpoint, which
 * counts the click and redirects to the network. They open a new tab, as
 * networks refuse to be framed.
 */
export const EmbedShare: FC<EmbedShareProps> = ({ site, url, title, networks, counts, minCount, lang, strings: s }) => {
  const query = new URLSearchParams({ site, url });
  if (title) query.set('title', title);
  return (
    <ul class="bar" aria-label={s.bar}>
      {networks.map((network) => {
        const name = label(network, s);
        const count = counts ? (counts[network] ?? 0) : undefined;
        const shown = count !== undefined && count >= minCount;
        return (
          <li>
            <a
              class="btn"
              href={`/api/v1/share/${network}?${query}`}
              target="_blank"
              rel="noopener nofollow"
              title={name}
              aria-label={shown ? `${name}: ${quantity(lang, count, s.shares)}` : name}
            >
              <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                <path d={ICONS[network]} />
              </svg>
              {count !== undefined && (
                <span class="n" aria-hidden="true">
                  {shown && compact(lang, count)}
                </span>
              )}
            </a>
          </li>
        );
      })}
    </ul>
  );
};
