import type { FC } from 'hono/jsx';
import { isLinkNetwork, NETWORK_LABELS, NETWORKS } from '../../common/networks';
import { type DemoArticle, demoPath } from '../demo/articles';
import type { PopularBody } from '../openapi/schemas';
import type { PopularRequest } from '../ranking/popular-request';

const STYLE = `
  :root { color-scheme: light dark; --ink: #1b1b1f; --paper: #fbfaf7; --muted: #5d5d66; --rule: #dedbd2; --accent: #b3261e; }
  @media (prefers-color-scheme: dark) { :root { --ink: #ecebe8; --paper: #151518; --muted: #a3a2aa; --rule: #34343a; --accent: #ff8a80; } }
  * { box-sizing: border-box; }
  body { margin: 0; background: var(--paper); color: var(--ink); font: 18px/1.6 Georgia, 'Times New Roman', serif; }
  a { color: inherit; }
  .masthead { border-bottom: 3px double var(--rule); text-align: center; padding: 1.2rem 1rem .6rem; }
  .masthead a { text-decoration: none; font: 700 2.2rem/1 Georgia, serif; letter-spacing: .02em; }
  .masthead nav { font: 600 .8rem/2.4 system-ui, sans-serif; text-transform: uppercase; letter-spacing: .08em; color: var(--muted); }
  .masthead nav span { margin: 0 .7rem; }
  .page { max-width: 72rem; margin: 0 auto; padding: 1.5rem 1rem 4rem; display: grid; gap: 3rem; grid-template-columns: minmax(0, 1fr) 20rem; }
  @media (max-width: 900px) { .page { grid-template-columns: 1fr; } }
  .kicker { font: 700 .8rem system-ui, sans-serif; text-transform: uppercase; letter-spacing: .08em; color: var(--accent); }
  h1 { font-size: 2.4rem; line-height: 1.15; margin: .4rem 0 .8rem; }
  .standfirst { font-size: 1.25rem; color: var(--muted); margin: 0 0 1rem; }
  .byline { font: .85rem system-ui, sans-serif; color: var(--muted); border-top: 1px solid var(--rule); border-bottom: 1px solid var(--rule); padding: .5rem 0; }
  .share { margin: 1rem 0 1.5rem; font: .85rem system-ui, sans-serif; }
  .share h2 { font-size: .8rem; text-transform: uppercase; letter-spacing: .08em; margin: 0 0 .4rem; color: var(--muted); }
  .share ul { list-style: none; display: flex; flex-wrap: wrap; gap: .4rem; margin: 0; padding: 0; }
  .share a { display: inline-block; padding: .3rem .7rem; border: 1px solid var(--rule); border-radius: 999px; text-decoration: none; }
  .share a:hover, .share a:focus-visible { border-color: var(--accent); color: var(--accent); }
  aside h2 { font: 700 .8rem system-ui, sans-serif; text-transform: uppercase; letter-spacing: .08em; border-top: 3px solid var(--ink); padding-top: .5rem; }
  aside .placeholder { color: var(--muted); font: .9rem system-ui, sans-serif; }
  .popular ol { list-style: none; margin: 0; padding: 0; counter-reset: popular; }
  .popular li { counter-increment: popular; border-bottom: 1px solid var(--rule); }
  .popular a { display: flex; gap: .7rem; align-items: center; padding: .6rem 0; text-decoration: none; font-size: 1rem; line-height: 1.3; }
  .popular a::before { content: counter(popular); font: 700 1.4rem Georgia, serif; color: var(--accent); min-width: 1.2rem; }
  .popular a:hover span, .popular a:focus-visible span { text-decoration: underline; }
  .popular img { width: 56px; height: 56px; object-fit: cover; flex: none; }
  footer { grid-column: 1 / -1; border-top: 1px solid var(--rule); padding-top: 1rem; font: .8rem system-ui, sans-serif; color: var(--muted); }
`;

/**
 * The share bar exactly as README tells publishers to write it: plain links to
 * the share endpoint (which count the click and redirect to the network, with
 * JavaScript off too) inside the element that /widget.js upgrades.
 */
const ShareBar: FC<{ origin: string; url: string; title: string }> = ({ origin, url, title }) => (
  <section class="share" aria-labelledby="share-heading">
    <h2 id="share-heading">Share this article</h2>
    <div data-sharepulse="share" data-site="demo" data-counts="true">
      <ul>
        {NETWORKS.filter(isLinkNetwork).map((network) => (
          <li>
            <a
              href={`${origin}/api/v1/share/${network}?${new URLSearchParams({ site: 'demo', url, title })}`}
              rel="nofollow noopener"
              target="_blank"
            >
              {NETWORK_LABELS[network]}
            </a>
          </li>
        ))}
      </ul>
    </div>
  </section>
);

// Article keys are always https; on the dev server (plain http) a link to this
// origin's own pages must keep the scheme the reader is using.
const hrefOn = (origin: string, url: string): string => {
  const target = new URL(url);
  return target.host === new URL(origin).host ? `${target.pathname}${target.search}` : url;
};

/** What the popular box shows: the list and the request it answers. */
export interface DemoPopular {
  request: PopularRequest;
  items: PopularBody['items'];
}

/**
 * The "Most popular" box, rendered on the server from the same list the
 * popular endpoint answers, inside the element /widget.js may upgrade.
 */
const PopularBox: FC<{ origin: string; popular: DemoPopular }> = ({ origin, popular: { request, items } }) => (
  <div
    data-sharepulse="popular"
    data-site="demo"
    data-window={request.window}
    data-by={request.by}
    data-limit={String(request.limit)}
    class="popular"
  >
    {items.length === 0 ? (
      <p class="placeholder">The most-read stories of the day will appear here.</p>
    ) : (
      <ol>
        {items.map((item) => (
          <li>
            <a href={hrefOn(origin, item.url)}>
              {item.image ? <img src={item.image} alt="" width="56" height="56" loading="lazy" /> : null}
              <span>{item.title ?? item.url}</span>
            </a>
          </li>
        ))}
      </ol>
    )}
  </div>
);

const formatDate = (iso: string) =>
  new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/**
 * An article page of "The Eastbank Ledger", an imaginary local paper: what a
 * publisher's page looks like with sharepulse's share bar and popular box.
 */
export const DemoPage: FC<{ article: DemoArticle; origin: string; popular: DemoPopular; nonce: string }> = ({
  article,
  origin,
  popular,
  nonce,
}) => {
  const url = `${origin}${demoPath(article)}`;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${article.title} | The Eastbank Ledger`}</title>
        <link rel="canonical" href={url} />
        <meta property="og:type" content="article" />
        <meta property="og:title" content={article.title} />
        <meta property="og:url" content={url} />
        <meta property="article:section" content={article.section} />
        <meta property="article:published_time" content={article.published} />
        <style nonce={nonce} dangerouslySetInnerHTML={{ __html: STYLE }} />
      </head>
      <body>
        <header class="masthead">
          <a href="/demo">The Eastbank Ledger</a>
          <nav aria-label="Sections">
            {['City', 'Politics', 'Culture', 'Sport', 'Money'].map((section) => (
              <span>{section}</span>
            ))}
          </nav>
        </header>
        <div class="page">
          <main>
            <article>
              <div class="kicker">{article.section}</div>
              <h1>{article.title}</h1>
              <p class="standfirst">{article.standfirst}</p>
              <div class="byline">
                By {article.author} · <time datetime={article.published}>{formatDate(article.published)}</time>
              </div>
              <ShareBar origin={origin} url={url} title={article.title} />
              {article.paragraphs.map((paragraph) => (
                <p>{paragraph}</p>
              ))}
            </article>
          </main>
          <aside aria-labelledby="popular-heading">
            <h2 id="popular-heading">Most popular</h2>
            <PopularBox origin={origin} popular={popular} />
          </aside>
          <footer>The Eastbank Ledger is an imaginary newspaper: a demo of sharepulse.</footer>
        </div>
        <script src={`${origin}/widget.js`} async />
      </body>
    </html>
  );
};
