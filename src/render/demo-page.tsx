import type { FC } from 'hono/jsx';
import { demoPath, type DemoArticle } from '../demo/articles';
import { NETWORK_LABELS, NETWORKS, isLinkNetwork, shareUrl } from '../networks';

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
  footer { grid-column: 1 / -1; border-top: 1px solid var(--rule); padding-top: 1rem; font: .8rem system-ui, sans-serif; color: var(--muted); }
`;

const ShareBar: FC<{ url: string; title: string }> = ({ url, title }) => (
  <section class="share" aria-labelledby="share-heading">
    <h2 id="share-heading">Share this article</h2>
    <ul>
      {NETWORKS.filter(isLinkNetwork).map((network) => (
        <li>
          <a href={shareUrl(network, url, title)} rel="noopener noreferrer" target="_blank">
            {NETWORK_LABELS[network]}
          </a>
        </li>
      ))}
    </ul>
  </section>
);

const formatDate = (iso: string) =>
  new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/**
 * An article page of "The Eastbank Ledger", an imaginary local paper: what a
 * publisher's page looks like with sharepulse's share bar and popular box.
 */
export const DemoPage: FC<{ article: DemoArticle; origin: string }> = ({ article, origin }) => {
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
        <style>{STYLE}</style>
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
              <ShareBar url={url} title={article.title} />
              {article.paragraphs.map((paragraph) => (
                <p>{paragraph}</p>
              ))}
            </article>
          </main>
          <aside aria-labelledby="popular-heading">
            <h2 id="popular-heading">Most popular</h2>
            <div data-sharepulse="popular" data-site="demo" class="placeholder">
              The most-read stories of the day will appear here.
            </div>
          </aside>
          <footer>The Eastbank Ledger is an imaginary newspaper: a demo of sharepulse.</footer>
        </div>
      </body>
    </html>
  );
};
