import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays, tableFromIPC } from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import { dbscanScorer } from '../src/api/predict-dbscan.js';
import { allocateMatrix } from '../src/data/matrix.js';
import type { DbscanModel } from '../src/model/dbscan-model.js';
import { fit, parseModel, predict, UsageError } from '../src/index.js';
import { sklearnDbscanCases, type SklearnDbscanCase } from './helpers/dbscan-reference.js';
import { errors, filesIn, gpuseg, tempDir } from './helpers/cli.js';

/**
 * DBSCAN through the API and the CLI: scikit-learn's labels from fit (raw units), noise as
 * segment −1 "Unusual" with a null distance and a profile of its own, a model that survives its
 * own check, predict by the nearest core row, and bad parameters refused with one line.
 */
const blobs = sklearnDbscanCases[0];

function fixtureTable(c: SklearnDbscanCase) {
  const column = (f: number) =>
    Float32Array.from({ length: c.rows }, (_, i) => c.data[i * c.dims + f]);
  return tableFromArrays({
    customer_id: Int32Array.from({ length: c.rows }, (_, i) => 500 + i),
    x: column(0),
    y: column(1),
  });
}

describe('fit and predict with algorithm dbscan', () => {
  test('scikit-learn’s labels, noise as −1 "Unusual" with null distances', async () => {
    const table = fixtureTable(blobs);
    const r = await fit(table, {
      algorithm: 'dbscan',
      eps: blobs.eps,
      minSamples: blobs.min_samples,
      scale: 'none',
      backend: 'cpu',
    });
    expect(Array.from(r.labels)).toEqual(blobs.labels);
    const noise = blobs.labels.filter((l) => l < 0).length;
    expect(noise).toBeGreaterThan(0);
    expect(r.stats.dbscan).toEqual({
      eps: blobs.eps,
      minSamples: blobs.min_samples,
      noise,
      corePoints: blobs.core.length,
    });
    expect(r.model.k).toBe(3);
    expect(r.sizes.reduce((a, b) => a + b, 0)).toBe(blobs.rows - noise);
    const a = r.assignments;
    expect(a.schema.fields.map((f) => f.name)).toEqual([
      'customer_id',
      'segment_id',
      'segment_name',
      'distance',
    ]);
    for (let i = 0; i < blobs.rows; i++) {
      const isNoise = blobs.labels[i] < 0;
      expect(a.getChild('segment_id')!.get(i)).toBe(blobs.labels[i]);
      expect(a.getChild('segment_name')!.get(i)).toBe(
        isNoise ? 'Unusual' : `Segment ${blobs.labels[i]}`,
      );
      const d = a.getChild('distance')!.get(i) as number | null;
      if (isNoise) expect(d).toBeNull();
      else expect(d).toBeGreaterThanOrEqual(0);
    }
    const unusual = r.profiles.segments.find((s) => s.segment === -1)!;
    expect(unusual.name).toBe('Unusual');
    expect(unusual.size).toBe(noise);
    expect(r.profiles.segments).toHaveLength(4);

    // The model as a file: checked, then predict gives core rows their cluster and noise −1.
    const model = parseModel(JSON.stringify(r.model));
    expect(model.algorithm).toBe('dbscan');
    const p = await predict(table, model);
    const core = new Set(blobs.core);
    for (let i = 0; i < blobs.rows; i++) {
      if (core.has(i) || blobs.labels[i] < 0) expect(p.labels[i]).toBe(blobs.labels[i]);
      else expect(p.labels[i]).toBeGreaterThanOrEqual(0); // a border row: a core neighbour's cluster
    }
    expect(Array.from(p.distances!.filter((_, i) => core.has(i)))).toEqual(
      Array.from(r.distances!.filter((_, i) => core.has(i))),
    );
  });

  test('predict: a row exactly eps from a core row joins it; equal nearest cores go to the first', () => {
    // Core rows listed out of their sorted order, so "first" means the model's order, not the
    // sorted one; the distances are exact in float32 and float64.
    const model = {
      eps: 1,
      corePoints: [
        [2, 0],
        [0, 0],
        [1, 5],
      ],
      coreLabels: [1, 0, 1],
      centres: [
        [0, 0],
        [1.5, 2.5],
      ],
    } as unknown as DbscanModel;
    const queries = [
      [1, 0], // 1 from cores 0 and 1: core 0's cluster
      [0, 1], // exactly eps from core 1
      [3, 0.5], // 1.25 from core 0: noise
      [2.5, 0], // 0.25 from core 0
      [1, 4], // exactly eps from core 2
    ];
    const m = allocateMatrix(queries.length, ['x', 'y']);
    queries.forEach(([x, y], i) => {
      m.data[i] = x;
      m.data[queries.length + i] = y;
    });
    const { labels, distances } = dbscanScorer(model, ['x', 'y'])(m);
    expect(Array.from(labels)).toEqual([1, 0, -1, 1, 1]);
    expect(distances[1]).toBe(1);
    expect(Number.isNaN(distances[2])).toBe(true);
  });

  test('bad eps and min-samples are usage errors naming the option', async () => {
    const table = fixtureTable(blobs);
    await expect(fit(table, { algorithm: 'dbscan', eps: 0, backend: 'cpu' })).rejects.toThrow(
      UsageError,
    );
    await expect(fit(table, { algorithm: 'dbscan', eps: -1, backend: 'cpu' })).rejects.toThrow(
      /^eps: expected 'auto' or a number > 0, got '-1'$/,
    );
    await expect(
      fit(table, { algorithm: 'dbscan', minSamples: 0, backend: 'cpu' }),
    ).rejects.toThrow(/^minSamples: expected an integer ≥ 1, got '0'/);
    await expect(
      fit(table, { algorithm: 'dbscan', eps: 1e-6, minSamples: 50, backend: 'cpu', scale: 'none' }),
    ).rejects.toThrow(/every row is noise.*raise eps or lower minSamples/);
  });
});

describe('gpuseg fit --algorithm dbscan', () => {
  test('eps auto on the wholesale customers: outputs, model, predict', () => {
    const dir = tempDir();
    const out = join(dir, 'out.arrow');
    const model = join(dir, 'model.json');
    const r = gpuseg([
      'fit',
      'datasets/wholesale-customers.arrow',
      '--features',
      'Fresh,Milk,Grocery,Frozen,Detergents_Paper,Delicassen',
      '--algorithm',
      'dbscan',
      '--eps',
      'auto',
      '--min-samples',
      '8',
      '--backend',
      'cpu',
      '--output',
      out,
      '--model',
      model,
      '--json',
    ]);
    expect(errors(r)).toBe('');
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout) as { algorithm: string; eps: number; noise: number };
    expect(summary.algorithm).toBe('dbscan');
    expect(summary.eps).toBeGreaterThan(0);
    const table = tableFromIPC(readFileSync(out));
    const ids = table.getChild('segment_id')!.toArray() as Int32Array;
    expect(ids.filter((l) => l < 0).length).toBe(summary.noise);
    const p = gpuseg([
      'predict',
      'datasets/wholesale-customers.arrow',
      '--model',
      model,
      '--output',
      join(dir, 'scored.arrow'),
    ]);
    expect(errors(p)).toBe('');
    expect(p.status).toBe(0);
  });

  test('--eps 0 is one line, exit 2, nothing written', () => {
    const dir = tempDir();
    const r = gpuseg([
      'fit',
      'datasets/wholesale-customers.arrow',
      '--algorithm',
      'dbscan',
      '--eps',
      '0',
      '--output',
      join(dir, 'out.csv'),
    ]);
    expect(r.status).toBe(2);
    expect(errors(r)).toBe("gpuseg: error: --eps: expected 'auto' or a number > 0, got '0'");
    expect(filesIn(dir)).toEqual([]);
  });
});
