import { CSS } from '../../common/widget-styles';

/** `el` with the attributes `attrs` and the children `children`. */
function build<E extends Element>(el: E, attrs: Record<string, string>, children: (Node | string)[]): E {
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  el.append(...children);
  return el;
}

/**
 * An element with attributes and children. Strings become text nodes, so text
 * from a page or an API answer is never parsed as HTML.
 */
export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] => build(document.createElement(tag), attrs, children);

const svg = <K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string>, ...children: Node[]) =>
  build(document.createElementNS('http://www.w3.org/2000/svg', tag), attrs, children);

/** A decorative 24×24 icon of one path; `d` is one of ICONS. */
export const icon = (d: string): SVGSVGElement =>
  svg('svg', { viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false' }, svg('path', { d }));

let sheet: CSSStyleSheet | undefined;

/**
 * Gives `host` a shadow root holding our stylesheet and a box of the theme
 * class `theme`, and answers the box. A constructed stylesheet needs no
 * `style-src` exception in the page's CSP; browsers without them get a <style> element.
 */
export function mount(host: HTMLElement, theme: string): HTMLDivElement {
  const root = host.attachShadow({ mode: 'open' });
  try {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    }
    root.adoptedStyleSheets = [sheet];
  } catch {
    root.append(h('style', {}, CSS));
  }
  const box = h('div', { class: `sp ${theme}` });
  root.append(box);
  return box;
}

const warned = new Set<string>();

/**
 * GET JSON from the API without cookies; rejects on any non-2xx answer. The
 * server's message of a refusal ("No site demoo.") goes to the console once
 * per page, as it is what tells a publisher what is misconfigured.
 */
export async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { credentials: 'omit' });
  const body = await response.json();
  if (response.ok) return body;
  const message = String(body?.error?.message ?? response.status);
  if (!warned.has(message)) console.warn('sharepulse:', message);
  warned.add(message);
  throw new Error(message);
}

export const isHttpUrl = (value: unknown): value is string => typeof value === 'string' && /^https?:\/\//i.test(value);
