export function demoSeedSql(
  articles: { slug: string; title: string; section: string; published: string }[],
  origin: string,
  nowMs: number,
  options?: { pictureOrigin?: string; articleSource?: 'page' | 'beacon' | 'admin' },
): string;
