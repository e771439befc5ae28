import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { MiniBatchStopping } from '../src/algo/minibatch-stopping.js';
import { runMiniBatchKMeans } from '../src/algo/minibatch.js';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import { openHostBackend } from '../src/backend/select.js';
import { readRow } from '../src/data/matrix.js';
import { Rng } from '../src/util/rng.js';
import { blobs } from './helpers/reference.js';

/**
 * Mini-batch k-means' early stopping is scikit-learn's: test/oracle/minibatch_stopping_sklearn.py
 * replays sequences of steps through MiniBatchKMeans._mini_batch_convergence (1.2.1) and records
 * the step it stops at (test/fixtures/minibatch-stopping-sklearn.json); MiniBatchStopping must stop
 * at the same one. And runMiniBatchKMeans is that rule and scikit-learn's step: a plain
 * reimplementation here (draw, score, move with rate 1 / rows seen, stop) from the same starting
 * centres gives the same centres, bit for bit, after the same number of batches.
 */
interface StoppingCase {
  name: string;
  rows: number;
  batch_size: number;
  tol: number;
  max_no_improvement: number;
  inertias: number[];
  shifts: number[];
  stop: number;
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/minibatch-stopping-sklearn.json', import.meta.url), 'utf8'),
) as { sklearn: string; cases: StoppingCase[] };

describe("mini-batch k-means stops where scikit-learn's MiniBatchKMeans does", () => {
  test.each(fixture.cases)('$name', (c) => {
    const rule = new MiniBatchStopping(c.rows, c.batch_size, c.tol, c.max_no_improvement);
    let stop = 0;
    for (let i = 0; i < c.inertias.length && stop === 0; i++)
      if (rule.shouldStop(c.inertias[i], c.shifts[i])) stop = i + 1;
    expect(stop).toBe(c.stop);
    expect(stop).toBeGreaterThan(1);
  });
});

/** Mini-batch k-means written plainly: the reference the fast loop is checked against. */
function referenceMiniBatch(
  data: Float32Array,
  n: number,
  d: number,
  start: Float32Array,
  s: { k: number; batchSize: number; maxIter: number; maxNoImprovement: number; seed: number },
): { centres: Float64Array; batches: number } {
  const rng = new Rng(s.seed);
  const centres = Float64Array.from(start);
  const seen = new Array<number>(s.k).fill(0);
  const rule = new MiniBatchStopping(n, s.batchSize, 0, s.maxNoImprovement);
  const steps = Math.floor((s.maxIter * n) / s.batchSize);
  for (let step = 1; step <= steps; step++) {
    const batch = Array.from({ length: s.batchSize }, () => rng.nextInt(n));
    const members: number[][] = Array.from({ length: s.k }, () => []);
    let inertia = 0;
    for (const i of batch) {
      const x = Array.from({ length: d }, (_, j) => data[j * n + i]);
      const dist = (c: number) =>
        x.reduce((sum, v, j) => sum + (v - centres[c * d + j]) * (v - centres[c * d + j]), 0);
      let best = 0;
      for (let c = 1; c < s.k; c++) if (dist(c) < dist(best)) best = c;
      inertia += dist(best);
      members[best].push(i);
    }
    let shift = 0;
    members.forEach((rows, c) => {
      if (rows.length === 0) return;
      const total = seen[c] + rows.length;
      for (let j = 0; j < d; j++) {
        const sum = rows.reduce((a, i) => a + data[j * n + i], 0);
        const next = (centres[c * d + j] * seen[c] + sum) / total;
        shift += (next - centres[c * d + j]) ** 2;
        centres[c * d + j] = next;
      }
      seen[c] = total;
    });
    if (rule.shouldStop(inertia, shift)) return { centres, batches: step };
  }
  return { centres, batches: steps };
}

test('runMiniBatchKMeans equals the plain reference: the same batches, centres and stop', async () => {
  const rows = 30_000;
  const { matrix } = blobs(rows, 5, 6, 21, 1.5);
  const k = 6;
  const start = new Float32Array(k * 5);
  for (let c = 0; c < k; c++) start.set(readRow(matrix, c * 997), c * 5);
  const settings = { k, batchSize: 256, maxIter: 100, maxNoImprovement: 10, seed: 5 };
  const backend = new CpuBackend(1);
  try {
    const handle = await backend.attach(matrix);
    const r = await runMiniBatchKMeans(
      backend,
      handle,
      { ...settings, tol: 0, init: start },
      1,
      openHostBackend,
    );
    const expected = referenceMiniBatch(matrix.data, rows, 5, start, settings);
    expect(r.iterations).toBe(expected.batches);
    expect(r.converged).toBe(true);
    expect(r.iterations).toBeLessThan(Math.floor((100 * rows) / 256));
    expect(r.centres).toEqual(Float32Array.from(expected.centres));
    // The labels and inertia come from the full assignment pass on the final centres.
    const a = await backend.assign(handle, r.centres, k);
    expect(r.labels).toEqual(a.labels);
    await backend.detach(handle);
  } finally {
    await backend.dispose();
  }
});
