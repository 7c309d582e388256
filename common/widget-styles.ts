// The widget's stylesheet, inside each element's shadow root so that neither
// the host page's CSS nor ours leaks across. Public knobs are CSS custom
// properties, which do cross the shadow boundary: --sharepulse-color,
// -background, -muted, -border, -accent, -radius, -font-size, -icon-size, -gap.

const LIGHT = '--f:#1b1b1f;--b:#fff;--m:#575761;--l:#c9c6bf;--a:#0b57d0';
const DARK = '--f:#ececf0;--b:#1c1c21;--m:#aeaeb8;--l:#4a4a52;--a:#8ab4f8';

const v = (name: string, fallback: string) => `var(--sharepulse-${name},var(--${fallback}))`;

/**
 * The theme class for a `data-theme` or a page's `color-scheme`: `auto`, or a
 * scheme offering both (`light dark`), follows the reader's OS; a dark-only
 * scheme is dark; anything else (`normal`, none) is light, as a page that
 * says nothing is drawn light.
 */
export const themeOf = (scheme: string): 'light' | 'dark' | 'auto' =>
  /auto|light.*dark|dark.*light/.test(scheme) ? 'auto' : /dark/.test(scheme) ? 'dark' : 'light';

// One rule a line here, and nothing between them in the bundle (the widget's every byte counts).
export const CSS =
  `.sp{${LIGHT};color:${v('color', 'f')};font-size:var(--sharepulse-font-size,.875rem);line-height:1.4}` +
  `@media (prefers-color-scheme:dark){.auto{${DARK}}}` +
  `.dark{${DARK}}` +
  `ul,ol{list-style:none;margin:0;padding:0}` +
  `.bar{display:flex;flex-wrap:wrap;gap:var(--sharepulse-gap,.4em);padding:.1em}` +
  `.btn{display:inline-flex;align-items:center;justify-content:center;gap:.35em;box-sizing:border-box;min-width:2.6em;height:2.6em;padding:0 .7em;border:1px solid ${v('border', 'l')};border-radius:var(--sharepulse-radius,999px);background:${v('background', 'b')};color:inherit;font:inherit;text-decoration:none;cursor:pointer}` +
  `.btn:hover{border-color:${v('accent', 'a')};color:${v('accent', 'a')}}` +
  `:focus-visible{outline:2px solid ${v('accent', 'a')};outline-offset:2px}` +
  `svg{width:var(--sharepulse-icon-size,1.2em);height:var(--sharepulse-icon-size,1.2em);fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round;flex:none}` +
  `.n{min-width:2.4em;text-align:left;font-variant-numeric:tabular-nums}` +
  `.bar li{position:relative}` +
  `.tip{position:absolute;top:100%;right:0;z-index:1;margin-top:.3em;padding:.2em .6em;border-radius:.3em;background:${v('color', 'f')};color:${v('background', 'b')};white-space:nowrap}` +
  `.tip:empty{padding:0}` +
  `.pop{min-height:calc(var(--rows,10)*5em);counter-reset:r;padding:0 .5em;background:${v('background', 'b')}}` +
  `.pop li{counter-increment:r;position:relative;display:grid;grid-template-columns:1.4em 4em 1fr;align-content:start;gap:.15em .6em;box-sizing:border-box;height:5em;padding:.6em .2em;border-top:1px solid ${v('border', 'l')};overflow:hidden}` +
  `.pop li::before{content:counter(r);grid-row:1/3;font-weight:700;color:${v('accent', 'a')}}` +
  `.th{grid-row:1/3;width:4em;height:3em;border-radius:.25em;object-fit:cover;background:${v('border', 'l')}}` +
  `.pop a{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;overflow:hidden;color:inherit;font-weight:600;line-height:1.3;text-decoration:none}` +
  `.pop a:first-child,.pop a:first-child+.m{grid-column:2/4}` +
  `.pop a::after{content:"";position:absolute;inset:0}` +
  `.pop a:hover{text-decoration:underline}` +
  `.m{grid-column:3;color:${v('muted', 'm')};font-size:.85em}` +
  `.pop .sk::before{content:"";grid-column:1/4;align-self:center;height:.9em;border-radius:.2em;background:${v('border', 'l')}}` +
  `.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}` +
  `.pop li.none{display:block;height:auto;color:${v('muted', 'm')}}` +
  `.pop .none::before{content:none}`;
