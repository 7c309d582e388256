export const ROOT: string;
export const READER_UA: string;
export const CHROMIUM_ARGS: string[];
export function freePort(): Promise<number>;
export function startLocalWorker(
  persist: string,
  vars: Record<string, string | number>,
  options?: { demoArticleSource?: 'page' | 'beacon' | 'admin' },
): Promise<{ origin: string; stop: () => Promise<void> }>;
