import type { Child, FC } from 'hono/jsx';
import { NETWORK_LABELS, type Network } from '../../../common/networks';

const numbers = new Intl.NumberFormat('en');

/** A count as the dashboard writes it, grouped ("12,345"); a score's fraction is rounded away. */
export const formatCount = (n: number): string => numbers.format(Math.round(n));

/** A network's display name; a name recorded before a network was renamed shows as stored. */
export const networkLabel = (network: string): string => NETWORK_LABELS[network as Network] ?? network;

/** The class of a numbers column: right-aligned, and with `hideNarrow` left out on a phone. */
const numClass = (hideNarrow: boolean | undefined) => (hideNarrow ? 'num hide-narrow' : 'num');

/** The heading of a column of numbers, aligned as they are. */
export const NumHeading: FC<{ children: Child; hideNarrow?: boolean }> = ({ children, hideNarrow }) => (
  <th scope="col" class={numClass(hideNarrow)}>
    {children}
  </th>
);

/** A cell holding a count. */
export const NumCell: FC<{ n: number; hideNarrow?: boolean }> = ({ n, hideNarrow }) => (
  <td class={numClass(hideNarrow)}>{formatCount(n)}</td>
);

/** A table with one heading row, scrolling sideways on a narrow screen rather than widening the page. */
export const ScrollTable: FC<{ head: Child; children: Child }> = ({ head, children }) => (
  <div class="scroll">
    <table>
      <thead>
        <tr>{head}</tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  </div>
);
