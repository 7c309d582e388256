export function demoSeedSql(
  articles: { slug: string; title: string; section: string; published: string }[],
  origin: string,
  nowMs: number,
  pictureOrigin?: string,
): string;
