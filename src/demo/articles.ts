import type { ArticleSource } from '../articles/article-schema';
import articles from './articles.json';
import paper from './paper.json';

export interface DemoArticle {
  slug: string;
  title: string;
  section: string;
  published: string;
  author: string;
  standfirst: string;
  paragraphs: string[];
}

/** The demo site's articles; the first is /demo, the others /demo/{slug}. Seeded by scripts/prepare-dev.mjs. */
export const DEMO_ARTICLES: DemoArticle[] = articles;

export const DEMO_PAPER_NAME: string = paper.name;

/**
 * The paper's own address, in its pages' canonical links and in the seed
 * (scripts/prepare-dev.mjs): its articles keep the same keys, and so their
 * seeded counts, whatever host and port `wrangler dev` serves them on.
 */
export const DEMO_ORIGIN: string = paper.origin;

export const demoPath = (article: DemoArticle): string => (article.slug ? `/demo/${article.slug}` : '/demo');

/** The article at the paper's address: its pages' canonical link, and the URL its seeded counts are under. */
export const demoArticleUrl = (article: DemoArticle): string => `${DEMO_ORIGIN}${demoPath(article)}`;

/**
 * The URL a demo page reports to sharepulse (the widget's `data-url`, the
 * share links). In `page` mode, the page's address on the origin serving it,
 * which the page checker fetches (on any port: README's `--port 8899` too)
 * and whose canonical link makes it count for the paper's article. Otherwise
 * the paper's article itself, as nothing checks a page then and another
 * spelling would be an article of its own.
 */
export const demoReportedUrl = (article: DemoArticle, servedOrigin: string, source: ArticleSource | null): string =>
  source === 'page' ? `${servedOrigin}${demoPath(article)}` : demoArticleUrl(article);

/** The demo article at `url` (any origin, any spelling of the scheme), if it is one. */
export const demoArticleAt = (url: string): DemoArticle | undefined => {
  const { pathname } = new URL(url);
  return DEMO_ARTICLES.find((article) => demoPath(article) === pathname.replace(/\/$/, ''));
};
