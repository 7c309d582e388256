// One IP, many readers: visitors (each its own User-Agent) behind ONE address,
// as an office or a carrier's NAT sends them. None may be refused (a reader
// cannot tell a shared address from a flood), and after the flush each
// article must hold exactly the site's max_visitors_per_ip. A control sends as
// many visitors, each from its own IP, to other articles of the same site:
// all of them count, so the cap is what stopped the rest (and Miniflare
// passed every CF-Connecting-IP through).
import { viewsByArticle } from './exactness.mjs';
import { viewBeacons } from './lib/beacons.mjs';
import { load } from './lib/load.mjs';
import { createBenchSite, startSharepulse } from './lib/worker.mjs';

const SITE = 'one-ip';
const ONE_IP_HOST = 'one-ip.example';
const CONTROL_HOST = 'many-ips.example';
/** The one address: visitorIp gives it only to visitor 262,140, far beyond the control's. */
const ONE_IP = '198.19.255.254';

/** Visitors per article URL of `host`, for visitors `first` to `first + visitors - 1` as viewBeacons numbers them. */
function visitorsPerArticle(host, first, visitors, articles) {
  const perArticle = new Map();
  for (let n = first; n < first + visitors; n++) {
    const url = `https://${host}/story-${n % articles}`;
    perArticle.set(url, (perArticle.get(url) ?? 0) + 1);
  }
  return perArticle;
}

export async function benchOneIp({ scriptPath, visitors, articles, connections }) {
  const sharepulse = await startSharepulse(scriptPath, { FLUSH_SECONDS: '1' });
  try {
    const { settings } = await createBenchSite(sharepulse.url, SITE, [ONE_IP_HOST, CONTROL_HOST]);
    const cap = settings.max_visitors_per_ip;
    let sent = 0;
    const next = () => sent++;
    const oneIp = await load({
      url: sharepulse.url,
      amount: visitors,
      connections,
      requests: viewBeacons({ site: SITE, host: ONE_IP_HOST, articles, next, ip: () => ONE_IP }),
      pids: sharepulse.pids,
    });
    const firstControl = sent;
    const control = await load({
      url: sharepulse.url,
      amount: visitors,
      connections,
      requests: viewBeacons({ site: SITE, host: CONTROL_HOST, articles, next }),
    });

    const oneIpExpected = [...visitorsPerArticle(ONE_IP_HOST, 0, visitors, articles)].map(([url, n]) => [
      url,
      Math.min(n, cap),
    ]);
    const controlExpected = [...visitorsPerArticle(CONTROL_HOST, firstControl, visitors, articles)];
    const total = [...oneIpExpected, ...controlExpected].reduce((sum, [, n]) => sum + n, 0);
    const rows = await viewsByArticle(sharepulse.db, SITE, total, 30_000);
    const stored = new Map(rows.map((r) => [r.url, r.views]));
    const counted = (expected) => expected.map(([url]) => stored.get(url) ?? 0);
    const exact = (expected) => expected.every(([url, n]) => stored.get(url) === n);
    return {
      visitors,
      articles,
      connections,
      ip: ONE_IP,
      cap,
      seconds: oneIp.seconds,
      rps: oneIp.rps,
      p50: oneIp.p50,
      p99: oneIp.p99,
      cpuUsPerRequest: oneIp.cpuUsPerRequest,
      errors: oneIp.errors + control.errors,
      accepted: oneIp.statuses['202'] ?? 0,
      statuses: oneIp.statuses,
      counted: counted(oneIpExpected),
      exact: exact(oneIpExpected),
      control: {
        accepted: control.statuses['202'] ?? 0,
        counted: counted(controlExpected),
        exact: exact(controlExpected),
      },
    };
  } finally {
    await sharepulse.mf.dispose();
  }
}
