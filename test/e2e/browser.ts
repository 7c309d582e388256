import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { CHROMIUM_ARGS, READER_UA } from '../../scripts/lib/local-worker.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Worker under `wrangler dev`, e.g. http://127.0.0.1:41234. */
    apiOrigin: string;
    /** The publisher's page server, another origin, e.g. http://localhost:41235. */
    hostOrigin: string;
    axePath: string;
    flushSeconds: number;
    /** The admin token wrangler dev runs with. */
    adminToken: string;
  }
}

export const API = inject('apiOrigin');
export const HOST = inject('hostOrigin');
export const AXE_PATH = inject('axePath');

/** How long after its last event a shard has surely flushed to D1 (FLUSH_SECONDS, with room). */
export const FLUSH_WAIT_MS = inject('flushSeconds') * 1000 + 2_500;

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, timeout: 30_000 });

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let slugs = 0;
/** An article slug no other test uses, so that its counts are its own. */
export const uniqueSlug = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(slugs++).toString(36)}`;

export interface Watched {
  context: BrowserContext;
  /** Every request any page of the context made, in order. */
  requests: string[];
  /** Requests for any other host than the page's and the Worker's: answered here with a stub, never sent. */
  intercepted: string[];
  /** Console errors and uncaught exceptions of every page (a CSP violation is one). */
  errors: string[];
}

const isLocal = (url: URL) => url.origin === API || url.origin === HOST;

/**
 * A browser context as a reader's: every request recorded, and any for a host
 * other than the page's and the Worker's answered here with a stub (never sent).
 */
export async function watchedContext(browser: Browser, options: BrowserContextOptions = {}): Promise<Watched> {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(15_000);
  const watched: Watched = { context, requests: [], intercepted: [], errors: [] };
  context.on('request', (request) => watched.requests.push(request.url()));
  context.on('page', (page: Page) => {
    page.on('console', (message) => {
      if (message.type() === 'error') watched.errors.push(message.text());
    });
    page.on('pageerror', (error) => watched.errors.push(String(error)));
  });
  await context.route(
    (url) => !isLocal(url),
    (route) => {
      watched.intercepted.push(route.request().url());
      return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>A network</title>' });
    },
  );
  return watched;
}

/**
 * One Chromium for the tests of a file: launched before them, closed after.
 * Answers how a test opens a watched context of it.
 */
export function chromiumForFile(): (options?: BrowserContextOptions) => Promise<Watched> {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return (options) => watchedContext(browser!, options);
}

export interface Counts {
  url: string;
  views: number;
  reads: number;
  shares: { total: number; by_network: Record<string, number> };
}

/**
 * An article's counts from the counts endpoint. It caches for a minute, so a
 * test reads each article once, after the flush it waits for.
 */
export async function readCounts(url: string): Promise<Counts> {
  const response = await fetch(`${API}/api/v1/sites/demo/counts?${new URLSearchParams({ url })}`);
  if (!response.ok) throw new Error(`counts ${response.status}: ${await response.text()}`);
  return (await response.json()) as Counts;
}

/** Sends events to the Worker as a page of `HOST` would, from the reader at `ip` if given (else loopback's). */
export async function postEvents(events: unknown, { ip }: { ip?: string } = {}): Promise<void> {
  const response = await fetch(`${API}/api/v1/events`, {
    method: 'POST',
    headers: {
      'Content-Type': 'text/plain;charset=UTF-8',
      Origin: HOST,
      'User-Agent': READER_UA,
      ...(ip ? { 'CF-Connecting-IP': ip } : {}),
    },
    body: JSON.stringify(events),
  });
  if (response.status !== 202) throw new Error(`events ${response.status}: ${await response.text()}`);
}

/** Sends events as a page of `HOST` would, then waits until their shard has surely flushed them to D1. */
export async function postFlushed(events: unknown): Promise<void> {
  await postEvents(events);
  await sleep(FLUSH_WAIT_MS);
}

/** An event as the widget sent it to the events endpoint. */
export interface SentEvent {
  site: string;
  type: 'view' | 'share' | 'read';
  url: string;
  from?: string;
  boxes?: string[];
  [field: string]: unknown;
}

/** The events the pages of `context` send from now on, in the order they are sent (filled in as they go). */
export function sentEvents(context: BrowserContext): SentEvent[] {
  const sent: SentEvent[] = [];
  context.on('request', (request) => {
    if (request.method() === 'POST' && request.url() === `${API}/api/v1/events`) {
      sent.push(JSON.parse(request.postData() ?? 'null'));
    }
  });
  return sent;
}

/** Evaluates an expression in the page (a string, as this project's type-check has no DOM types). */
export const evaluate = <T>(page: Page, expression: string): Promise<T> => page.evaluate(expression) as Promise<T>;

/**
 * Waits until `expression` is truthy in the page. Polled from here, as
 * page.waitForFunction would evaluate it with eval(), which the page's CSP forbids.
 */
export const until = (page: Page, expression: string) =>
  expect.poll(() => evaluate<boolean>(page, `!!(${expression})`), { timeout: 15_000, interval: 100 }).toBe(true);

/** An expression for the shadow root of the first `[data-sharepulse=<kind>]`. */
export const shadowOf = (kind: 'share' | 'popular') =>
  `document.querySelector('[data-sharepulse="${kind}"]').shadowRoot`;
