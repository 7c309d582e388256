/** Seconds of engaged time that make a read. */
const READ_SECONDS = 15;
/** Seconds after an input that the reader still counts as active, as engaged-time tools count. */
const ACTIVE_SECONDS = 5;
/** A reader's inputs, as engaged-time tools take them; pointer events are a touch's too. */
const INPUTS = ['scroll', 'keydown', 'pointerdown', 'pointermove'];

/**
 * Calls `read` once when the reader has read the article: READ_SECONDS in all
 * of the page visible and an input in the last ACTIVE_SECONDS, or a scroll
 * that brings the end of the `<article>` (else of the page) into view; only a
 * scroll, so a page short enough to show its end is not read on loading. A
 * reload is not watched: it is the same reader again, whose read of the day
 * was sent before if there was one.
 */
export function whenRead(read: () => void): void {
  if ((performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)?.type === 'reload')
    return;
  const end = document.querySelector('article') ?? document.documentElement;
  const inputs = new AbortController();
  let active = 0;
  let engaged = 0;
  const done = () => {
    inputs.abort();
    clearInterval(clock);
    read();
  };
  // Each second the reader was active in counts if the page was seen (a hidden tab accrues nothing).
  const clock = setInterval(() => {
    if (active-- > 0 && !document.hidden && ++engaged >= READ_SECONDS) done();
  }, 1000);
  const input = (event: Event) => {
    active = ACTIVE_SECONDS;
    if (event.type === 'scroll' && !document.hidden && end.getBoundingClientRect().bottom < innerHeight + 1) done();
  };
  // Capturing, to see scrolls of any element too.
  for (const type of INPUTS) addEventListener(type, input, { capture: true, signal: inputs.signal });
}
