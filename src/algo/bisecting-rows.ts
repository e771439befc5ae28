import type { DataMatrix } from '../data/matrix.js';

/**
 * The row work of bisecting k-means (bisecting.ts), as plain functions over typed arrays: V8
 * optimises them once, on the first fit, where the same loops inlined in the async driver were
 * recompiled and deoptimised fit after fit (at 1M rows they took most of the host's time). They
 * assume valid input.
 */

/** 0, 1, …, n − 1: the rows of the root. */
export function allRows(n: number): Int32Array {
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}

/**
 * A bisected cluster's rows cut by the 2-means labels (0: left, 1: right), each half in the
 * parent's order; writes each row's squared distance to its half's centre into `sqDistances`
 * (indexed by row of the whole data) and returns the halves' SSE (float64 sums in row order).
 */
export function splitRows(
  rows: Int32Array,
  labels: Int32Array,
  sqd: Float32Array,
  sqDistances: Float32Array,
): { halves: [Int32Array, Int32Array]; sse: [number, number] } {
  let right = 0;
  for (let i = 0; i < labels.length; i++) right += labels[i];
  const left = new Int32Array(rows.length - right);
  const rightRows = new Int32Array(right);
  let l = 0;
  let r = 0;
  let sseLeft = 0;
  let sseRight = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const v = sqd[i];
    sqDistances[row] = v;
    if (labels[i] === 0) {
      left[l++] = row;
      sseLeft += v;
    } else {
      rightRows[r++] = row;
      sseRight += v;
    }
  }
  return { halves: [left, rightRows], sse: [sseLeft, sseRight] };
}

/** The mean of every row, per feature, in float64, rounded to float32 (the root's centre). */
export function columnMeans(matrix: DataMatrix): number[] {
  const { data, rows } = matrix;
  const out: number[] = [];
  for (let j = 0; j < matrix.dims; j++) {
    let s = 0;
    for (let i = j * rows; i < (j + 1) * rows; i++) s += data[i];
    out.push(Math.fround(s / rows));
  }
  return out;
}

/** Σ over rows of ‖x − centre‖², in float64 (the root's SSE). */
export function sumOfSquares(matrix: DataMatrix, centre: readonly number[]): number {
  const { data, rows } = matrix;
  let s = 0;
  for (let j = 0; j < matrix.dims; j++) {
    const c = centre[j];
    for (let i = j * rows; i < (j + 1) * rows; i++) {
      const t = data[i] - c;
      s += t * t;
    }
  }
  return s;
}

/** labels[r] = value for every r of `rows` (a leaf's segment onto its rows). */
export function fillRows(labels: Int32Array, rows: Int32Array, value: number): void {
  for (let i = 0; i < rows.length; i++) labels[rows[i]] = value;
}
