// A publisher's pages for the page checker's tests (test/articles/page-check.test.ts),
// served by Node on a free port of 127.0.0.1: started by vitest.config.ts's
// globalSetup, its origin given to the tests as `publisherOrigin`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { TestProject } from 'vitest/node';

/** How long /slow waits before it answers: far beyond the tests' small timeouts. */
const SLOW_MS = 5_000;

const page = (head: string, body = '<p>Story.</p>') =>
  `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n${head}\n</head>\n<body>\n${body}\n</body>\n</html>\n`;

const escapeHtml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('"', '&quot;');

const html = (response: ServerResponse, status: number, text: string) => {
  response.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
  response.end(text);
};

const redirect = (response: ServerResponse, status: number, location: string) => {
  response.writeHead(status, { Location: location, 'Content-Type': 'text/html; charset=utf-8' });
  response.end(`<a href="${escapeHtml(location)}">Moved</a>`);
};

/** Writes `chunk` every `everyMs` until the reader goes away. */
const writeUntilClosed = (request: IncomingMessage, response: ServerResponse, chunk: string, everyMs: number) => {
  const timer = setInterval(() => response.write(chunk), everyMs);
  request.socket.once('close', () => clearInterval(timer));
};

type Route = (request: IncomingMessage, response: ServerResponse, origin: string) => void;

const ROUTES: Record<string, Route> = {
  // Tells the test what the checker sent, as the page's title.
  '/echo-headers': (request, response) => {
    const sent = { 'user-agent': request.headers['user-agent'], accept: request.headers.accept };
    html(response, 200, page(`<title>${escapeHtml(JSON.stringify(sent))}</title>`));
  },
  '/article/good': (_, response, origin) => {
    const head = [
      '<title>Bridge closure extended to March | The Host Gazette</title>',
      `<link rel="canonical" href="${origin}/article/good">`,
      `<meta property="og:url" content="${origin}/article/good?from=og">`,
      '<meta property="og:title" content="Bridge closure extended to March">',
      '<meta property="og:image" content="/pictures/bridge.jpg">',
      '<meta property="article:section" content="Local">',
      '<meta property="article:published_time" content="2026-11-20T08:00:00+01:00">',
    ];
    html(response, 200, page(head.join('\n')));
  },
  '/article/plain': (_, response) =>
    html(response, 200, page('<title>Ferry goes electric &amp; quiet – The Host Gazette</title>')),
  '/article/print': (_, response) => html(response, 200, page('<link rel="Alternate CANONICAL" href="/article/good">')),
  '/article/canonical-away': (_, response) =>
    html(response, 200, page('<link rel="canonical" href="http://evil.example/article/good">')),
  // A live blog that never ends: only a checker that stops at <body> gets through it.
  '/article/endless': (request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.write('<!doctype html><html><head><title>Live blog</title></head><body>\n');
    writeUntilClosed(request, response, `<p>${'More of the story. '.repeat(50)}</p>\n`, 5);
  },
  '/article/huge': (_, response) =>
    html(response, 200, page(`<title>Huge</title>\n${'<meta name="filler" content="x">\n'.repeat(2_000)}`)),
  '/article/xhtml': (_, response) => {
    response.writeHead(200, { 'Content-Type': 'application/xhtml+xml; charset=utf-8' });
    response.end('<html xmlns="http://www.w3.org/1999/xhtml"><head><title>In XHTML</title></head><body></body></html>');
  },
  '/untyped': (_, response) => response.end(page('<title>No Content-Type</title>')),
  '/article/utf-16': (_, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-16' });
    response.end(Buffer.from('\ufeff<title>UTF-16</title>', 'utf16le'));
  },
  '/old-slug': (_, response) => redirect(response, 301, '/article/good?utm_source=newsletter'),
  '/old-slug-twice': (_, response, origin) => redirect(response, 302, `${origin}/old-slug`),
  '/moved-away': (_, response) => redirect(response, 301, 'http://evil.example/article/good'),
  '/moved-to-localhost': (request, response) =>
    redirect(response, 301, `http://localhost:${request.socket.localPort}/article/good`),
  '/moved-to-mail': (_, response) => redirect(response, 302, 'mailto:desk@127.0.0.1'),
  '/moved-nowhere': (_, response) => redirect(response, 302, 'http://[nowhere'),
  '/loop': (_, response) => redirect(response, 302, '/loop'),
  '/unavailable': (_, response) => html(response, 503, page('<title>Down for maintenance</title>')),
  '/busy': (_, response) => {
    response.writeHead(429, { 'Retry-After': '60', 'Content-Type': 'text/plain' });
    response.end('Slow down');
  },
  '/data.json': (_, response) => {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end('{"title":"Not a page"}');
  },
  '/slow': (request, response) => {
    const timer = setTimeout(() => html(response, 200, page('<title>Too late</title>')), SLOW_MS);
    request.socket.once('close', () => clearTimeout(timer));
  },
  // Answers its headers at once, then its head too slowly ever to end.
  '/slow-head': (request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.write('<!doctype html><html><head>');
    writeUntilClosed(request, response, '<meta name="filler" content="x">', 50);
  },
};

const notFound: Route = (_, response) => html(response, 404, page('<title>Not found</title>'));

export default async function startPublisherServer({ provide }: TestProject): Promise<() => Promise<void>> {
  const server = createServer((request, response) => {
    const origin = `http://${request.headers.host}`;
    const route = ROUTES[new URL(request.url ?? '/', origin).pathname] ?? notFound;
    route(request, response, origin);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The publisher server has no port.');
  provide('publisherOrigin', `http://127.0.0.1:${address.port}`);
  return async () => {
    // Endless and slow pages hold their sockets open: close them, then the server.
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  };
}
