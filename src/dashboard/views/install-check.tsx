import type { FC } from 'hono/jsx';
import { type HostCheck, INSTALL_CHECK_DAYS } from '../../db/install-check';
import type { Site } from '../../sites/site-schema';
import { Notice } from './layout';
import { NumCell, NumHeading, ScrollTable } from './table';

/** A date and time on the site's clock with its zone, e.g. "2 Dec 2026, 14:00 (Europe/Paris)". */
const seenAt = (ms: number, zone: string) =>
  `${new Intl.DateTimeFormat('en-GB', { timeZone: zone, dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }).format(ms)} (${zone})`;

/** Whether beacons from `host` name a page host the site does not list ('' names none). */
const isForeign = (site: Site, host: string) => host !== '' && !site.hosts.includes(host);

const HostName: FC<{ site: Site; host: string }> = ({ site, host }) => (
  <td class="title">
    {host === '' ? <span class="muted">no Origin or Referer</span> : host}
    {isForeign(site, host) ? <small>not a host of this site</small> : null}
  </td>
);

/**
 * The site page's install check: per page host (the site's own, and any
 * other beacons came from), the last beacon accepted, the refusals of the
 * UTC day and the last refusal's message; a host beacons come from that the
 * site does not list is said first, with what to do.
 */
export const InstallCheck: FC<{ site: Site; hosts: HostCheck[] }> = ({ site, hosts }) => {
  const zone = site.settings.time_zone;
  const seen = new Map(hosts.map((check) => [check.host, check]));
  const foreign = hosts.filter((check) => isForeign(site, check.host));
  const rows: HostCheck[] = [
    ...site.hosts.map((host) => seen.get(host) ?? { host, lastAcceptedMs: null, refusedToday: 0, lastRefusal: null }),
    ...hosts.filter((check) => !site.hosts.includes(check.host)),
  ];
  return (
    <section class="card" aria-labelledby="install-heading">
      <h2 id="install-heading">Install check</h2>
      {hosts.length === 0 ? (
        <p class="empty">
          No beacon seen in the last {INSTALL_CHECK_DAYS} days. Paste the <a href="#snippet">embed code</a> below into
          your article template, then open one of its pages and reload this one.
        </p>
      ) : (
        <>
          <p class="hint">
            What the widget's beacons got in the last {INSTALL_CHECK_DAYS} days, per page host; each Worker instance
            adds what it saw at most once a minute. Refusals count per UTC day.
          </p>
          {foreign.length > 0 ? (
            <Notice kind="error">
              <ul>
                {foreign.map(({ host }) => (
                  <li>
                    Beacons come from {host}, which is not a host of this site: add it under <a href="#hosts">Hosts</a>.
                  </li>
                ))}
              </ul>
            </Notice>
          ) : null}
          <ScrollTable
            head={
              <>
                <th scope="col">Host</th>
                <th scope="col">Last beacon accepted</th>
                <NumHeading>Refused today (UTC)</NumHeading>
                <th scope="col">Last refusal</th>
              </>
            }
          >
            {rows.map((check) => (
              <tr>
                <HostName site={site} host={check.host} />
                <td>
                  {check.lastAcceptedMs === null ? <span class="muted">none</span> : seenAt(check.lastAcceptedMs, zone)}
                </td>
                <NumCell n={check.refusedToday} />
                <td>
                  {check.lastRefusal === null ? (
                    <span class="muted">none</span>
                  ) : (
                    <>
                      <div>{check.lastRefusal.message}</div>
                      <div class="muted">
                        {seenAt(check.lastRefusal.atMs, zone)} · {check.lastRefusal.code}
                      </div>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </ScrollTable>
        </>
      )}
    </section>
  );
};
