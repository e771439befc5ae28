import { shareColumns } from './column-share.js';
import {
  CHUNK_FIELDS,
  encodeChunk,
  PROBLEM_FIELDS,
  problemsFromNumbers,
  type ChunkView,
  type ColumnProblems,
  type ConvertWork,
} from './convert-chunk.js';
import type { DataMatrix } from './matrix.js';

/**
 * Feature columns of other types than plain float32 (float64, integers, columns with nulls)
 * converted into the matrix by two threads at once, a column at a time: this one and the column
 * helper (data/column-share.ts), both running data/convert-chunk.ts's conversion. That needs the
 * columns' arrays and the matrix in shared memory — a table read from a file (io/shared-read.ts)
 * and a matrix allocated here are; a caller's table of ordinary buffers is converted on this
 * thread alone. Measured on the 2-core machine, 10M × 16 float64: see README's host-work section.
 */

/** A feature column to convert: its place j among the features, and its chunks' arrays. */
export interface PendingColumn {
  j: number;
  views: ChunkView[];
}

/**
 * Converts into `matrix` those of `columns` whose arrays lie in one SharedArrayBuffer, shared
 * with the helper; returns their problems by feature index (the others, absent, are the
 * caller's), or undefined where nothing was done (no helper, small work, nothing shared).
 */
export function convertShared(
  columns: readonly PendingColumn[],
  matrix: DataMatrix,
  names: readonly string[],
): Map<number, ColumnProblems> | undefined {
  const to = matrix.data.buffer;
  const from = columns[0]?.views[0]?.values.buffer;
  if (!(to instanceof SharedArrayBuffer) || !(from instanceof SharedArrayBuffer)) return undefined;
  const parts: { j: number; column: ConvertWork['columns'][number] }[] = [];
  for (const { j, views } of columns) {
    const chunks = new Float64Array(CHUNK_FIELDS * views.length);
    const encoded = views.every((view, c) => encodeChunk(view, from, chunks, c * CHUNK_FIELDS));
    const at = matrix.data.byteOffset + j * matrix.rows * 4;
    if (encoded) parts.push({ j, column: { at, rows: matrix.rows, chunks } });
  }
  const results = new SharedArrayBuffer(8 * PROBLEM_FIELDS * Math.max(1, parts.length));
  const work: ConvertWork = {
    kind: 'convert',
    from,
    to,
    columns: parts.map((p) => p.column),
    results,
  };
  if (shareColumns(work, parts.length * matrix.rows, undefined) === undefined) return undefined;
  const numbers = new Float64Array(results);
  return new Map(
    parts.map(({ j }, c) => [j, problemsFromNumbers(names[j], numbers, c * PROBLEM_FIELDS)]),
  );
}
