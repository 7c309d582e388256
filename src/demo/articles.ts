import articles from './articles.json';

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

export const demoPath = (article: DemoArticle): string => (article.slug ? `/demo/${article.slug}` : '/demo');
