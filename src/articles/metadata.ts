/** What pages tell about their article (API.md "article"); each part null until a page sends it. */
export interface ArticleMetadata {
  title: string | null;
  image: string | null;
  section: string | null;
  published: string | null;
}
