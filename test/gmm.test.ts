import { join } from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import { fit, InputError, predict, type BackendChoice } from '../src/index.js';
import { readTable } from '../src/io/read-table.js';
import { hasGpu } from './helpers/backends.js';
import { errors, gpuseg, tempDir } from './helpers/cli.js';
import { blobs } from './helpers/reference.js';

const SPEND = 'Fresh,Milk,Grocery,Frozen,Detergents_Paper,Delicassen';
const backends: BackendChoice[] = hasGpu ? ['cpu', 'gpu'] : ['cpu'];

describe('gpuseg fit --algorithm gmm', () => {
  test('JSON has log_likelihood, bic, aic, converged; outputs probability and p_0 … p_{k-1}', async () => {
    const dir = tempDir();
    const r = gpuseg([
      'fit',
      'datasets/wholesale-customers.arrow',
      '--k',
      '3',
      '--algorithm',
      'gmm',
      '--covariance',
      'diag',
      '--features',
      SPEND,
      '--log',
      SPEND,
      '--backend',
      'cpu',
      '--json',
      '--probabilities',
      '--output',
      join(dir, 'g.arrow'),
      '--model',
      join(dir, 'g.json'),
    ]);
    expect(errors(r)).toBe('');
    const s = JSON.parse(r.stdout);
    expect(s.algorithm).toBe('gmm');
    for (const key of ['log_likelihood', 'bic', 'aic']) expect(Number.isFinite(s[key])).toBe(true);
    expect(s.converged).toBe(true);
    expect(s.bic).toBeGreaterThan(s.aic);
    const out = await readTable(join(dir, 'g.arrow'));
    expect(out.schema.fields.map((f) => f.name)).toEqual([
      'CustomerID',
      'segment_id',
      'probability',
      'p_0',
      'p_1',
      'p_2',
    ]);
    for (let i = 0; i < out.numRows; i += 37) {
      const p = [0, 1, 2].map((c) => out.getChild(`p_${c}`)!.get(i) as number);
      expect(p.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
      expect(out.getChild('probability')!.get(i)).toBeCloseTo(
        p[out.getChild('segment_id')!.get(i) as number],
        6,
      );
    }
    const again = gpuseg([
      'predict',
      'datasets/wholesale-customers.arrow',
      '--model',
      join(dir, 'g.json'),
      '--probabilities',
      '--output',
      join(dir, 'p.arrow'),
      '--backend',
      'cpu',
    ]);
    expect(again.status).toBe(0);
    const predicted = await readTable(join(dir, 'p.arrow'));
    expect(Array.from(predicted.getChild('segment_id')!.toArray() as Int32Array)).toEqual(
      Array.from(out.getChild('segment_id')!.toArray() as Int32Array),
    );
  });

  test('select --algorithm gmm adds BIC and recommends the lowest', () => {
    const r = gpuseg([
      'select',
      'datasets/wholesale-customers.arrow',
      '--k',
      '2..4',
      '--algorithm',
      'gmm',
      '--covariance',
      'spherical',
      '--features',
      SPEND,
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(r.status).toBe(0);
    const sel = JSON.parse(r.stdout);
    const lowest = sel.rows.reduce((a: { bic: number }, b: { bic: number }) =>
      b.bic < a.bic ? b : a,
    );
    expect(sel.best.bic).toBe(lowest.k);
    expect(sel.recommended).toBe(lowest.k);
  });
});

test.skipIf(!hasGpu)('GPU and CPU agree on a mixture fit', async () => {
  const { matrix } = blobs(6000, 4, 4, 3, 1);
  const columns: Record<string, Float32Array> = {};
  for (let j = 0; j < 4; j++) columns[`f${j}`] = matrix.data.slice(j * 6000, (j + 1) * 6000);
  const table = tableFromArrays(columns);
  for (const covariance of ['full', 'diag'] as const) {
    const cpu = await fit(table, { k: 4, algorithm: 'gmm', covariance, backend: 'cpu' });
    const gpu = await fit(table, { k: 4, algorithm: 'gmm', covariance, backend: 'gpu' });
    expect(Math.abs(cpu.stats.logLikelihood! - gpu.stats.logLikelihood!)).toBeLessThan(1e-4);
    expect(Array.from(gpu.labels)).toEqual(Array.from(cpu.labels));
  }
});

describe.each(backends)('degenerate mixtures on %s: a defined behaviour each', (backend) => {
  const table = (cols: Record<string, number[]>) =>
    tableFromArrays(
      Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, Float64Array.from(v)])),
    );
  const base = blobs(600, 2, 2, 4, 0.5);
  const x = Array.from(base.matrix.data.subarray(0, 600));
  const y = Array.from(base.matrix.data.subarray(600, 1200));

  test('a component that loses all its rows keeps a weight near 0, no NaN', async () => {
    const notices: string[] = [];
    const r = await fit(table({ x, y }), {
      k: 3,
      algorithm: 'gmm',
      covariance: 'diag',
      scale: 'none',
      init: [
        [x[0], y[0]],
        [x[1], y[1]],
        [1e4, 1e4],
      ],
      backend,
      onNotice: (m) => notices.push(m),
    });
    const weights = (r.model as { weights: number[] }).weights;
    expect(Math.min(...weights)).toBeLessThan(1e-6);
    expect(weights.every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(r.stats.logLikelihood!)).toBe(true);
    expect(r.stats.emptyComponents).toBe(1);
    expect(notices.some((n) => /lost all their rows/.test(n))).toBe(true);
    expect(r.stats.notices.some((n) => /lost all their rows/.test(n))).toBe(true); // the result keeps it too
  });

  test('duplicate rows and a constant feature fit with finite parameters', async () => {
    const r = await fit(
      table({
        x: [...x, ...x.slice(0, 300)],
        y: [...y, ...y.slice(0, 300)],
        c: new Array(900).fill(7),
      }),
      { k: 2, algorithm: 'gmm', covariance: 'full', backend },
    );
    expect(Number.isFinite(r.stats.logLikelihood!)).toBe(true);
    expect((r.model as { covariances: number[] }).covariances.every(Number.isFinite)).toBe(true);
  });

  test('k larger than the distinct rows: components share points, reg_covar keeps them valid', async () => {
    const r = await fit(table({ a: [1, 1, 1, 5, 5, 9, 9, 9], b: [0, 0, 0, 2, 2, 4, 4, 4] }), {
      k: 5,
      algorithm: 'gmm',
      covariance: 'diag',
      scale: 'none',
      backend,
    });
    expect(Number.isFinite(r.stats.logLikelihood!)).toBe(true);
    expect(new Set(r.labels).size).toBeLessThanOrEqual(3);
  });

  test('a covariance still singular after reg_covar is a clear error', async () => {
    const err = fit(table({ a: [1, 1, 1, 5, 5, 5], b: [2, 2, 2, 3, 3, 3] }), {
      k: 2,
      algorithm: 'gmm',
      covariance: 'full',
      regCovar: 0,
      scale: 'none',
      backend,
    });
    await expect(err).rejects.toThrow(InputError);
    await expect(err).rejects.toThrow(
      /not positive definite even with reg_covar=0 .*try fewer components \(k\), a larger regCovar/,
    );
  });
});

test('predict with a GMM model from the API gives the fitted labels', async () => {
  const { matrix } = blobs(1000, 3, 3, 8, 0.7);
  const cols: Record<string, Float32Array> = {};
  for (let j = 0; j < 3; j++) cols[`f${j}`] = matrix.data.slice(j * 1000, (j + 1) * 1000);
  const t = tableFromArrays(cols);
  const r = await fit(t, { k: 3, algorithm: 'gmm', covariance: 'tied', backend: 'cpu' });
  const p = await predict(t, r.model, { backend: 'cpu', probabilities: true });
  expect(Array.from(p.labels)).toEqual(Array.from(r.labels));
  expect(p.probabilities!.length).toBe(3000);
});
