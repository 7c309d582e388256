// Which popular list a reader came from, and where in it: the `sp_from`
// parameter the popular box adds to its links (API.md "Recirculation"). Shared
// by the widget, the /embed/popular page and the server, which reads it back.

/** The query parameter of a popular box's links; URL normalisation drops it like `utm_*`. */
export const FROM_PARAMETER = 'sp_from';

/** An `sp_from` value's shape (positions up to 99: parseFrom bounds them by MAX_POSITION). */
export const FROM_PATTERN = /^((?:(?:views|shares|score|reads)-(?:1h|24h|7d|30d|all)|trending))\.([1-9]\d?)$/;

/**
 * A query (`?…`, or '') with its `sp_from` pairs taken out, and
 * `sp_from=<from>` appended when `from` is given: the other parameters byte
 * for byte as written (no re-encoding: `?flag` stays `?flag`, `%20` stays
 * `%20`); only empty pairs, which name nothing, go too.
 *
 * @example withFrom('?flag&sp_from=views-24h.3&q=a%20b') // '?flag&q=a%20b'
 * @example withFrom('?id=7', 'reads-7d.1') // '?id=7&sp_from=reads-7d.1'
 */
export function withFrom(query: string, from?: string): string {
  const pairs = query
    .slice(1)
    .split('&')
    .filter((pair) => pair && pair.split('=')[0] !== FROM_PARAMETER);
  if (from) pairs.push(`${FROM_PARAMETER}=${from}`);
  return pairs.length ? `?${pairs.join('&')}` : '';
}

/** Positions a link can have: a popular list holds at most 50 items. */
export const MAX_POSITION = 50;

/**
 * A popular list's id: `<by>-<window>` (defaults `views` and `24h`, as the
 * popular endpoint's), or `trending`, whose window is ignored.
 *
 * @example boxList('reads', '7d') // 'reads-7d'
 */
export const boxList = (by: string | undefined, window: string | undefined): string =>
  by === 'trending' ? 'trending' : `${by || 'views'}-${window || '24h'}`;

/** Whether `value` is a list id that boxList can make. */
export const isBoxList = (value: string): boolean => FROM_PATTERN.test(`${value}.1`);

/** The `sp_from` value of the link at `position` (1-based) of `list`. @example fromValue('views-24h', 3) // 'views-24h.3' */
export const fromValue = (list: string, position: number): string => `${list}.${position}`;

/** The list and position an `sp_from` value names, or null when it is not one fromValue makes. */
export function parseFrom(value: string): { list: string; position: number } | null {
  const match = FROM_PATTERN.exec(value);
  if (!match) return null;
  const position = Number(match[2]);
  return position <= MAX_POSITION ? { list: match[1]!, position } : null;
}
