/**
 * Columns read chunk by chunk, as Arrow record batches hold them: at 10M customers in 1M-row
 * batches, joining a column into one array (toArray) copies it and faults in its pages, and the
 * tracked period's passes read six such columns. A pass instead runs over pieces of rows that lie
 * in one chunk of every column it reads, and reads row i of a column as chunk[i − start].
 */
import { DataType, Int32, makeData, Vector, type Table } from 'apache-arrow';
import { CHUNK } from './deciles.js';
import { bytesOf, isIntegerArray } from './integer-arrays.js';

/** One array, or its chunks in row order. */
export type Column<T> = T | readonly T[];

interface Sized {
  length: number;
}

/** A column's chunks in row order (one array: itself alone). */
export function chunksIn<T>(column: Column<T>): readonly T[] {
  return Array.isArray(column) ? (column as readonly T[]) : [column as T];
}

/** Walks a column's chunks as the rows asked for go up. */
export class ChunkCursor<T extends Sized> {
  private readonly chunks: readonly T[];
  private index = 0;
  /** The first row of the current chunk. */
  start = 0;

  constructor(column: Column<T>) {
    this.chunks = chunksIn(column);
  }

  /** The chunk holding row `row` (rows asked in ascending order; past the end: the last chunk). */
  at(row: number): T {
    while (
      this.index < this.chunks.length - 1 &&
      row >= this.start + this.chunks[this.index].length
    ) {
      this.start += this.chunks[this.index].length;
      this.index++;
    }
    return this.chunks[this.index];
  }

  /** The row after the current chunk's last. */
  get end(): number {
    return this.start + (this.chunks[this.index]?.length ?? 0);
  }
}

/**
 * Calls `piece(from, to)` over [0, n) in pieces of at most CHUNK rows (see deciles.ts CHUNK), none
 * across a chunk boundary of `cursors`' columns; each cursor is at its chunk of `from` meanwhile.
 */
export function eachPiece(
  n: number,
  cursors: readonly ChunkCursor<Sized>[],
  piece: (from: number, to: number) => void,
): void {
  for (let from = 0; from < n;) {
    let to = Math.min(n, from + CHUNK);
    for (const c of cursors) {
      c.at(from);
      if (c.end > from) to = Math.min(to, c.end);
    }
    piece(from, to);
    from = to;
  }
}

/** A column's rows as one array (the chunks joined when there are several). */
export function whole<T extends Int32Array | Float64Array>(column: Column<T>): T {
  if (!Array.isArray(column)) return column as T;
  const chunks = column as readonly T[];
  if (chunks.length === 1) return chunks[0];
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = (chunks[0] instanceof Int32Array ? new Int32Array(n) : new Float64Array(n)) as T;
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Rows in a column. */
export function rowCount(column: Column<Sized>): number {
  if (!Array.isArray(column)) return (column as Sized).length;
  let n = 0;
  for (const c of column as readonly Sized[]) n += c.length;
  return n;
}

/**
 * A column's chunks when every chunk's values are an array of `type` (an int32 column, a float64
 * one) without nulls; undefined otherwise (the caller then reads it whole). The values are asked,
 * not the type: a float64 column read from a file has a plain Float type, not Float64.
 */
export function chunksOf<T extends Int32Array | Float64Array>(
  table: Table,
  column: string,
  type: new (n: number) => T,
): T[] | undefined {
  const c = table.getChild(column);
  if (!c) return undefined;
  const out: T[] = [];
  for (const d of c.data) {
    if (!(d.values instanceof type) || d.nullCount > 0) return undefined;
    out.push((d.values as T).subarray(0, d.length) as T);
  }
  return out;
}

/**
 * Whether two tables' integer columns hold the same values in the same rows, compared chunk
 * against chunk as bytes (no column joined); undefined where that does not apply (other types,
 * nulls, arrays of different kinds): the caller then compares the joined columns.
 */
export function sameIntegerRows(a: Table, b: Table, column: string): boolean | undefined {
  const pieces = (t: Table): ArrayBufferView[] | undefined => {
    const c = t.getChild(column);
    // An Int column's values are its integers (a Utf8 column's are its characters' bytes).
    if (!c || !DataType.isInt(c.type)) return undefined;
    const out: ArrayBufferView[] = [];
    for (const d of c.data) {
      const v = d.values as unknown;
      if (d.nullCount > 0 || !isIntegerArray(v)) return undefined;
      out.push((v as Int32Array).subarray(0, d.length));
    }
    return out;
  };
  const x = pieces(a);
  const y = pieces(b);
  if (!x || !y || x.length === 0 || y.length === 0) return undefined;
  if (
    x.some((v) => v.constructor !== y[0].constructor) ||
    y.some((v) => v.constructor !== y[0].constructor)
  )
    return undefined;
  const bx = x.map(bytesOf);
  const by = y.map(bytesOf);
  const total = (bs: Buffer[]): number => bs.reduce((s, q) => s + q.length, 0);
  if (total(bx) !== total(by)) return false;
  // Walk both chunk lists, comparing the overlapping byte ranges.
  let i = 0;
  let j = 0;
  let p = 0;
  let q = 0;
  while (i < bx.length && j < by.length) {
    const m = Math.min(bx[i].length - p, by[j].length - q);
    if (m > 0 && Buffer.compare(bx[i].subarray(p, p + m), by[j].subarray(q, q + m)) !== 0)
      return false;
    p += m;
    q += m;
    if (p === bx[i].length) {
      i++;
      p = 0;
    }
    if (q === by[j].length) {
      j++;
      q = 0;
    }
  }
  return true;
}

/** An int32 column as an Arrow vector, one Data per chunk. */
export function int32Vector(column: Column<Int32Array>): Vector<Int32> {
  return new Vector(chunksIn(column).map((data) => makeData({ type: new Int32(), data })));
}

/**
 * Whether every chunk boundary of `column` is a record batch boundary of `table`: columns of
 * those chunks then leave the table's batches as they are (a new Table of columns is cut at every
 * column's boundaries), and so the bytes of the file it is written to.
 */
export function withinBatches(column: Column<Sized>, table: Table): boolean {
  const ends = new Set<number>();
  let end = 0;
  for (const b of table.batches) ends.add((end += b.numRows));
  if (!Array.isArray(column)) return (column as Sized).length === table.numRows;
  let at = 0;
  for (const c of column as readonly Sized[])
    if (!ends.has((at += c.length)) && c.length > 0) return false;
  return at === table.numRows;
}
