import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { afterAll, expect, test } from 'vitest';
import { fit, fitWithHistory, type FitOptions } from '../src/index.js';
import type { GmmModel } from '../src/model/model.js';
import { Rng } from '../src/util/rng.js';

/**
 * --history with a Gaussian mixture: a later period starts EM from the stored weights, means and
 * covariances (issue 13, "GMM: previous weights, means, covariances"), not from the means alone.
 */
const root = mkdtempSync(join(tmpdir(), 'gpuseg-warm-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** 600 customers in three overlapping elongated blobs: EM needs many steps from hard labels. */
function customers() {
  const rng = new Rng(11);
  const gauss = () =>
    Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
  const n = 600;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    const u = gauss();
    const v = gauss();
    x[i] = [0, 2.5, 1][c] + u * [1.5, 0.6, 0.8][c];
    y[i] = [0, 1, 3][c] + u * [0.9, -0.3, 0.1][c] + v * [0.5, 1.2, 0.7][c];
  }
  return tableFromArrays({ id: Int32Array.from({ length: n }, (_, i) => i + 1), x, y });
}

test('a later period of a mixture starts from the stored weights, means and covariances', async () => {
  const table = customers();
  const options: FitOptions = {
    id: 'id',
    k: 3,
    algorithm: 'gmm',
    covariance: 'full',
    seed: 2,
    backend: 'cpu',
    features: ['x', 'y'],
    tol: 1e-6,
    maxIter: 500,
  };
  const history = { dir: join(root, 'store') };
  const first = await fitWithHistory(table, { ...options, asOf: '2024-01-31', history });
  const stored = first.model as GmmModel;
  expect(stored.converged).toBe(true);
  // The same customers a month later: EM starts at the stored optimum and stops at once.
  const second = await fitWithHistory(table, { ...options, asOf: '2024-02-29', history });
  const warm = second.model as GmmModel;
  expect(warm.iterations).toBeLessThanOrEqual(2);
  warm.weights.forEach((w, c) => expect(w).toBeCloseTo(stored.weights[c], 3));
  warm.covariances.forEach((v, i) =>
    expect(Math.abs(v - stored.covariances[i])).toBeLessThan(
      0.01 * Math.abs(stored.covariances[i]) + 1e-3,
    ),
  );
  // Starting from the means alone (what the stored centres give) takes EM many more steps.
  const meansOnly = await fit(table, {
    ...options,
    init: stored.centresInputUnits,
    frozenPreprocessing: stored.preprocessing ?? undefined,
  });
  expect(meansOnly.model.iterations).toBeGreaterThan(warm.iterations + 3);
  // Every survivor keeps its key: the same customers, the same mixture.
  expect(second.history.events.every((e) => e.event === 'survived')).toBe(true);
});
