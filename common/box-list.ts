// Which popular list a reader came from, and where in it: the `sp_from`
// parameter the popular box adds to its links (API.md "Recirculation"). Shared
// by the widget, the /embed/popular page and the server, which reads it back.

/** The query parameter of a popular box's links; URL normalisation drops it like `utm_*`. */
export const FROM_PARAMETER = 'sp_from';

const LIST = /^(?:(?:views|shares|score|reads)-(?:1h|24h|7d|30d|all)|trending)$/;
const FROM = /^((?:(?:views|shares|score|reads)-(?:1h|24h|7d|30d|all)|trending))\.([1-9]\d?)$/;

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
export const isBoxList = (value: string): boolean => LIST.test(value);

/** The `sp_from` value of the link at `position` (1-based) of `list`. @example fromValue('views-24h', 3) // 'views-24h.3' */
export const fromValue = (list: string, position: number): string => `${list}.${position}`;

/** The list and position an `sp_from` value names, or null when it is not one fromValue makes. */
export function parseFrom(value: string): { list: string; position: number } | null {
  const match = FROM.exec(value);
  if (!match) return null;
  const position = Number(match[2]);
  return position <= MAX_POSITION ? { list: match[1]!, position } : null;
}
