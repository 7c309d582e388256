import { isBoxList } from '../../common/box-list';
import { article, type Context, send, takeFrom } from './page';
import { popularList } from './popular';
import { whenRead } from './read';
import { shareBar } from './share-bar';

declare global {
  interface Window {
    /** Set once this page load's view is sent, so a second copy of the script sends none. */
    sharepulseViewSent?: boolean;
  }
}

/** A view may name this many popular lists. */
const MAX_BOXES = 5;

/**
 * One `view` per page load, unless any of our elements (or the script) says
 * `data-track="false"`, with the popular lists the page shows (`boxes`) and the
 * box link it was opened from (`from`); then one `read` of the same article
 * once the reader has read it.
 */
function trackView(ctx: Context, elements: HTMLElement[], from: string | undefined, boxes: string[]): void {
  const holders = ctx.script ? [ctx.script, ...elements] : elements;
  const source = holders.find((el) => el.dataset.site);
  if (!source || window.sharepulseViewSent || holders.some((el) => el.dataset.track === 'false')) return;
  window.sharepulseViewSent = true;
  const site = source.dataset.site;
  const sendView = () => {
    const page = article(source.dataset.url ?? ctx.script?.dataset.url);
    send(ctx.api, { site, type: 'view', ...page, from, boxes: boxes.length ? boxes : undefined });
    whenRead(ctx.script, () => send(ctx.api, { site, type: 'read', url: page.url, from }));
  };
  // A page prerendered for a click that never comes has not been viewed.
  if ((document as Document & { prerendering?: boolean }).prerendering) {
    document.addEventListener('prerenderingchange', sendView, { once: true });
  } else {
    sendView();
  }
}

function start(ctx: Context, from: string | undefined): void {
  const elements = [...document.querySelectorAll<HTMLElement>('[data-sharepulse]')];
  const boxes = new Set<string>();
  for (const el of elements) {
    if (el.dataset.sharepulse === 'share') shareBar(ctx, el);
    else if (el.dataset.sharepulse === 'popular') {
      const list = popularList(ctx, el);
      // A list the server would refuse (a misspelt data-by) must not cost the page its view.
      if (list && isBoxList(list)) boxes.add(list);
    }
  }
  trackView(ctx, elements, from, [...boxes].slice(0, MAX_BOXES));
}

// The API lives where this script came from.
const script = document.currentScript;
if (script instanceof HTMLScriptElement && script.src) {
  const ctx: Context = { api: new URL(script.src).origin, script };
  // At once, before the page's own scripts can rewrite the address, or copy it.
  const from = takeFrom(ctx.api);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => start(ctx, from));
  else start(ctx, from);
}
