import { DataType, Precision, type Data, type Table } from 'apache-arrow';
import { InputError } from '../errors.js';
import { matrixColumnStats } from './column-stats-kernel.js';
import { shareColumns } from './column-share.js';
import { inPlaceMatrix } from './in-place.js';
import { inputMemoryOf } from './input-memory.js';
import { allocateMatrix, type DataMatrix, type MatrixAllocator } from './matrix.js';
import {
  convertChunk,
  convertViews,
  emptyProblems,
  type ChunkView,
  type ColumnProblems,
} from './convert-chunk.js';
import { convertShared, type PendingColumn } from './shared-convert.js';

export type { ColumnProblems } from './convert-chunk.js';

/**
 * Largest |value| accepted in a feature: squared distances of float32 values beyond this overflow
 * float32 (3.4e38) once summed over features. Scale such columns (--scale) instead.
 */
export const MAX_ABS_FEATURE = 1e18;

/**
 * The feature columns of an Arrow table as a float32 column-major matrix: the table's own memory
 * where its layout allows (data/in-place.ts: one float32 chunk per feature, back to back, in an
 * input memory; `borrowed`), else a copy. Any Arrow numeric type is accepted (integers, 64-bit
 * integers above 2^53 lose precision as doubles do, decimals are scaled, float16 widened) and
 * booleans become 0/1. Nulls become NaN in the matrix and are counted; NaN, ±Infinity and values
 * beyond float32 are counted too, never dropped silently. Float32 columns are checked from their
 * column statistics (one kernel pass, kept for the tolerance and the scaler), other types as they
 * are converted.
 */
export function tableToMatrix(
  table: Table,
  features: readonly string[],
  allocate?: MatrixAllocator,
): { matrix: DataMatrix; problems: ColumnProblems[] } {
  const rows = table.numRows;
  // Not into an allocator's memory (out-of-core chunks reuse theirs): the copy is asked for.
  const inPlace = allocate ? undefined : inPlaceMatrix(table, features);
  const matrix = inPlace ?? (allocate ?? allocateMatrix)(rows, features);
  const problems: (ColumnProblems | undefined)[] = [];
  const float32: number[] = [];
  // Float32 columns of a file of many batches: copied by two threads where they can be.
  const copied = !inPlace && copyFloat32Columns(table, features, matrix);
  const pending: PendingColumn[] = [];
  features.forEach((name, j) => {
    const vector = table.getChild(name);
    if (!vector) throw new InputError(`column '${name}' is not in the input`);
    if (vector.data.every(isPlainFloat32)) {
      if (!inPlace && !copied) {
        const out = matrix.data.subarray(j * rows, (j + 1) * rows);
        let offset = 0;
        for (const chunk of vector.data) {
          out.set((chunk.values as Float32Array).subarray(0, chunk.length), offset);
          offset += chunk.length;
        }
      }
      float32.push(j);
      return;
    }
    pending.push({ j, views: vector.data.map((chunk) => chunkView(chunk, name)) });
  });
  // Other types: converted by two threads where the table was read into shared memory.
  const shared = convertShared(pending, matrix, features);
  for (const { j, views } of pending) {
    problems[j] =
      shared?.get(j) ??
      convertViews(views, matrix.data.subarray(j * rows, (j + 1) * rows), features[j]);
  }
  // Once every column is in: the statistics are computed for all columns at once (and kept).
  for (const j of float32) problems[j] = float32Problems(matrix, j, features[j]);
  return { matrix, problems: problems as ColumnProblems[] };
}

/**
 * Copies the float32 feature columns of a table read into an input memory (data/input-memory.ts)
 * into a matrix in a WebAssembly memory, the columns shared with the helper thread
 * (data/column-share.ts); false, having copied nothing, where that cannot be done.
 */
function copyFloat32Columns(
  table: Table,
  features: readonly string[],
  matrix: DataMatrix,
): boolean {
  const to = matrix.kernelMemory?.memory;
  if (!to || matrix.data.buffer !== to.buffer) return false;
  let from: WebAssembly.Memory | undefined;
  const pieces: number[][] = [];
  for (const [j, name] of features.entries()) {
    const chunks = table.getChild(name)?.data;
    if (!chunks?.every(isPlainFloat32)) continue;
    const column: number[] = [];
    let row = j * matrix.rows;
    for (const chunk of chunks) {
      const values = chunk.values as Float32Array;
      from ??= inputMemoryOf(values.buffer);
      if (!from || inputMemoryOf(values.buffer) !== from) return false;
      column.push(values.byteOffset, matrix.data.byteOffset + row * 4, chunk.length * 4);
      row += chunk.length;
    }
    pieces.push(column);
  }
  if (!from) return false;
  return (
    shareColumns({ kind: 'copy', from, to, pieces }, pieces.length * matrix.rows, undefined) !==
    undefined
  );
}

function isPlainFloat32(chunk: Data): boolean {
  const type = chunk.type as DataType;
  const nulls = chunk.nullCount > 0 && !!chunk.nullBitmap && chunk.nullBitmap.length > 0;
  return DataType.isFloat(type) && type.precision === Precision.SINGLE && !nulls;
}

/**
 * The problems of a float32 column of the matrix, from its statistics: NaN are the values the
 * count leaves out, infinities show as the minimum or maximum, and nothing in float32 lies beyond
 * its range. Rows are looked for only where there is something to report.
 */
function float32Problems(matrix: DataMatrix, j: number, name: string): ColumnProblems {
  const rows = matrix.rows;
  const col = matrix.data.subarray(j * rows, (j + 1) * rows);
  const stats = matrixColumnStats(matrix, j);
  const scan = emptyProblems(name);
  const infinite = stats.min === -Infinity || stats.max === Infinity;
  if (stats.count < rows || infinite) {
    // Something to report: the per-value scan finds the rows (and the largest finite value).
    for (let i = 0; i < rows; i++) {
      const v = col[i];
      if (v !== v) {
        if (scan.missing++ === 0) scan.firstMissingRow = i;
      } else if (v === Infinity || v === -Infinity) {
        if (scan.infinite++ === 0) scan.firstInfiniteRow = i;
      } else if (v > scan.maxAbs || -v > scan.maxAbs) {
        scan.maxAbs = v < 0 ? -v : v;
        scan.maxAbsRow = i;
      }
    }
    return scan;
  }
  if (stats.count === 0) return scan;
  scan.maxAbs = Math.max(-stats.min, stats.max);
  // Only an error names the row of the largest value: found when there will be one.
  if (scan.maxAbs > MAX_ABS_FEATURE)
    scan.maxAbsRow = -stats.min > stats.max ? col.indexOf(stats.min) : col.indexOf(stats.max);
  return scan;
}

/** Numeric columns as float64 arrays in original precision (nulls as NaN), for profiles. */
export function tableColumnsFloat64(table: Table, names: readonly string[]): Float64Array[] {
  return names.map((name) => tableColumnFloat64(table, name, new Float64Array(table.numRows)));
}

/**
 * One numeric column as float64 values (nulls as NaN) written into `out` (at least numRows long),
 * whose first numRows values it returns: for callers that convert piece after piece into one
 * buffer instead of allocating (and first touching) a fresh one each time.
 */
export function tableColumnFloat64(table: Table, name: string, out: Float64Array): Float64Array {
  const vector = table.getChild(name);
  if (!vector) throw new InputError(`column '${name}' is not in the input`);
  let offset = 0;
  for (const chunk of vector.data) {
    convertChunk(
      chunkView(chunk, name),
      out.subarray(offset, offset + chunk.length),
      offset,
      emptyProblems(name),
    );
    offset += chunk.length;
  }
  return out.subarray(0, table.numRows);
}

/**
 * One Arrow chunk of a numeric column as float64 values (nulls as NaN) written into `out` (at
 * least chunk.length long): the conversion tableColumnFloat64 makes, a chunk at a time.
 */
export function chunkToFloat64(chunk: Data, name: string, out: Float64Array): Float64Array {
  const values = out.subarray(0, chunk.length);
  convertChunk(chunkView(chunk, name), values, 0, emptyProblems(name));
  return values;
}

/** Throws the first problem as a one-line input error (no imputation requested). */
export function rejectProblems(
  problems: readonly ColumnProblems[],
  hint: (name: (option: string) => string) => string = (name) =>
    `impute them (${name('impute')}) or drop those rows`,
): void {
  for (const p of problems) {
    if (p.missing > 0) {
      throw new InputError(
        (opt) =>
          `column '${p.column}' has ${p.missing} missing (null or NaN) value${p.missing === 1 ? '' : 's'}, first at row ${p.firstMissingRow}; ${hint(opt)}`,
      );
    }
    if (p.infinite > 0) {
      throw new InputError(
        `column '${p.column}' has ${p.infinite} infinite value${p.infinite === 1 ? '' : 's'}, first at row ${p.firstInfiniteRow}; fix or drop those rows`,
      );
    }
    if (p.overflow > 0) {
      throw new InputError(
        `column '${p.column}' has ${p.overflow} value${p.overflow === 1 ? '' : 's'} beyond float32's range (|v| > 3.4e38), first at row ${p.firstOverflowRow}; rescale the column`,
      );
    }
  }
}

/**
 * The arrays of one chunk of a numeric column, as data/convert-chunk.ts converts them: any Arrow
 * numeric type (integers, 64-bit integers above 2^53 lose precision as doubles do, decimals are
 * scaled, float16 widened) and booleans (0/1); an input error naming the column otherwise.
 */
function chunkView(chunk: Data, name: string): ChunkView {
  const type = chunk.type as DataType;
  const hasNulls = chunk.nullCount > 0 && !!chunk.nullBitmap && chunk.nullBitmap.length > 0;
  const view = {
    values: chunk.values as ChunkView['values'],
    nulls: hasNulls ? chunk.nullBitmap : undefined,
    offset: chunk.offset,
    length: chunk.length,
    stride: 0,
    scale: 1,
  };
  if (DataType.isFloat(type))
    return { ...view, kind: type.precision === Precision.HALF ? 'half' : 'float' };
  if (DataType.isInt(type)) return { ...view, kind: type.bitWidth === 64 ? 'int64' : 'int' };
  if (DataType.isDecimal(type))
    return { ...view, kind: 'decimal', stride: type.bitWidth / 32, scale: 10 ** type.scale };
  if (DataType.isBool(type)) return { ...view, kind: 'bool' };
  throw new InputError(`column '${name}' has type ${String(type)}, not numeric`);
}
