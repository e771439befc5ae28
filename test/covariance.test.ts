import { expect, test } from 'vitest';
import { covarianceMatrix } from '../src/prep/stats.js';

/** The covariance as one loop per pair adds it up: the definition of its bits. */
function pairByPair(data: Float32Array, rows: number, dims: number): Float64Array {
  const mean = covarianceMatrix(data, rows, dims).mean;
  const out = new Float64Array(dims * dims);
  for (let a = 0; a < dims; a++)
    for (let b = a; b < dims; b++) {
      let s = 0;
      for (let i = 0; i < rows; i++)
        s += (data[a * rows + i] - mean[a]) * (data[b * rows + i] - mean[b]);
      out[a * dims + b] = out[b * dims + a] = s / Math.max(1, rows - 1);
    }
  return out;
}

/**
 * covarianceMatrix adds four pairs' products per pass over the rows (independent sums, sooner):
 * each pair's sum in row order, so every entry has the bits of one loop per pair, whatever the
 * number of columns (groups of four and the rest).
 */
test('the covariance matrix four pairs at a time equals pair by pair bit for bit', () => {
  const rows = 1001;
  for (let dims = 1; dims <= 9; dims++) {
    const data = new Float32Array(rows * dims);
    for (let j = 0; j < dims; j++)
      for (let i = 0; i < rows; i++) data[j * rows + i] = Math.sin(i * (j + 1.3)) * 10 ** (j % 4);
    const got = covarianceMatrix(data, rows, dims).matrix;
    const want = pairByPair(data, rows, dims);
    for (let e = 0; e < dims * dims; e++) expect([dims, e, got[e]]).toEqual([dims, e, want[e]]);
  }
});
