import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { featureMatrix } from '../src/api/input.js';
import { matrixFromRows } from '../src/data/matrix.js';
import { readTable } from '../src/io/read-table.js';
import {
  applyPreprocessing,
  centresToInputUnits,
  fitPreprocessing,
  rowsFromInputUnits,
  type ScaleKind,
} from '../src/prep/preprocess.js';
import { covarianceMatrix } from '../src/prep/stats.js';

interface PrepFixture {
  features: string[];
  rows: number[];
  standard: number[][];
  minmax: number[][];
  robust: number[][];
  pca: { explained_variance_ratio: number[]; components: number[][]; rows: number[][] };
}
const fixture = JSON.parse(readFileSync('test/fixtures/prep-sklearn.json', 'utf8')) as PrepFixture;
const table = await readTable('datasets/CC_GENERAL.arrow');

function prepared(scale: ScaleKind, pca?: number) {
  const { matrix } = featureMatrix(table, { id: 'CUST_ID' }, { allowMissing: true });
  return fitPreprocessing(matrix, {
    impute: 'median',
    log: ['BALANCE', 'PURCHASES'],
    clip: 'iqr',
    scale,
    pca,
  });
}

function row(m: { data: Float32Array; rows: number; dims: number }, i: number): number[] {
  return Array.from({ length: m.dims }, (_, j) => m.data[j * m.rows + i]);
}

describe('preprocessing agrees with scikit-learn on CC_GENERAL (test/oracle/prep_sklearn.py)', () => {
  test.each(['standard', 'minmax', 'robust'] as const)(
    'impute median → log → IQR clip → %s scaler',
    (scale) => {
      const { matrix, report } = prepared(scale);
      expect(report.imputed.map((r) => [r.column, r.count])).toEqual([
        ['CREDIT_LIMIT', 1],
        ['MINIMUM_PAYMENTS', 313],
      ]);
      fixture.rows.forEach((i, r) => {
        const got = row(matrix, i);
        fixture[scale][r].forEach((want, j) =>
          expect(Math.abs(got[j] - want)).toBeLessThan(2e-5 * Math.max(1, Math.abs(want))),
        );
      });
    },
  );

  test('PCA keeping 80% of the variance: same components (up to sign), ratios and projections', () => {
    const { prep, matrix } = prepared('standard', 0.8);
    const pca = prep.pca!;
    expect(pca.components.length).toBe(fixture.pca.components.length);
    pca.explainedVarianceRatio.forEach((v, c) =>
      expect(Math.abs(v - fixture.pca.explained_variance_ratio[c])).toBeLessThan(1e-5),
    );
    pca.components.forEach((comp, c) => {
      const dot = comp.reduce((s, v, j) => s + v * fixture.pca.components[c][j], 0);
      expect(Math.abs(Math.abs(dot) - 1)).toBeLessThan(1e-4);
      const sign = Math.sign(dot);
      fixture.rows.forEach((i, r) =>
        expect(Math.abs(row(matrix, i)[c] - sign * fixture.pca.rows[r][c])).toBeLessThan(1e-3),
      );
    });
    expect(prep.outputs).toEqual(pca.components.map((_c, p) => `pc${p + 1}`));
  });
});

describe('preprocessing steps on hand-checked values', () => {
  test('apply on new rows repeats the fitted steps; centres map back to input units', () => {
    const train = matrixFromRows(
      [
        [0, 10],
        [2, 30],
        [4, 20],
        [6, Number.NaN],
      ],
      ['a', 'b'],
    );
    const { prep, matrix } = fitPreprocessing(train, { impute: 'mean', scale: 'standard' });
    // b's mean is 20: the NaN becomes 20; a: mean 3, std √5; b: mean 20, std √50 / 2.
    expect(prep.impute!.values).toEqual([3, 20]);
    expect(row(matrix, 3)[1]).toBeCloseTo(0, 6);
    expect(row(matrix, 0)[0]).toBeCloseTo(-3 / Math.sqrt(5), 6);
    const fresh = matrixFromRows([[3, Number.NaN]], ['a', 'b']);
    expect(row(applyPreprocessing(prep, fresh), 0)).toEqual([0, 0]);
    const centres = rowsFromInputUnits(prep, Float32Array.from([3, 20, 5, 25]), 2);
    const back = centresToInputUnits(prep, centres, 2);
    expect(back[1][0]).toBeCloseTo(5, 5);
    expect(back[1][1]).toBeCloseTo(25, 4);
  });

  test('signed log keeps net-negative values usable and inverts', () => {
    const m = matrixFromRows([[-9], [0], [99]], ['monetary']);
    const { prep, matrix } = fitPreprocessing(m, { log: ['monetary'], scale: 'none' });
    expect(row(matrix, 0)[0]).toBeCloseTo(-Math.log(10), 6);
    expect(row(matrix, 2)[0]).toBeCloseTo(Math.log(100), 6);
    expect(centresToInputUnits(prep, Float32Array.from([Math.log(100)]), 1)[0][0]).toBeCloseTo(
      99,
      3,
    );
  });

  test('near-duplicate features are reported', () => {
    const m = matrixFromRows(
      [
        [1, 2.1, 5],
        [2, 4.0, 1],
        [3, 6.2, 4],
        [4, 7.9, 2],
      ],
      ['spend', 'spend_eur', 'visits'],
    );
    const { report } = fitPreprocessing(m, {});
    expect(report.correlated.map((c) => [c.a, c.b])).toEqual([['spend', 'spend_eur']]);
  });

  test('a constant feature scales by 1, never to NaN', () => {
    for (const scale of ['standard', 'minmax', 'robust'] as const) {
      const { matrix } = fitPreprocessing(
        matrixFromRows(
          [
            [1, 7],
            [2, 7],
            [3, 7],
          ],
          ['a', 'c'],
        ),
        { scale },
      );
      expect(row(matrix, 0).every(Number.isFinite)).toBe(true);
    }
  });
});

describe('covarianceMatrix', () => {
  /** Pair by pair, one sum each in row order (the definition the blocked loops must match). */
  function pairwise(data: Float32Array, rows: number, dims: number): Float64Array {
    const out = new Float64Array(dims * dims);
    const mean = Array.from({ length: dims }, (_v, j) => {
      let s = 0;
      for (let i = 0; i < rows; i++) s += data[j * rows + i];
      return s / rows;
    });
    for (let a = 0; a < dims; a++)
      for (let b = a; b < dims; b++) {
        let s = 0;
        for (let i = 0; i < rows; i++)
          s += (data[a * rows + i] - mean[a]) * (data[b * rows + i] - mean[b]);
        out[a * dims + b] = out[b * dims + a] = s / (rows - 1);
      }
    return out;
  }

  test.each([1, 3, 4, 5, 8, 9, 11])(
    '%i features: bit for bit the pair-by-pair sums (four columns at a time and the rest)',
    (dims) => {
      const rows = 1037;
      const data = Float32Array.from(
        { length: rows * dims },
        (_v, t) => Math.sin(t * 0.37) * (1 + (t % 7)) + Math.floor(t / rows) * 3,
      );
      expect(Array.from(covarianceMatrix(data, rows, dims).matrix)).toEqual(
        Array.from(pairwise(data, rows, dims)),
      );
    },
  );
});
