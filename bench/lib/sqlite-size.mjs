// The size of a local D1 database as SQLite counts it (PRAGMA page_count ×
// page_size), read from its files: D1 refuses PRAGMA page_count, and in WAL
// mode the main file lags behind until a checkpoint, so the WAL's last commit
// gives the size. Format: https://www.sqlite.org/fileformat2.html
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const DB_HEADER_BYTES = 100;
const WAL_HEADER_BYTES = 32;
const WAL_FRAME_HEADER_BYTES = 24;

/** The page size field of a database header: 1 stands for 65,536. */
const pageSizeOf = (field) => (field === 1 ? 65_536 : field);

/** Pages of the main file: the header's count while it is valid (its change counter matches), else the file's length. */
function mainFilePages(main, pageSize) {
  const headerPages = main.readUInt32BE(28);
  const headerValid = headerPages > 0 && main.readUInt32BE(24) === main.readUInt32BE(92);
  return headerValid ? headerPages : Math.floor(main.length / pageSize);
}

/**
 * The page count of the WAL's last commit, or null when the WAL holds none.
 * Frames count while their salts are the header's: frames left by an earlier
 * WAL generation carry other salts, and a commit frame names the database's
 * size in pages after it.
 */
function walCommittedPages(wal) {
  if (wal.length < WAL_HEADER_BYTES) return null;
  const pageSize = wal.readUInt32BE(8);
  const salts = [wal.readUInt32BE(16), wal.readUInt32BE(20)];
  let pages = null;
  for (let at = WAL_HEADER_BYTES; at + WAL_FRAME_HEADER_BYTES + pageSize <= wal.length; ) {
    if (wal.readUInt32BE(at + 8) !== salts[0] || wal.readUInt32BE(at + 12) !== salts[1]) break;
    const committed = wal.readUInt32BE(at + 4);
    if (committed > 0) pages = committed;
    at += WAL_FRAME_HEADER_BYTES + pageSize;
  }
  return pages;
}

/** Bytes of the SQLite database at `path` (its `-wal` file included), as `PRAGMA page_count` × `page_size` would say. */
export function sqliteDatabaseBytes(path) {
  const main = readFileSync(path);
  const wal = existsSync(`${path}-wal`) ? readFileSync(`${path}-wal`) : Buffer.alloc(0);
  const pageSize =
    main.length >= DB_HEADER_BYTES
      ? pageSizeOf(main.readUInt16BE(16))
      : wal.length >= WAL_HEADER_BYTES
        ? wal.readUInt32BE(8)
        : 0;
  const pages = walCommittedPages(wal) ?? (main.length >= DB_HEADER_BYTES ? mainFilePages(main, pageSize) : 0);
  return pages * pageSize;
}

/**
 * The SQLite file of the one D1 database Miniflare keeps under
 * `persistencePath` (its `resourcePersistencePath`): d1/<object>/<id>.sqlite
 * beside Miniflare's own metadata.sqlite.
 */
export function d1DatabaseFile(persistencePath) {
  const dir = join(persistencePath, 'd1', 'miniflare-D1DatabaseObject');
  const files = readdirSync(dir).filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite');
  if (files.length !== 1) throw new Error(`expected one D1 database in ${dir}, found ${files.length}`);
  return join(dir, files[0]);
}
