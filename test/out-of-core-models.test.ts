import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableToIPC } from 'apache-arrow';
import { beforeAll, describe, expect, test } from 'vitest';
import { fit } from '../src/api/fit.js';
import { predictOutOfCore } from '../src/api/predict-out-of-core.js';
import { predict } from '../src/api/predict.js';
import { splitSegment } from '../src/api/split.js';
import { saveModel } from '../src/model/model.js';
import { readTable } from '../src/io/read-table.js';
import type { SegmentModel } from '../src/model/model.js';
import { writeCustomers } from '../src/synth/customers.js';
import { errors, gpuseg, tempDir } from './helpers/cli.js';

/**
 * predict out of core for the models of issue 18: chunk by chunk, the same output as predict in
 * memory — the segments of bisecting, Ward and BIRCH models, and the child level of a split
 * segment (sub_segment_id, sub_segment_name); a DBSCAN model's noise rows and null distances.
 */
const ROWS = 6000;
const dir = tempDir();
const arrows = join(dir, 'customers.arrows');
const FEATURES = ['recency_days', 'frequency', 'monetary'];

beforeAll(async () => {
  await writeCustomers(arrows, ROWS, 5, 1000);
});

/** predictOutOfCore's file equals predict's assignments, column by column. */
async function expectSameAsInMemory(model: SegmentModel, name: string): Promise<string[]> {
  const whole = await predict(arrows, model, { backend: 'cpu' });
  const out = join(dir, `${name}.arrows`);
  const r = await predictOutOfCore(arrows, model, { backend: 'cpu', chunkRows: 700, output: out });
  expect(r.chunks).toBeGreaterThan(1);
  const written = await readTable(out);
  const columns = written.schema.fields.map((f) => f.name);
  expect(columns).toEqual(whole.assignments.schema.fields.map((f) => f.name));
  for (const c of columns) {
    const got = Array.from(written.getChild(c)!.toArray() as ArrayLike<unknown>);
    const want = Array.from(whole.assignments.getChild(c)!.toArray() as ArrayLike<unknown>);
    if (c !== 'distance') expect(got, `${name} ${c}`).toEqual(want);
    // Distances: the same up to float32 rounding (a chunk's kernel may sum in another order).
    else
      got.forEach((v, i) =>
        expect(Math.abs((v as number) - (want[i] as number)), `${name} row ${i}`).toBeLessThan(
          1e-5 * Math.max(1, want[i] as number),
        ),
      );
  }
  return columns;
}

describe('predict out of core of the hierarchical and density models', () => {
  test('a model with a split segment writes sub_segment_id and sub_segment_name as predict does', async () => {
    const parent = await fit(arrows, { k: 3, seed: 4, backend: 'cpu', features: FEATURES });
    const split = await splitSegment(arrows, parent.model, {
      segment: parent.model.segmentNames![1],
      k: 2,
      backend: 'cpu',
    });
    const columns = await expectSameAsInMemory(split.model, 'split');
    expect(columns).toEqual(expect.arrayContaining(['sub_segment_id', 'sub_segment_name']));
    const written = await readTable(join(dir, 'split.arrows'));
    const column = written.getChild('sub_segment_id')!;
    const ids = Array.from({ length: ROWS }, (_, i) => column.get(i) as number | null);
    const segments = written.getChild('segment_id')!.toArray() as Int32Array;
    // Filled exactly inside the split segment, both sub-segments used.
    for (let i = 0; i < ROWS; i++) expect(ids[i] === null).toBe(segments[i] !== 1);
    expect(new Set(ids.filter((v) => v !== null))).toEqual(new Set([0, 1]));
  });

  test('bisecting, two-step Ward and BIRCH models score chunk by chunk as in memory', async () => {
    const models: [string, Record<string, unknown>][] = [
      ['bisecting', { algorithm: 'bisecting', k: 4, seed: 2 }],
      ['ward', { algorithm: 'ward', k: 4, wardMethod: 'two-step', microClusters: 40, seed: 2 }],
      ['birch', { algorithm: 'birch', k: 4, threshold: 0.5 }],
    ];
    for (const [name, options] of models) {
      const fitted = await fit(arrows, { ...options, backend: 'cpu', features: FEATURES });
      expect(fitted.model.algorithm).toBe(name);
      await expectSameAsInMemory(fitted.model, name);
    }
  });

  test('a DBSCAN model scores chunk by chunk as predict in memory: noise, null distances, row numbers', async () => {
    // Without an id column the rows are numbered over the whole file, across chunks.
    const table = await readTable(arrows);
    const bare = join(dir, 'bare.arrows');
    writeFileSync(bare, tableToIPC(table.select(FEATURES), 'stream'));
    for (const [file, name] of [
      [arrows, 'dbscan-id'],
      [bare, 'dbscan-row'],
    ] as const) {
      const fitted = await fit(file, {
        algorithm: 'dbscan',
        eps: 0.3,
        minSamples: 5,
        backend: 'cpu',
        features: FEATURES,
      });
      expect(fitted.model.algorithm).toBe('dbscan');
      const whole = await predict(file, fitted.model, { backend: 'cpu' });
      const out = join(dir, `${name}.arrows`);
      const r = await predictOutOfCore(file, fitted.model, {
        backend: 'cpu',
        chunkRows: 700,
        output: out,
      });
      // On the host, or on the backend asked for where the chunks take the backend path.
      expect(r).toMatchObject({ rows: ROWS, backend: 'cpu' });
      expect(r.chunks).toBeGreaterThan(5);
      const noise = whole.labels.filter((l) => l < 0).length;
      expect(noise).toBeGreaterThan(0);
      expect(noise).toBeLessThan(ROWS);
      expect(r.noise).toBe(noise);
      const sizes = new Array<number>(fitted.model.k).fill(0);
      for (const l of whole.labels) if (l >= 0) sizes[l]++;
      expect(r.sizes).toEqual(sizes);
      const written = await readTable(out);
      const columns = written.schema.fields.map((f) => f.name);
      expect(columns).toEqual(whole.assignments.schema.fields.map((f) => f.name));
      expect(columns[0]).toBe(file === bare ? 'row' : 'customer_id');
      // Every cell, nulls included (a noise row's distance), exactly.
      for (const c of columns) {
        const got = written.getChild(c)!;
        const want = whole.assignments.getChild(c)!;
        let differ = 0;
        for (let i = 0; i < ROWS; i++) if (!Object.is(got.get(i), want.get(i))) differ++;
        expect(differ, `${name} ${c}`).toBe(0);
      }
      // The CLI: predict --out-of-core with the saved model writes the same file.
      const model = join(dir, `${name}.json`);
      saveModel(model, fitted.model);
      const cli = join(dir, `${name}-cli.arrows`);
      const run = gpuseg([
        'predict',
        file,
        '--model',
        model,
        '--out-of-core',
        '--chunk-rows',
        '1500',
        '--output',
        cli,
        '--backend',
        'cpu',
        '--json',
      ]);
      expect(errors(run)).toBe('');
      expect(JSON.parse(run.stdout)).toMatchObject({ rows: ROWS, backend: 'cpu' });
      const again = await readTable(cli);
      for (const c of columns)
        expect(
          Array.from(again.getChild(c)!.toArray() as ArrayLike<unknown>),
          `${name} CLI ${c}`,
        ).toEqual(Array.from(written.getChild(c)!.toArray() as ArrayLike<unknown>));
    }
  });
});
