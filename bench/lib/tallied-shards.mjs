// Builds the Worker whose counter shards count what reaches them
// (tallied-shards-worker.mjs): the events each shard took come from the
// Worker's own routing, whatever it is, not from a second copy of its hash.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The object the bench asks for the tallies: one of its own, so that its calls reach none of the measured shards. */
export const TALLY_OBJECT = 'bench-tally';

/** Bundles the tallying wrapper around the Worker built at `scriptPath` (lib/worker.mjs buildWorker), beside it; answers its path. */
export async function buildTalliedWorker(scriptPath) {
  const outfile = join(dirname(scriptPath), 'tallied-shards.js');
  await build({
    entryPoints: [fileURLToPath(new URL('./tallied-shards-worker.mjs', import.meta.url))],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    external: ['cloudflare:*', 'node:*'],
    logLevel: 'warning',
    plugins: [
      {
        name: 'sharepulse-bundle',
        setup(esbuild) {
          esbuild.onResolve({ filter: /^sharepulse-bundle$/ }, () => ({ path: resolve(scriptPath) }));
        },
      },
    ],
  });
  return outfile;
}

/** A function answering (and resetting) every shard's tally in the Miniflare `mf` of the tallied Worker. */
export async function tallyTaker(mf) {
  const shards = await mf.getDurableObjectNamespace('SHARDS');
  const stub = shards.get(shards.idFromName(TALLY_OBJECT));
  return () => stub.takeTally();
}
