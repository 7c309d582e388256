import fc from 'fast-check';
import { NETWORKS } from '../../common/networks';

/** Strings a hostile or broken client might send: unicode, markup, control characters, very long. */
export const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    'javascript:alert(1)',
    '\u0000',
    '%00',
    '../../etc/passwd',
    '=cmd|"/c calc"!A1',
    'null',
    '{}',
    '[]',
  ),
  fc.string({ minLength: 300, maxLength: 5000 }),
);

/** URLs around a site's host: good ones, foreign ones, tricky spellings and garbage. */
export const urlFor = (host: string) =>
  fc.oneof(
    fc.webPath().map((path) => `https://${host}${path}`),
    fc
      .tuple(fc.webPath(), fc.webQueryParameters(), fc.webFragments())
      .map(([p, q, f]) => `http://${host.toUpperCase()}${p || '/'}?${q}#${f}`),
    fc.webUrl(),
    fc.constantFrom(
      `https://${host}.evil.example/a`,
      `https://evil.example/${host}`,
      `https://user@${host}/a`,
      `//${host}/a`,
      `https://${host}:99999/a`,
      'https://[::1]/a',
    ),
    nastyString,
  );

export const siteIdFor = (site: string) =>
  fc.oneof({ weight: 4, arbitrary: fc.constant(site) }, fc.constantFrom('demo', 'nope', 'UPPER', ''), nastyString);

/** One event, mostly shaped like a real one, often wrong somewhere. */
export const eventFor = (site: string, host: string) =>
  fc.record(
    {
      site: siteIdFor(site),
      type: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('view', 'share', 'read') }, nastyString),
      url: urlFor(host),
      network: fc.oneof(fc.constantFrom(...NETWORKS), nastyString),
      title: fc.oneof(nastyString, fc.integer(), fc.constant(null)),
      image: fc.oneof(urlFor(host), fc.constant(null)),
      section: nastyString,
      published: fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        nastyString,
      ),
      from: fc.oneof(
        fc.constantFrom('views-24h.3', 'trending.1', 'reads-7d.50', 'views-24h.51', 'views.0'),
        nastyString,
      ),
      boxes: fc.oneof(
        fc.array(fc.constantFrom('views-24h', 'shares-all', 'trending', 'reads-1h', 'bogus'), { maxLength: 7 }),
        nastyString,
      ),
    },
    { requiredKeys: [] },
  );

/** A request body: an event, an array of them, or not JSON at all. */
export const bodyFor = (site: string, host: string) =>
  fc.oneof(
    eventFor(site, host).map((e) => JSON.stringify(e)),
    fc.array(eventFor(site, host), { maxLength: 25 }).map((events) => JSON.stringify(events)),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    nastyString,
  );

/** Headers a browser, a bot or an attacker might send. */
export const headersFor = (host: string) =>
  fc
    .record(
      {
        Origin: fc.oneof(
          fc.constantFrom(`https://${host}`, `http://${host}:8080`, 'null', 'https://evil.example'),
          nastyString,
        ),
        Referer: fc.oneof(fc.constant(`https://${host}/page`), nastyString),
        'User-Agent': fc.oneof(
          fc.constantFrom(
            'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36',
            'Googlebot/2.1',
            '',
          ),
          nastyString,
        ),
        'Sec-GPC': fc.constantFrom('1', '0', 'yes'),
        'Content-Type': fc.constantFrom(
          'text/plain;charset=UTF-8',
          'application/json',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'garbage',
        ),
        'CF-Connecting-IP': fc.ipV4(),
      },
      { requiredKeys: [] },
    )
    .map((headers) =>
      // Header values must be ByteStrings; a browser cannot send others either.
      Object.fromEntries(Object.entries(headers).filter(([, v]) => /^[\x20-\x7e]*$/.test(v))),
    );

/** A query string with the given parameters given random, repeated or missing values. */
export const queryFor = (names: string[], value: fc.Arbitrary<string>) =>
  fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 8 })), value), { maxLength: 6 })
    .map((pairs) => new URLSearchParams(pairs).toString());
