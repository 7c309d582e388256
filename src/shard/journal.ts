import type { CountRow, Increment } from './batch';
import { SEEN_TABLES } from './dedup';
import { readSealedTo, reserveSeqs } from './shard-state';

/**
 * The journal of counted events: each counted event's increment is stored in
 * its own dedup row (./dedup.ts markCounted), with a position, one above the
 * last, so that counting an event writes that one row and no pending row of
 * its own. The increments not yet sent are summed here in memory, read again
 * from the dedup rows when the object starts. A flush seals them into parts,
 * each a range of positions recorded in `journal_batches` under its batch's
 * sequence number: its rows are those of the range, summed and cut into
 * parts in one order, the same after a restart, so that a batch sent again
 * is the batch sent before (./outbox.ts). A part is forgotten once D1 has it,
 * or once its rows are moved to the outbox (a refused batch split, or the
 * day's dedup rows about to be dropped).
 */

const countKey = ({ site, siteCreatedAt, url, bucket, network }: Increment): string =>
  JSON.stringify([site, siteCreatedAt, url, bucket, network]);

/** `rows` in order, cut into parts of at most `articlesPerPart` articles (site, incarnation, URL) each. */
export function partsOf(rows: readonly CountRow[], articlesPerPart: number): CountRow[][] {
  const parts: CountRow[][] = [];
  let articles = 0;
  let lastArticle: string | undefined;
  // Each row's key made once, not at each comparison.
  const keyed = rows.map((row) => ({ row, key: countKey(row) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const { row } of keyed) {
    const article = JSON.stringify([row.site, row.siteCreatedAt, row.url]);
    if (article !== lastArticle) {
      if (parts.length === 0 || articles === articlesPerPart) {
        parts.push([]);
        articles = 0;
      }
      articles++;
      lastArticle = article;
    }
    parts[parts.length - 1]!.push(row);
  }
  return parts;
}

/** Adds `n` of `increment` to `sums`. */
function addTo(sums: Map<string, CountRow>, increment: Increment, n: number): void {
  const key = countKey(increment);
  const row = sums.get(key);
  if (row) row.n += n;
  else sums.set(key, { ...increment, n });
}

export class Journal {
  private loaded = false;
  /** The last position taken. */
  private lastPos = 0;
  /** Positions up to this one are sealed in parts, or moved out of the journal. */
  private sealedTo = 0;
  /** The increments of positions past sealedTo, summed. */
  private open = new Map<string, CountRow>();
  /** Sealed parts' rows, by sequence number, as this instance sealed or read them. */
  private readonly parts = new Map<number, CountRow[]>();

  constructor(
    private readonly sql: SqlStorage,
    private readonly articlesPerPart: number,
  ) {}

  /** Takes the position of a counted event's dedup row, adding its increment to the open sums. */
  add(increment: Increment): number {
    this.load();
    addTo(this.open, increment, 1);
    this.lastPos++;
    return this.lastPos;
  }

  /** Whether counted events wait to be sealed. */
  hasOpen(): boolean {
    this.load();
    return this.open.size > 0;
  }

  /**
   * Seals the open increments into parts, each under a batch sequence number
   * of its own; answers the numbers. Runs inside its caller's transaction:
   * forget() if that rolls back.
   */
  seal(): number[] {
    this.load();
    if (this.open.size === 0) return [];
    const parts = partsOf([...this.open.values()], this.articlesPerPart);
    const first = reserveSeqs(this.sql, parts.length, this.lastPos);
    const seqs = parts.map((rows, part) => {
      const seq = first + part;
      this.sql.exec(
        'INSERT INTO journal_batches (seq, from_pos, to_pos, part, part_articles) VALUES (?, ?, ?, ?, ?)',
        seq,
        this.sealedTo,
        this.lastPos,
        part,
        this.articlesPerPart,
      );
      this.parts.set(seq, rows);
      return seq;
    });
    this.sealedTo = this.lastPos;
    this.open = new Map();
    return seqs;
  }

  /** The sequence numbers of sealed parts not yet forgotten. */
  sealedSeqs(): number[] {
    return this.sql
      .exec<{ seq: number }>('SELECT seq FROM journal_batches ORDER BY seq')
      .toArray()
      .map((row) => row.seq);
  }

  /** The rows of sealed part `seq`; none if `seq` is no part. Read with the other parts of its range, in one scan. */
  rowsOf(seq: number): CountRow[] {
    const known = this.parts.get(seq);
    if (known) return known;
    const range = this.sql
      .exec<{ from_pos: number; to_pos: number; part_articles: number }>(
        'SELECT from_pos, to_pos, part_articles FROM journal_batches WHERE seq = ?',
        seq,
      )
      .toArray()[0];
    if (!range) return [];
    const parts = partsOf(this.sums(range.from_pos, range.to_pos).rows, range.part_articles);
    const sealed = this.sql.exec<{ seq: number; part: number }>(
      'SELECT seq, part FROM journal_batches WHERE from_pos = ? AND to_pos = ?',
      range.from_pos,
      range.to_pos,
    );
    for (const { seq: partSeq, part } of sealed) this.parts.set(partSeq, parts[part] ?? []);
    return this.parts.get(seq) ?? [];
  }

  /** Forgets sealed part `seq`: D1 has its rows, or the outbox does. */
  forgetPart(seq: number): void {
    this.sql.exec('DELETE FROM journal_batches WHERE seq = ?', seq);
    this.parts.delete(seq);
  }

  /** Answers the open increments and takes them out of the journal, for its caller to store elsewhere. */
  takeOpen(): CountRow[] {
    this.load();
    const rows = [...this.open.values()];
    reserveSeqs(this.sql, 0, this.lastPos);
    this.sealedTo = this.lastPos;
    this.open = new Map();
    return rows;
  }

  /** Forgets what it holds in memory, to read it again from storage: after a transaction that changed it rolled back. */
  forget(): void {
    this.loaded = false;
    this.open = new Map();
    this.parts.clear();
  }

  /** Reads the open increments from the dedup rows: once per instance, scanning both days' rows. */
  private load(): void {
    if (this.loaded) return;
    this.sealedTo = readSealedTo(this.sql);
    const { rows, lastPos } = this.sums(this.sealedTo, Number.MAX_SAFE_INTEGER);
    this.open = new Map(rows.map((row) => [countKey(row), row]));
    this.lastPos = Math.max(this.sealedTo, lastPos);
    this.loaded = true;
  }

  /** The increments of the dedup rows of positions in (fromPos, toPos], summed, and the last position among them. */
  private sums(fromPos: number, toPos: number): { rows: CountRow[]; lastPos: number } {
    const sums = new Map<string, CountRow>();
    let lastPos = 0;
    for (const table of SEEN_TABLES) {
      const found = this.sql.exec<CountRow & { last: number } & Record<string, SqlStorageValue>>(
        `SELECT site, site_created_at AS siteCreatedAt, url, bucket, counter AS network, count(*) AS n, max(pos) AS last
         FROM ${table} WHERE pos > ? AND pos <= ? GROUP BY site, site_created_at, url, bucket, counter`,
        fromPos,
        toPos,
      );
      for (const { last, n, ...increment } of found) {
        addTo(sums, increment, n);
        lastPos = Math.max(lastPos, last);
      }
    }
    return { rows: [...sums.values()], lastPos };
  }
}
