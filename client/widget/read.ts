/** Seconds of engaged time that make a read. */
const READ_SECONDS = 15;
/** Seconds after an input that the reader still counts as active, as engaged-time tools count. */
const ACTIVE_SECONDS = 5;
/** Seconds after the view before a read goes, so that the read never reaches the server before its view. */
const VIEW_SECONDS = 3;
/** A reader's inputs, as engaged-time tools take them; pointer events are a touch's too. */
const INPUTS = ['keydown', 'pointerdown', 'pointermove', 'wheel'];

/**
 * Calls `read` once when the reader has read the article: READ_SECONDS in all
 * of the page visible and an input in the last ACTIVE_SECONDS, or a scroll
 * that brings the end of the article into view while the reader is active (a
 * scroll of the page's own, a restored position or a #fragment jump alone is
 * no reader's, and a page short enough to show its end is not read on
 * loading); never before VIEW_SECONDS. The article is the `<article>` around
 * one of our elements or the script, looked up at each scroll (a page may
 * render it again, and teaser cards before it are `<article>`s too), else the
 * page. A reload is not watched: it is the same reader again, whose read of
 * the day was sent before if there was one.
 */
export function whenRead(script: HTMLElement | null, read: () => void): void {
  if ((performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)?.type === 'reload')
    return;
  const inputs = new AbortController();
  let active = 0;
  let engaged = 0;
  let seconds = 0;
  let ended = false;
  // Each second the reader was active in counts if the page was seen (a hidden tab accrues nothing).
  const clock = setInterval(() => {
    if (active-- > 0 && !document.hidden) engaged++;
    if (++seconds >= VIEW_SECONDS && (ended || engaged >= READ_SECONDS)) {
      inputs.abort();
      clearInterval(clock);
      read();
    }
  }, 1000);
  const input = (event: Event) => {
    if (event.type !== 'scroll') active = ACTIVE_SECONDS;
    else if (active > 0 && !document.hidden) {
      const article =
        (document.querySelector('article [data-sharepulse]') ?? (script?.isConnected ? script : null))?.closest(
          'article',
        ) ?? document.documentElement;
      if (article.getBoundingClientRect().bottom < innerHeight + 1) ended = true;
    }
  };
  // Capturing, to see scrolls of any element too.
  for (const type of ['scroll', ...INPUTS]) addEventListener(type, input, { capture: true, signal: inputs.signal });
}
