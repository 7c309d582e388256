import { article, type Context, send } from './page';
import { popularList } from './popular';
import { shareBar } from './share-bar';

declare global {
  interface Window {
    /** Set once this page load's view is sent, so a second copy of the script sends none. */
    sharepulseViewSent?: boolean;
  }
}

/** One `view` per page load, unless any of our elements (or the script) says `data-track="false"`. */
function trackView(ctx: Context, elements: HTMLElement[]): void {
  const holders = ctx.script ? [ctx.script, ...elements] : elements;
  const source = holders.find((el) => el.dataset.site);
  if (!source || window.sharepulseViewSent || holders.some((el) => el.dataset.track === 'false')) return;
  window.sharepulseViewSent = true;
  const sendView = () =>
    send(ctx.api, {
      site: source.dataset.site,
      type: 'view',
      ...article(source.dataset.url ?? ctx.script?.dataset.url),
    });
  // A page prerendered for a click that never comes has not been viewed.
  if ((document as Document & { prerendering?: boolean }).prerendering) {
    document.addEventListener('prerenderingchange', sendView, { once: true });
  } else {
    sendView();
  }
}

function start(ctx: Context): void {
  const elements = Array.from(document.querySelectorAll<HTMLElement>('[data-sharepulse]'));
  for (const el of elements) {
    if (el.dataset.sharepulse === 'share') shareBar(ctx, el);
    else if (el.dataset.sharepulse === 'popular') popularList(ctx, el);
  }
  trackView(ctx, elements);
}

// The API lives where this script came from.
const script = document.currentScript;
if (script instanceof HTMLScriptElement && script.src) {
  const ctx: Context = { api: new URL(script.src).origin, script };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => start(ctx));
  else start(ctx);
}
