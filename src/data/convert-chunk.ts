/**
 * The conversion of one Arrow chunk of a numeric column to float32 (the matrix) or float64 (the
 * profiles' columns), with the scan that counts what is wrong in it: one function that either
 * thread runs (data/shared-convert.ts hands columns to the column helper), so that a column's
 * values and problems are the same bits whichever thread converted it. It works on the chunk's
 * raw arrays (a ChunkView), not on apache-arrow's objects: the helper thread never loads
 * apache-arrow, and a view travels to it as a few numbers over shared memory (encodeChunk).
 */

/** What was wrong in one feature column: counts, and the first row of each kind. */
export interface ColumnProblems {
  column: string;
  missing: number;
  firstMissingRow: number;
  infinite: number;
  firstInfiniteRow: number;
  /** Finite values beyond float32's range (|v| > 3.4e38), which would become ±Infinity. */
  overflow: number;
  firstOverflowRow: number;
  /** Largest finite |value| and its row (for the distance-overflow check). */
  maxAbs: number;
  maxAbsRow: number;
}

export const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * How a chunk's values are stored: float32/float64 ('float'), float16 ('half'), integers of 32
 * bits or fewer ('int'), 64-bit integers ('int64'), decimals of `stride` 32-bit words ('decimal'),
 * booleans as bits ('bool').
 */
export const CHUNK_KINDS = ['float', 'half', 'int', 'int64', 'decimal', 'bool'] as const;
export type ChunkKind = (typeof CHUNK_KINDS)[number];

type ValueArray =
  | Float32Array
  | Float64Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** The typed arrays a chunk's values come as (an encoded chunk names its own by index). */
const ARRAYS = [
  Float32Array,
  Float64Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
  Int16Array,
  Int32Array,
  Uint32Array,
  BigInt64Array,
  BigUint64Array,
] as const;

/** One chunk's arrays, as apache-arrow's Data holds them. */
export interface ChunkView {
  kind: ChunkKind;
  /** The values (for 'bool', the bits), indexed as apache-arrow's Data indexes them. */
  values: ValueArray;
  /** The validity bitmap, only where the chunk has nulls. */
  nulls?: Uint8Array;
  /** The chunk's offset: the bit of row 0 in `nulls` and in a boolean chunk's bits. */
  offset: number;
  length: number;
  /** Decimals: 32-bit words a value, and 10^scale. */
  stride: number;
  scale: number;
}

export function emptyProblems(column: string): ColumnProblems {
  return {
    column,
    missing: 0,
    firstMissingRow: -1,
    infinite: 0,
    firstInfiniteRow: -1,
    overflow: 0,
    firstOverflowRow: -1,
    maxAbs: 0,
    maxAbsRow: -1,
  };
}

/**
 * Writes the chunk's values into `out` (at least view.length long; nulls as NaN) and adds what is
 * wrong in them to `scan`, rows numbered from `rowOffset`. Float64 values round to float32 as a
 * typed array's store rounds them (to nearest, ties to even).
 */
export function convertChunk(
  view: ChunkView,
  out: Float32Array | Float64Array,
  rowOffset: number,
  scan: ColumnProblems,
): void {
  const n = view.length;
  const nulls = view.nulls;
  // Classifies each value as it is stored; v is the value in float64, before rounding to float32.
  const put = (i: number, v: number): void => {
    if (nulls) {
      const bit = view.offset + i;
      if (((nulls[bit >> 3] >> (bit & 7)) & 1) === 0) v = Number.NaN;
    }
    out[i] = v;
    classify(v, i);
  };
  const classify = (v: number, i: number): void => {
    if (v !== v) {
      if (scan.missing++ === 0) scan.firstMissingRow = rowOffset + i;
    } else if (v > FLOAT32_MAX || v < -FLOAT32_MAX) {
      if (v === Infinity || v === -Infinity) {
        if (scan.infinite++ === 0) scan.firstInfiniteRow = rowOffset + i;
      } else if (scan.overflow++ === 0) scan.firstOverflowRow = rowOffset + i;
    } else {
      const a = v < 0 ? -v : v;
      if (a > scan.maxAbs) {
        scan.maxAbs = a;
        scan.maxAbsRow = rowOffset + i;
      }
    }
  };
  if (view.kind === 'float' && !nulls) {
    // The common case: one loop stores and scans (a typed array's converting set() and a second
    // loop took ~3× as long); only the unusual values leave it for classify().
    const values = view.values as Float32Array | Float64Array;
    let maxAbs = scan.maxAbs;
    let maxAbsRow = scan.maxAbsRow;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      out[i] = v;
      if (v !== v || v > FLOAT32_MAX || v < -FLOAT32_MAX) classify(v, i);
      else if (v > maxAbs || -v > maxAbs) {
        maxAbs = v < 0 ? -v : v;
        maxAbsRow = rowOffset + i;
      }
    }
    scan.maxAbs = maxAbs;
    scan.maxAbsRow = maxAbsRow;
  } else if (view.kind === 'int' && !nulls) {
    // Integers of 32 bits or fewer are finite and within float32's range: a converting copy (as
    // quick as the loop above for them, and a loop of its own keeps that one's feedback to
    // floats) and the largest magnitude are all there is to find.
    const values = view.values as
      Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;
    out.set(values.subarray(0, n));
    let maxAbs = scan.maxAbs;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v > maxAbs || -v > maxAbs) {
        maxAbs = v < 0 ? -v : v;
        scan.maxAbsRow = rowOffset + i;
      }
    }
    scan.maxAbs = maxAbs;
  } else if (view.kind === 'float' || view.kind === 'int') {
    const values = view.values as Float32Array | Float64Array | Int32Array;
    for (let i = 0; i < n; i++) put(i, values[i]);
  } else if (view.kind === 'half') {
    const values = view.values as Uint16Array;
    for (let i = 0; i < n; i++) put(i, halfToFloat(values[i]));
  } else if (view.kind === 'int64') {
    const values = view.values as BigInt64Array | BigUint64Array;
    for (let i = 0; i < n; i++) put(i, Number(values[i]));
  } else if (view.kind === 'decimal') {
    const words = view.values as Uint32Array;
    for (let i = 0; i < n; i++)
      put(i, decimalToNumber(words, i * view.stride, view.stride) / view.scale);
  } else {
    const bits = view.values as Uint8Array;
    for (let i = 0; i < n; i++) {
      const bit = view.offset + i;
      put(i, (bits[bit >> 3] >> (bit & 7)) & 1);
    }
  }
}

/**
 * A column's chunks, in row order, converted into `out` (convertChunk); returns what is wrong in
 * them, rows numbered from 0. Either thread's conversion of a column is this.
 */
export function convertViews(
  views: Iterable<ChunkView>,
  out: Float32Array,
  column: string,
): ColumnProblems {
  const scan = emptyProblems(column);
  let row = 0;
  for (const view of views) {
    convertChunk(view, out.subarray(row, row + view.length), row, scan);
    row += view.length;
  }
  return scan;
}

/** Numbers an encoded chunk takes (encodeChunk). */
export const CHUNK_FIELDS = 10;

/**
 * A chunk as numbers, its arrays given as byte offsets into `buffer` (which must hold them all):
 * [kind, array, values' byte offset, values' length, nulls' byte offset (−1: none), nulls'
 * length, offset, length, stride, scale]. Undefined where an array lies in another buffer.
 */
export function encodeChunk(
  view: ChunkView,
  buffer: ArrayBufferLike,
  into: Float64Array,
  at: number,
): boolean {
  const array = ARRAYS.findIndex((A) => view.values instanceof A);
  if (array < 0 || view.values.buffer !== buffer) return false;
  if (view.nulls && view.nulls.buffer !== buffer) return false;
  into.set(
    [
      CHUNK_KINDS.indexOf(view.kind),
      array,
      view.values.byteOffset,
      view.values.length,
      view.nulls ? view.nulls.byteOffset : -1,
      view.nulls ? view.nulls.length : 0,
      view.offset,
      view.length,
      view.stride,
      view.scale,
    ],
    at,
  );
  return true;
}

/** The chunk encodeChunk wrote at `at`, its arrays over `buffer`. */
export function decodeChunk(buffer: SharedArrayBuffer, from: Float64Array, at: number): ChunkView {
  const [kind, array, valuesAt, values, nullsAt, nulls, offset, length, stride, scale] =
    from.subarray(at, at + CHUNK_FIELDS);
  // Every typed array takes a SharedArrayBuffer; the union of their constructors' types says less.
  const Values = ARRAYS[array] as new (b: SharedArrayBuffer, at: number, n: number) => ValueArray;
  return {
    kind: CHUNK_KINDS[kind],
    values: new Values(buffer, valuesAt, values),
    nulls: nullsAt >= 0 ? new Uint8Array(buffer, nullsAt, nulls) : undefined,
    offset,
    length,
    stride,
    scale,
  };
}

/** Numbers a column's problems take in a shared result (problemsToNumbers). */
/** A column's problems as numbers, in this order (the helper writes them, this thread reads them). */
const PROBLEM_NUMBERS = [
  'missing',
  'firstMissingRow',
  'infinite',
  'firstInfiniteRow',
  'overflow',
  'firstOverflowRow',
  'maxAbs',
  'maxAbsRow',
] as const satisfies readonly (keyof ColumnProblems)[];

export const PROBLEM_FIELDS = PROBLEM_NUMBERS.length;

export function problemsToNumbers(p: ColumnProblems, into: Float64Array, at: number): void {
  into.set(
    PROBLEM_NUMBERS.map((f) => p[f]),
    at,
  );
}

export function problemsFromNumbers(
  column: string,
  from: Float64Array,
  at: number,
): ColumnProblems {
  const p = { column } as ColumnProblems;
  PROBLEM_NUMBERS.forEach((f, j) => (p[f] = from[at + j]));
  return p;
}

/** Two's-complement little-endian integer of `stride` 32-bit words, as a double. */
function decimalToNumber(words: Uint32Array, at: number, stride: number): number {
  const negative = (words[at + stride - 1] & 0x80000000) !== 0;
  let value = 0;
  if (!negative) {
    for (let w = stride - 1; w >= 0; w--) value = value * 4294967296 + words[at + w];
    return value;
  }
  // Negate: invert and add one, word by word.
  let carry = 1;
  const mag = new Array<number>(stride);
  for (let w = 0; w < stride; w++) {
    const inv = (~words[at + w] >>> 0) + carry;
    mag[w] = inv >>> 0;
    carry = inv > 0xffffffff ? 1 : 0;
  }
  for (let w = stride - 1; w >= 0; w--) value = value * 4294967296 + mag[w];
  return -value;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/**
 * Conversions of columns into a float32 matrix, a column a part (column-share.ts): each column's
 * chunks encoded (encodeChunk) over `from`, its values written to `to` from byte `at` on, its
 * problems to `results` (Float64, PROBLEM_FIELDS numbers a column).
 */
export interface ConvertWork {
  kind: 'convert';
  from: SharedArrayBuffer;
  to: SharedArrayBuffer;
  columns: { at: number; rows: number; chunks: Float64Array }[];
  results: SharedArrayBuffer;
}

/** Converts column j of a ConvertWork (either thread: the same code, the same bits). */
export function convertColumn(work: ConvertWork, j: number): void {
  const { at, rows, chunks } = work.columns[j];
  const views: ChunkView[] = [];
  for (let c = 0; c < chunks.length; c += CHUNK_FIELDS)
    views.push(decodeChunk(work.from, chunks, c));
  const scan = convertViews(views, new Float32Array(work.to, at, rows), '');
  problemsToNumbers(scan, new Float64Array(work.results), j * PROBLEM_FIELDS);
}
