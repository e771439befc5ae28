import type { DataMatrix } from '../../src/data/matrix.js';
import { Rng } from '../../src/util/rng.js';
import { allocateMatrix } from '../../src/data/matrix.js';

/** Float64 reference implementations of the backend passes, written as plainly as possible. */
export function refDistances(m: DataMatrix, centres: Float32Array, k: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let i = 0; i < m.rows; i++) {
    const row = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < m.dims; j++) {
        const t = m.data[j * m.rows + i] - centres[c * m.dims + j];
        s += t * t;
      }
      row[c] = s;
    }
    out.push(row);
  }
  return out;
}

export function refLloyd(m: DataMatrix, centres: Float32Array, k: number) {
  const dist = refDistances(m, centres, k);
  const labels = new Int32Array(m.rows);
  const sq = new Float64Array(m.rows);
  const sums = new Float64Array(k * m.dims);
  const counts = new Float64Array(k);
  let inertia = 0;
  /** Rows whose best and second-best distances are within float32 noise: labels may differ there. */
  const ties = new Set<number>();
  for (let i = 0; i < m.rows; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (dist[i][c] < dist[i][best]) best = c;
    for (let c = 0; c < k; c++)
      if (c !== best && Math.abs(dist[i][c] - dist[i][best]) <= 1e-5 * (1 + dist[i][best]))
        ties.add(i);
    labels[i] = best;
    sq[i] = dist[i][best];
    inertia += dist[i][best];
    counts[best]++;
    for (let j = 0; j < m.dims; j++) sums[best * m.dims + j] += m.data[j * m.rows + i];
  }
  return { labels, sq, sums, counts, inertia, ties };
}

/** Gaussian blobs: `k` centres in [-10, 10]^d, unit spread, float32, column-major. */
export function blobs(
  rows: number,
  dims: number,
  k: number,
  seed: number,
  spread = 1,
): { matrix: DataMatrix; truth: Int32Array; centres: Float32Array } {
  const rng = new Rng(seed);
  const centres = new Float32Array(k * dims);
  for (let i = 0; i < centres.length; i++) centres[i] = rng.nextDouble() * 20 - 10;
  const matrix = allocateMatrix(
    rows,
    Array.from({ length: dims }, (_, j) => `f${j}`),
  );
  const truth = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const c = rng.nextInt(k);
    truth[i] = c;
    for (let j = 0; j < dims; j++)
      matrix.data[j * rows + i] = centres[c * dims + j] + spread * gaussian(rng);
  }
  return { matrix, truth, centres };
}

export function gaussian(rng: Rng): number {
  const u = Math.max(rng.nextDouble(), 1e-300);
  const v = rng.nextDouble();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function relativeError(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);
}
