import { expect, test } from 'vitest';
import { covarianceMatrix } from '../src/prep/stats.js';

/** One pair at a time, rows in order: what covarianceMatrix computed before it took four pairs a loop. */
function pairByPair(data: Float32Array, rows: number, dims: number): Float64Array {
  const mean = new Float64Array(dims);
  for (let j = 0; j < dims; j++) {
    let s = 0;
    for (let i = 0; i < rows; i++) s += data[j * rows + i];
    mean[j] = s / rows;
  }
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
 * Four pairs a loop give the same bits as one pair at a time, for every count of columns left
 * over (1 to 9 features), on values whose sums round differently in another order.
 */
test('the covariance matrix equals the pair-by-pair sums bit for bit', () => {
  const rows = 10_007;
  for (let dims = 1; dims <= 9; dims++) {
    const data = Float32Array.from(
      { length: rows * dims },
      (_v, k) => Math.sin(k * 0.7) * 10 ** ((k % dims) - 2) + (k % 3) * 1e3,
    );
    const { matrix } = covarianceMatrix(data, rows, dims);
    expect([dims, Array.from(matrix)]).toEqual([dims, Array.from(pairByPair(data, rows, dims))]);
  }
});
