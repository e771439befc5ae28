import {
  DataType,
  makeData,
  Precision,
  RecordBatch,
  Struct,
  Table,
  type Data,
  type Float32,
} from 'apache-arrow';
import type { ArrowLayout } from './arrow-layout.js';

/**
 * A table read with its float32 columns' values put in a region of their own (io/shared-read.ts:
 * column-major, column c's rows from `region + 4·c·rows` on, in the order of the layout), the
 * file's bytes around them as they are: apache-arrow's table of those bytes, its float32 chunks
 * pointed at the region instead of the file's places for them (left unread).
 *
 * apache-arrow's own reading of the bytes is the reference: every chunk the layout named must be
 * where apache-arrow found it, and no other buffer of the table may lie in a range left unread.
 * Undefined otherwise (the caller reads the file as it is then).
 */
export function scatteredTable(
  table: Table,
  file: Uint8Array,
  layout: ArrowLayout,
  region: Float32Array,
): Table | undefined {
  if (table.numRows !== layout.rows || table.batches.length === 0) return undefined;
  // Disjoint (the read gave up on overlapping pieces) and sorted: their ends are sorted too.
  const unread = layout.columns
    .flatMap((c) => c.pieces.map(([at, rows]): [number, number] => [at, at + 4 * rows]))
    .filter(([a, z]) => z > a)
    .sort((a, b) => a[0] - b[0]);
  const byField = new Map(layout.columns.map((c, i) => [c.field, i]));
  const inFile = { buffer: file.buffer, base: file.byteOffset };
  const rows = layout.rows;
  const batches: RecordBatch[] = [];
  let start = 0;
  for (const [b, batch] of table.batches.entries()) {
    const children: Data[] = [];
    for (const [f, child] of batch.data.children.entries()) {
      const c = byField.get(f);
      if (c === undefined) {
        if (touches(child, unread, inFile)) return undefined;
        children.push(child);
        continue;
      }
      const [at, length] = layout.columns[c].pieces[b] ?? [-1, -1];
      const values = child.values as Float32Array;
      const type = child.type as DataType;
      const plain = DataType.isFloat(type) && type.precision === Precision.SINGLE;
      if (!plain || child.nullCount !== 0 || child.length !== length || child.offset !== 0)
        return undefined;
      if (values.buffer !== file.buffer || values.byteOffset - inFile.base !== at) return undefined;
      const data = region.subarray(c * rows + start, c * rows + start + length);
      children.push(makeData({ type: child.type as Float32, length, nullCount: 0, data }));
    }
    if (children.length !== table.schema.fields.length) return undefined;
    const struct = makeData({
      type: new Struct(table.schema.fields),
      length: batch.numRows,
      nullCount: 0,
      children,
    });
    batches.push(new RecordBatch(table.schema, struct));
    start += batch.numRows;
  }
  return new Table(table.schema, batches);
}

/** Whether any buffer of a chunk (or of its children) overlaps a range left unread. */
function touches(
  data: Data,
  unread: readonly [number, number][],
  file: { buffer: ArrayBufferLike; base: number },
): boolean {
  const buffers = [data.values, data.valueOffsets, data.nullBitmap, data.typeIds] as (
    ArrayBufferView | undefined
  )[];
  for (const b of buffers) {
    if (!b || b.byteLength === 0 || b.buffer !== file.buffer) continue;
    const from = b.byteOffset - file.base;
    const to = from + b.byteLength;
    if (overlapsAny(unread, from, to)) return true;
  }
  const dictionary = data.dictionary?.data ?? [];
  return [...data.children, ...dictionary].some((child) => touches(child, unread, file));
}

/**
 * Whether [from, to) overlaps one of sorted, disjoint ranges: a binary search for the first range
 * ending after `from` (a scan per buffer was quadratic in the batches: 1,000-row batches of 10M
 * rows give 160k ranges and 50k buffers).
 */
function overlapsAny(ranges: readonly [number, number][], from: number, to: number): boolean {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ranges[mid][1] <= from) lo = mid + 1;
    else hi = mid;
  }
  return lo < ranges.length && ranges[lo][0] < to;
}
