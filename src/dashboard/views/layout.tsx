import type { Child, FC } from 'hono/jsx';
import type { DashboardAssets } from '../assets';
import { DASHBOARD_PATH, LOGOUT_PATH, SITES_PATH, sitePath } from '../paths';

/**
 * JSON for a `<script type="application/json">` block. The browser does not
 * decode entities there, so the JSON is written raw, with `<`, `>`, `&` and
 * the JavaScript line terminators escaped so that no value can end the block.
 */
export const scriptJson = (value: unknown): string =>
  JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');

/** Data for the dashboard's script, read by id; never code. */
export const JsonBlock: FC<{ id: string; value: unknown }> = ({ id, value }) => (
  <script type="application/json" id={id} dangerouslySetInnerHTML={{ __html: scriptJson(value) }} />
);

/** A site's overview, at its default period and ranking. */
export const overviewPath = (site: string): string => `${DASHBOARD_PATH}?${new URLSearchParams({ site })}`;

/** The dashboard's download links for a site's export, in both formats. */
export const ExportLinks: FC<{ site: string }> = ({ site }) => (
  <>
    <a class="button secondary" href={`${sitePath(site)}/export?format=csv`} download>
      Export CSV
    </a>
    <a class="button secondary" href={`${sitePath(site)}/export?format=json`} download>
      Export JSON
    </a>
  </>
);

/** A segmented control of links: works without script, and each state has its own address. */
export const Segmented: FC<{
  label: string;
  options: readonly { value: string; text: string; href: string }[];
  current: string;
}> = ({ label, options, current }) => (
  <nav class="seg" aria-label={label}>
    {options.map((option) => (
      <a href={option.href} aria-current={option.value === current ? 'true' : undefined}>
        {option.text}
      </a>
    ))}
  </nav>
);

export const Notice: FC<{ kind: 'error' | 'ok'; children: Child }> = ({ kind, children }) => (
  <div class={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
    {children}
  </div>
);

export type Section = 'overview' | 'sites';

const NAV: { section: Section; href: string; label: string }[] = [
  { section: 'overview', href: DASHBOARD_PATH, label: 'Overview' },
  { section: 'sites', href: SITES_PATH, label: 'Sites' },
];

/**
 * Every dashboard page: the stylesheet and the one deferred script, both
 * served by the Worker; a top bar with the sections and sign-out (here, or
 * everywhere) when signed in.
 */
export const DashboardLayout: FC<{ title: string; assets: DashboardAssets; section?: Section; children: Child }> = ({
  title,
  assets,
  section,
  children,
}) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="robots" content="noindex" />
      <meta name="color-scheme" content="light dark" />
      <title>{`${title} · sharepulse`}</title>
      {/* No favicon request: an empty icon rather than a 404 on every page. */}
      <link rel="icon" href="data:," />
      <link rel="stylesheet" href={assets.style} />
      <script src={assets.script} defer />
    </head>
    <body>
      <header class="top">
        <a class="brand" href={DASHBOARD_PATH}>
          sharepulse
        </a>
        {section ? (
          <>
            <nav aria-label="Dashboard">
              {NAV.map((item) => (
                <a href={item.href} aria-current={item.section === section ? 'page' : undefined}>
                  {item.label}
                </a>
              ))}
            </nav>
            <form method="post" action={LOGOUT_PATH}>
              <button type="submit" class="secondary">
                Sign out
              </button>
            </form>
            <form method="post" action={LOGOUT_PATH}>
              <input type="hidden" name="everywhere" value="1" />
              <button type="submit" class="secondary" title="Ends every session of every browser">
                Sign out everywhere
              </button>
            </form>
          </>
        ) : null}
      </header>
      <main>{children}</main>
    </body>
  </html>
);
