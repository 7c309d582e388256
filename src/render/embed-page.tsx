import type { Child, FC } from 'hono/jsx';
import { CSS } from '../../common/widget-styles';

/**
 * The widget's own stylesheet, so that an embed looks like the widget. No
 * room is reserved for the popular list: the server renders it whole.
 */
export const EMBED_CSS = `${CSS}html,body{margin:0;background:transparent}.sp{padding:.4em}.pop{min-height:0}`;

/** `auto` follows the reader's OS; an iframe cannot see its page's own scheme, so light is the default. */
export type EmbedTheme = 'light' | 'dark' | 'auto';

/**
 * A self-contained page for an `<iframe>`: one inline stylesheet, no script,
 * readable with JavaScript off. Every text is escaped by hono/jsx. Its
 * `color-scheme` is its theme's: a frame whose scheme differs from its page's
 * gets an opaque backdrop from the browser instead of a transparent one.
 */
export const EmbedPage: FC<{ lang: string; title: string; theme: EmbedTheme; children: Child }> = ({
  lang,
  title,
  theme,
  children,
}) => (
  <html lang={lang}>
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="robots" content="noindex" />
      <meta name="color-scheme" content={theme === 'auto' ? 'light dark' : theme} />
      <title>{title}</title>
      {/* A constant: set raw, as hono/jsx would entity-escape the quotes in CSS. */}
      <style dangerouslySetInnerHTML={{ __html: EMBED_CSS }} />
    </head>
    <body>
      <div class={`sp ${theme}`}>{children}</div>
    </body>
  </html>
);
