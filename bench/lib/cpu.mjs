// CPU accounting of the workerd processes a bench starts (Linux /proc).
import { readdirSync, readFileSync } from 'node:fs';

/** Process ids of this process's children (Linux /proc); empty where there is no /proc. */
export function childPids() {
  try {
    return readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')[1] === String(process.pid);
        } catch {
          return false;
        }
      });
  } catch {
    return [];
  }
}

/** CPU time (user + system, ms) used so far by processes `pids`; null without /proc. */
export function cpuMs(pids) {
  try {
    if (pids.length === 0) return null;
    return (
      pids.reduce((sum, pid) => {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return sum + Number(fields[11]) + Number(fields[12]);
      }, 0) * 10
    ); // clock ticks of 10 ms
  } catch {
    return null;
  }
}
