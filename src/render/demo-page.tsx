import type { FC } from 'hono/jsx';
import { isLinkNetwork, NETWORK_LABELS, NETWORKS } from '../../common/networks';
import { DEMO_PAPER_NAME, type DemoArticle, demoArticleAt, demoArticleUrl, demoPath } from '../demo/articles';
import { demoPicturePath } from '../demo/pictures';
import type { PopularBody } from '../openapi/schemas';

const STYLE = `
  :root { color-scheme: light dark; --ink: #1b1b1f; --paper: #fbfaf7; --muted: #5d5d66; --rule: #dedbd2; --accent: #b3261e; }
  @media (prefers-color-scheme: dark) { :root { --ink: #ecebe8; --paper: #151518; --muted: #a3a2aa; --rule: #34343a; --accent: #ff8a80; } }
  * { box-sizing: border-box; }
  body { margin: 0; background: var(--paper); color: var(--ink); font: 18px/1.6 Georgia, 'Times New Roman', serif; }
  a { color: inherit; }
  .masthead { border-bottom: 3px double var(--rule); text-align: center; padding: 1.2rem 1rem .6rem; }
  .masthead a { text-decoration: none; font: 700 clamp(1.6rem, 8vw, 2.2rem)/1.1 Georgia, serif; letter-spacing: .02em; }
  .masthead nav { display: flex; flex-wrap: wrap; justify-content: center; gap: 0 1.4rem; margin-top: .4rem; font: 600 .8rem/2.2 system-ui, sans-serif; text-transform: uppercase; letter-spacing: .08em; color: var(--muted); }
  .page { max-width: 72rem; margin: 0 auto; padding: 1.5rem 1rem 4rem; display: grid; gap: 3rem; grid-template-columns: minmax(0, 1fr) 20rem; }
  @media (max-width: 900px) { .page { grid-template-columns: 1fr; } }
  .kicker { font: 700 .8rem system-ui, sans-serif; text-transform: uppercase; letter-spacing: .08em; color: var(--accent); }
  h1 { font-size: clamp(1.8rem, 7vw, 2.4rem); line-height: 1.15; margin: .4rem 0 .8rem; overflow-wrap: break-word; }
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
    <div data-sharepulse="share" data-site="demo" data-url={url} data-counts="true">
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

/** Stories in the popular box. */
export const DEMO_POPULAR_SHOWN = 5;

/**
 * The "Most popular" box, rendered on the server from the list the popular
 * endpoint answers, less the article being read. Not left to /widget.js: an
 * article's link is the canonical address its page gives, at the paper's
 * address (DEMO_ORIGIN), whereas the demo knows its own pages and links them,
 * and their pictures, on whichever origin and port serve it. Other articles
 * go to their link.
 */
const PopularBox: FC<{ article: DemoArticle; items: PopularBody['items'] }> = ({ article, items }) => {
  const shown = items
    .map((item) => ({ item, page: demoArticleAt(item.url) }))
    .filter(({ page }) => page !== article)
    .slice(0, DEMO_POPULAR_SHOWN);
  return (
    <div class="popular">
      {shown.length === 0 ? (
        <p class="placeholder">The most-read stories of the day will appear here.</p>
      ) : (
        <ol>
          {shown.map(({ item, page }) => {
            const image = page ? demoPicturePath(page) : item.image;
            return (
              <li>
                <a href={page ? demoPath(page) : item.link}>
                  {image ? <img src={image} alt="" width="56" height="56" loading="lazy" /> : null}
                  <span>{item.title ?? item.url}</span>
                </a>
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
};

const formatDate = (iso: string) =>
  new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/**
 * An article page of "The Eastbank Ledger", an imaginary local paper: what a
 * publisher's page looks like with sharepulse's share bar and popular box,
 * and the head the page checker reads. `origin` serves the page, its picture,
 * the widget and the share links; the canonical URL is at the paper's address
 * (DEMO_ORIGIN), like its seeded counts; `reportedUrl` is what the share bar
 * reports (demoReportedUrl).
 */
export const DemoPage: FC<{
  article: DemoArticle;
  origin: string;
  reportedUrl: string;
  popular: PopularBody['items'];
  nonce: string;
}> = ({ article, origin, reportedUrl, popular, nonce }) => {
  const url = demoArticleUrl(article);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${article.title} | ${DEMO_PAPER_NAME}`}</title>
        <link rel="canonical" href={url} />
        <meta property="og:type" content="article" />
        <meta property="og:title" content={article.title} />
        <meta property="og:url" content={url} />
        <meta property="og:image" content={`${origin}${demoPicturePath(article)}`} />
        <meta property="article:section" content={article.section} />
        <meta property="article:published_time" content={article.published} />
        <style nonce={nonce} dangerouslySetInnerHTML={{ __html: STYLE }} />
      </head>
      <body>
        <header class="masthead">
          <a href="/demo">{DEMO_PAPER_NAME}</a>
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
              <ShareBar origin={origin} url={reportedUrl} title={article.title} />
              {article.paragraphs.map((paragraph) => (
                <p>{paragraph}</p>
              ))}
            </article>
          </main>
          <aside aria-labelledby="popular-heading">
            <h2 id="popular-heading">Most popular</h2>
            <PopularBox article={article} items={popular} />
          </aside>
          <footer>{DEMO_PAPER_NAME} is an imaginary newspaper: a demo of sharepulse.</footer>
        </div>
        <script src={`${origin}/widget.js`} async />
      </body>
    </html>
  );
};
