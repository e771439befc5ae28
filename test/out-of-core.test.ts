import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Float64,
  makeVector,
  RecordBatch,
  Table,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { beforeAll, describe, expect, test } from 'vitest';
import { fitOutOfCore } from '../src/api/fit-out-of-core.js';
import { fit } from '../src/api/fit.js';
import { predictOutOfCore } from '../src/api/predict-out-of-core.js';
import { predict } from '../src/api/predict.js';
import { allocateMatrix, MatrixArena } from '../src/data/matrix.js';
import { applyPreprocessing, type Preprocessing } from '../src/prep/preprocess.js';
import { parquetWasm } from '../src/io/parquet-io.js';
import { readTable } from '../src/io/read-table.js';
import { writeCustomers } from '../src/synth/customers.js';
import { hasGpu } from './helpers/backends.js';
import { errors, filesIn, gpuseg, tempDir } from './helpers/cli.js';

/**
 * Fits of files read chunk by chunk. The reference is the in-memory fit: with the sample holding
 * every row, the out-of-core path must give the same centres, labels and profiles, whatever the
 * chunk size and whether the file is an Arrow stream or a Parquet file of many row groups.
 */
const ROWS = 30_000;
let dir: string;
let arrows: string;
let parquet: string;

beforeAll(async () => {
  dir = tempDir();
  arrows = join(dir, 'customers.arrows');
  await writeCustomers(arrows, ROWS, 11, 1000);
  const pq = parquetWasm();
  const table = await readTable(arrows);
  parquet = join(dir, 'customers.parquet');
  const properties = new pq.WriterPropertiesBuilder().setMaxRowGroupSize(4096).build();
  writeFileSync(
    parquet,
    pq.writeParquet(pq.Table.fromIPCStream(tableToIPC(table, 'stream')), properties),
  );
});

describe('out-of-core k-means against the in-memory fit', () => {
  test('same centres, labels, inertia and profiles from an Arrow stream and from Parquet row groups', async () => {
    const common = { k: 6, init: 'k-means++', backend: 'cpu' as const, seed: 3 };
    const memory = await fit(arrows, common);
    const labels = memory.labels;
    // Stream batches of 1000 rows join into chunks of 7000 and 3000; Parquet's (decoded as batches of 1024 rows) into 10,240.
    for (const [file, chunkRows, chunks] of [
      [arrows, 7000, 5],
      [arrows, 2500, 10],
      [parquet, 10_000, 3],
    ] as const) {
      const out = join(dir, `out-${chunkRows}.arrows`);
      const r = await fitOutOfCore(file, { ...common, chunkRows, output: out });
      expect(r.stats.rows).toBe(ROWS);
      expect(r.stats.outOfCore.sampleRows).toBe(ROWS);
      expect(r.stats.outOfCore.chunks).toBe(chunks);
      expect(r.stats.iterations).toBe(memory.stats.iterations);
      for (let c = 0; c < 6; c++)
        for (let j = 0; j < r.model.centres[c].length; j++)
          expect(r.model.centres[c][j]).toBeCloseTo(memory.model.centres[c][j], 5);
      expect(r.stats.inertia! / memory.stats.inertia!).toBeCloseTo(1, 9);
      expect(r.names).toEqual(memory.names);
      expect(r.sizes).toEqual(memory.profiles.segments.map((s) => s.size));
      for (const [s, segment] of r.profiles.segments.entries()) {
        segment.columns.forEach((col, j) => {
          const ref = memory.profiles.segments[s].columns[j];
          expect(col.mean).toBeCloseTo(ref.mean, 8);
          expect(col.median).toBe(ref.median);
        });
      }
      const written = await readTable(out);
      expect(written.numRows).toBe(ROWS);
      expect(written.schema.fields.map((f) => f.name)).toEqual([
        'customer_id',
        'segment_id',
        'segment_name',
        'distance',
      ]);
      expect(Array.from(written.getChild('segment_id')!.toArray() as Int32Array)).toEqual(
        Array.from(labels),
      );
      expect(written.getChild('customer_id')!.get(ROWS - 1)).toBe(ROWS - 1);
      expect(written.getChild('segment_name')!.get(0)).toBe(memory.names![labels[0]]);
    }
  });

  test('a sample smaller than the file changes nothing when there is nothing to estimate from it', async () => {
    // No scaling and explicit initial centres: the sample feeds neither, so even 500 sampled rows
    // of 30,000 must give the in-memory result.
    const table = await readTable(arrows);
    const features = ['recency_days', 'frequency', 'monetary', 'tenure_days'];
    const init = [0, 1, 2].map((c) =>
      features.map((f) => Number(table.getChild(f)!.get(c * 1000))),
    );
    const common = { k: 3, init, features, scale: 'none' as const, backend: 'cpu' as const };
    const memory = await fit(arrows, common);
    const notices: string[] = [];
    const r = await fitOutOfCore(arrows, {
      ...common,
      sampleRows: 500,
      chunkRows: 4000,
      onNotice: (m) => notices.push(m),
    });
    expect(notices.join('\n')).toMatch(/uniform sample of 500 of 30000 rows/);
    expect(r.model.centres).toEqual(memory.model.centres);
    expect(r.stats.iterations).toBe(memory.stats.iterations);
    expect(r.sizes).toEqual(memory.profiles.segments.map((s) => s.size));
  });

  test('with a sample, the scaling is estimated close to the full data and the fit finds the personas', async () => {
    const memory = await fit(arrows, { k: 7, backend: 'cpu' });
    const out = join(dir, 'sampled.arrows');
    const r = await fitOutOfCore(arrows, {
      k: 7,
      backend: 'cpu',
      sampleRows: 5000,
      chunkRows: 8000,
      output: out,
    });
    const full = memory.model.preprocessing!.scale;
    const sampled = r.model.preprocessing!.scale;
    full.scale.forEach((s, j) => expect(Math.abs(sampled.scale[j] / s - 1)).toBeLessThan(0.05));
    expect(r.sizes.reduce((a, b) => a + b, 0)).toBe(ROWS);
    // The generator's personas are recovered as well as in memory (purity: the share of rows in
    // their segment's most common persona).
    const personas = (await readTable(arrows)).getChild('true_persona')!.toArray() as string[];
    const written = (await readTable(out)).getChild('segment_id')!.toArray() as Int32Array;
    expect(purity(written, personas)).toBeGreaterThan(purity(memory.labels, personas) - 0.03);
    expect(purity(written, personas)).toBeGreaterThan(0.8);
  });
});

function purity(labels: Int32Array, truth: readonly string[]): number {
  const counts = new Map<number, Map<string, number>>();
  labels.forEach((l, i) => {
    const m = counts.get(l) ?? new Map<string, number>();
    m.set(truth[i], (m.get(truth[i]) ?? 0) + 1);
    counts.set(l, m);
  });
  let majority = 0;
  for (const m of counts.values()) majority += Math.max(...m.values());
  return majority / labels.length;
}

describe('Gaussian mixtures out of core', () => {
  test('a component that loses all its rows is reported in the result as in memory', async () => {
    const n = 600;
    const x = Float64Array.from({ length: n }, (_, i) => (i % 2) * 5 + Math.sin(i) * 0.5);
    const y = Float64Array.from({ length: n }, (_, i) => (i % 2) * 5 + Math.cos(i * 1.3) * 0.5);
    const file = join(dir, 'two-blobs.arrow');
    writeFileSync(file, tableToIPC(new Table({ x: makeVector(x), y: makeVector(y) }), 'file'));
    const heard: string[] = [];
    const r = await fitOutOfCore(file, {
      k: 3,
      algorithm: 'gmm',
      covariance: 'diag',
      scale: 'none',
      backend: 'cpu',
      init: [
        [0, 0],
        [5, 5],
        [1e4, 1e4],
      ],
      onNotice: (m) => heard.push(m),
    });
    expect(r.stats.emptyComponents).toBe(1);
    expect(heard.some((m) => /lost all their rows/.test(m))).toBe(true);
    expect(r.stats.notices.some((m) => /lost all their rows/.test(m))).toBe(true);
  });

  test.each(['diag', 'full'] as const)(
    '%s: EM over chunks gives the in-memory fit (sample = every row)',
    async (covariance) => {
      const common = {
        k: 4,
        algorithm: 'gmm' as const,
        covariance,
        backend: 'cpu' as const,
        seed: 5,
        probabilities: true,
      };
      const memory = await fit(arrows, common);
      const out = join(dir, `gmm-${covariance}.arrows`);
      const r = await fitOutOfCore(arrows, { ...common, chunkRows: 7000, output: out });
      expect(r.model.algorithm).toBe('gmm');
      expect(r.stats.iterations).toBe(memory.stats.iterations);
      expect(r.stats.converged).toBe(memory.stats.converged);
      expect(Math.abs(r.stats.logLikelihood! - memory.stats.logLikelihood!)).toBeLessThan(1e-6);
      expect(r.stats.bic! / memory.stats.bic!).toBeCloseTo(1, 8);
      for (let c = 0; c < 4; c++)
        for (let j = 0; j < r.model.centres[c].length; j++)
          expect(r.model.centres[c][j]).toBeCloseTo(memory.model.centres[c][j], 4);
      const written = await readTable(out);
      expect(written.schema.fields.map((f) => f.name)).toEqual(
        memory.assignments.schema.fields.map((f) => f.name),
      );
      const a = written.getChild('segment_id')!.toArray() as Int32Array;
      let differ = 0;
      for (let i = 0; i < ROWS; i++) if (a[i] !== memory.labels[i]) differ++;
      expect(differ).toBeLessThanOrEqual(3);
      const p = written.getChild('probability')!.toArray() as Float32Array;
      for (let i = 0; i < ROWS; i += 997)
        expect(Math.abs(p[i] - memory.probability![i])).toBeLessThan(1e-4);
      expect(r.names).toEqual(memory.names);
    },
  );

  test('gpuseg fit --algorithm gmm --out-of-core reports log_likelihood, bic and the passes', () => {
    const r = gpuseg([
      'fit',
      parquet,
      '--k',
      '3',
      '--algorithm',
      'gmm',
      '--covariance',
      'diag',
      '--out-of-core',
      '--chunk-rows',
      '5000',
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(errors(r)).toBe('');
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({
      algorithm: 'gmm',
      covariance: 'diag',
      rows: ROWS,
      out_of_core: { chunks_per_pass: 6, spilled: true },
    }); // parquet-wasm's 1024-row batches, five a chunk
    expect(summary.log_likelihood).toBeLessThan(0);
    expect(summary.out_of_core.passes).toBe(summary.iterations + 2); // validation, EM steps, profiles (no --output)
  });
});

describe('the spill of prepared chunks', () => {
  test('passes read back from the spill give what reading the input every pass gives, and the spill is removed', async () => {
    const spillDir = tempDir();
    const common = {
      k: 5,
      init: 'k-means++',
      backend: 'cpu' as const,
      chunkRows: 6000,
      maxIter: 30,
    };
    const spilled = await fitOutOfCore(arrows, { ...common, spill: spillDir });
    const plain = await fitOutOfCore(arrows, { ...common, spill: false });
    expect(spilled.stats.outOfCore.spilled).toBe(true);
    expect(plain.stats.outOfCore.spilled).toBe(false);
    expect(spilled.model.centres).toEqual(plain.model.centres);
    expect(spilled.stats.history.map((h) => h.inertia)).toEqual(
      plain.stats.history.map((h) => h.inertia),
    );
    expect(filesIn(spillDir)).toEqual([]);
  });

  test('a folder it cannot use is a notice, not a failure', async () => {
    const notices: string[] = [];
    const r = await fitOutOfCore(arrows, {
      k: 3,
      backend: 'cpu',
      spill: join(dir, 'no', 'such', 'folder'),
      onNotice: (m) => notices.push(m),
    });
    expect(notices.join('\n')).toMatch(
      /no spill of the prepared chunks \(cannot write in .*folder/,
    );
    expect(r.stats.outOfCore.spilled).toBe(false);
    expect(r.stats.rows).toBe(ROWS);
  });

  test('a spill left by a killed process is removed by the next fit that uses the folder', async () => {
    const spillDir = tempDir();
    writeFileSync(join(spillDir, '.gpuseg-spill-999999999-abc.f32'), 'stale');
    writeFileSync(join(spillDir, 'keep.txt'), 'not ours');
    await fitOutOfCore(arrows, { k: 3, backend: 'cpu', spill: spillDir });
    expect(filesIn(spillDir)).toEqual(['keep.txt']);
  });
});

describe.skipIf(!hasGpu)('out-of-core k-means on the GPU', () => {
  test('chunks uploaded one after another give the CPU result', async () => {
    const common = { k: 6, init: 'k-means++', seed: 3, chunkRows: 7000 };
    const cpu = await fitOutOfCore(arrows, { ...common, backend: 'cpu' });
    const gpu = await fitOutOfCore(arrows, { ...common, backend: 'gpu' });
    expect(gpu.stats.backend).toBe('gpu');
    expect(gpu.stats.iterations).toBe(cpu.stats.iterations);
    for (let c = 0; c < 6; c++)
      for (let j = 0; j < cpu.model.centres[c].length; j++)
        expect(gpu.model.centres[c][j]).toBeCloseTo(cpu.model.centres[c][j], 4);
    gpu.sizes.forEach((n, c) => expect(Math.abs(n - cpu.sizes[c])).toBeLessThanOrEqual(3));
  });
});

describe('gpuseg fit --out-of-core', () => {
  test('writes every row, the model and profiles; --json reports the passes', async () => {
    const out = join(dir, 'cli.csv');
    const r = gpuseg([
      'fit',
      arrows,
      '--k',
      '5',
      '--out-of-core',
      '--chunk-rows',
      '6000',
      '--backend',
      'cpu',
      '--output',
      out,
      '--model',
      join(dir, 'm.json'),
      '--profile-output',
      join(dir, 'p.json'),
      '--json',
    ]);
    expect(errors(r)).toBe('');
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({
      k: 5,
      rows: ROWS,
      out_of_core: { chunks_per_pass: 5, chunk_rows: 6000, sample_rows: ROWS },
    });
    expect(summary.out_of_core.passes).toBe(summary.iterations + 3);
    const written = await readTable(out);
    expect(written.numRows).toBe(ROWS);
    expect(new Set(written.getChild('segment_id')!.toArray() as Int32Array).size).toBe(5);
    // predict with the saved model agrees with the rows written.
    const predicted = join(dir, 'predicted.csv');
    expect(
      gpuseg([
        'predict',
        arrows,
        '--model',
        join(dir, 'm.json'),
        '--output',
        predicted,
        '--backend',
        'cpu',
      ]).status,
    ).toBe(0);
    expect(
      Array.from((await readTable(predicted)).getChild('segment_id')!.toArray() as Int32Array),
    ).toEqual(Array.from(written.getChild('segment_id')!.toArray() as Int32Array));
  });

  test('a bad value in a later chunk names its row in the file and leaves no output', () => {
    const bad = tempDir();
    const file = join(bad, 'bad.arrows');
    const n = 5000;
    const batches = [0, 1, 2, 3].map((b) => {
      const x = Float64Array.from({ length: n }, (_, i) => (i % 13) + b);
      const y = Float64Array.from({ length: n }, (_, i) => (i % 7) * 2);
      if (b === 2) y[1234] = Number.POSITIVE_INFINITY;
      return new Table({
        id: makeVector(Int32Array.from({ length: n }, (_, i) => b * n + i)),
        x: makeVector({ type: new Float64(), data: x }),
        y: makeVector({ type: new Float64(), data: y }),
      }).batches[0];
    });
    writeFileSync(file, tableToIPC(new Table(batches as RecordBatch[]), 'stream'));
    const out = join(bad, 'segments.arrows');
    const r = gpuseg([
      'fit',
      file,
      '--k',
      '3',
      '--out-of-core',
      '--chunk-rows',
      '5000',
      '--backend',
      'cpu',
      '--output',
      out,
    ]);
    expect(r.status).toBe(3);
    expect(errors(r)).toMatch(/column 'y' has 1 infinite value, first at row 11234/);
    expect(errors(r).split('\n')).toHaveLength(1);
    expect(filesIn(bad)).toEqual(['bad.arrows']);
  });

  test('a corrupt Arrow footer that hangs apache-arrow is reported, not waited on', () => {
    const r = gpuseg([
      'fit',
      'test/fixtures/hangs-apache-arrow.arrow',
      '--k',
      '2',
      '--out-of-core',
      '--backend',
      'cpu',
    ]);
    expect(r.status).toBe(3);
    expect(errors(r)).toMatch(
      /hangs-apache-arrow\.arrow' is not a readable Arrow IPC file: the reader did not finish/,
    );
  });

  test('what it cannot do is refused up front, naming the flag', () => {
    const csv = join(dir, 'c.csv');
    writeFileSync(csv, 'a,b\n1,2\n3,4\n5,6\n');
    const cases: [string[], RegExp][] = [
      [['fit', csv, '--k', '2', '--out-of-core'], /--out-of-core reads Arrow IPC or Parquet files/],
      // Every algorithm that needs its rows in memory: one line naming the flag and what to use
      // (birch streams: birch-out-of-core.test.ts).
      ...['minibatch-kmeans', 'bisecting', 'ward', 'kprototypes'].map(
        (algorithm): [string[], RegExp] => [
          ['fit', arrows, '--k', '2', '--out-of-core', '--algorithm', algorithm],
          new RegExp(
            `^gpuseg: error: --out-of-core: --algorithm ${algorithm} .*; leave out --out-of-core, or fit --algorithm kmeans or gmm out of core$`,
          ),
        ],
      ),
      // DBSCAN compares all pairs of rows: it points at the algorithms for more rows.
      [
        ['fit', arrows, '--out-of-core', '--algorithm', 'dbscan', '--eps', '0.3'],
        /^gpuseg: error: --out-of-core: --algorithm dbscan compares every row with its neighbours among all the rows, so they stay in memory \(row limits in the README\); leave out --out-of-core, or, for more rows, fit --algorithm ward \(two-step, in memory\) or kmeans out of core$/,
      ],
      [
        ['fit', arrows, '--k', '2', '--out-of-core', '--output', join(dir, 'x.parquet')],
        /--output .*x\.parquet': this output is written chunk by chunk/,
      ],
      [['fit', arrows, '--k', '2', '--out-of-core', '--chunk-rows', '0'], /--chunk-rows: expected/],
      [
        ['fit', arrows, '--k', '2', '--out-of-core', '--sample-rows', 'many'],
        /--sample-rows: expected/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = gpuseg([...args, '--backend', 'cpu']);
      expect(r.status).toBe(2);
      expect(errors(r)).toMatch(message);
      expect(errors(r).split('\n')).toHaveLength(1);
    }
  });
});

describe('predict out of core', () => {
  test('k-means and mixture models score chunk by chunk exactly as in memory', async () => {
    for (const algorithm of ['kmeans', 'gmm'] as const) {
      const fitted = await fit(arrows, {
        k: 4,
        algorithm,
        covariance: 'diag',
        backend: 'cpu',
        seed: 2,
      });
      const whole = await predict(arrows, fitted.model, { backend: 'cpu', probabilities: true });
      const out = join(dir, `scored-${algorithm}.arrows`);
      const r = await predictOutOfCore(arrows, fitted.model, {
        backend: 'cpu',
        probabilities: true,
        chunkRows: 4000,
        output: out,
      });
      expect(r.rows).toBe(ROWS);
      expect(r.chunks).toBe(8);
      const written = await readTable(out);
      expect(written.schema.fields.map((f) => f.name)).toEqual(
        whole.assignments.schema.fields.map((f) => f.name),
      );
      for (const field of written.schema.fields) {
        expect(Array.from(written.getChild(field.name)!.toArray() as ArrayLike<unknown>)).toEqual(
          Array.from(whole.assignments.getChild(field.name)!.toArray() as ArrayLike<unknown>),
        );
      }
      expect(r.sizes).toEqual(
        Array.from({ length: 4 }, (_, c) => whole.labels.filter((l) => l === c).length),
      );
    }
  });

  test('gpuseg predict --out-of-core: rows numbered through the file, bad rows named, nothing half-written', async () => {
    const model = join(dir, 'plain-model.json');
    const plain = tempDir();
    const file = join(plain, 'plain.arrows');
    const n = 3000;
    const batches = [0, 1, 2].map((b) => {
      const x = Float64Array.from({ length: n }, (_, i) => ((i * 7) % 11) + b);
      if (b === 2) x[17] = Number.NaN;
      return new Table({ x: makeVector({ type: new Float64(), data: x }) }).batches[0];
    });
    writeFileSync(file, tableToIPC(new Table(batches.slice(0, 2) as RecordBatch[]), 'stream'));
    expect(gpuseg(['fit', file, '--k', '2', '--backend', 'cpu', '--model', model]).status).toBe(0);
    const out = join(plain, 'scored.csv');
    const ok = gpuseg([
      'predict',
      file,
      '--model',
      model,
      '--out-of-core',
      '--chunk-rows',
      '1000',
      '--backend',
      'cpu',
      '--output',
      out,
      '--json',
    ]);
    expect(errors(ok)).toBe('');
    expect(JSON.parse(ok.stdout)).toMatchObject({ rows: 2 * n });
    const scored = await readTable(out);
    expect(scored.getChild('row')!.get(2 * n - 1)).toBe(2 * n - 1);
    writeFileSync(file, tableToIPC(new Table(batches as RecordBatch[]), 'stream'));
    rmSync(out);
    const bad = gpuseg([
      'predict',
      file,
      '--model',
      model,
      '--out-of-core',
      '--chunk-rows',
      '1000',
      '--backend',
      'cpu',
      '--output',
      out,
    ]);
    expect(bad.status).toBe(3);
    expect(errors(bad)).toMatch(
      /column 'x' has 1 missing \(null or NaN\) value, first at row 6017/,
    );
    expect(filesIn(plain)).toEqual(['plain.arrows']);
  });
});

describe('matrix memory for chunks', () => {
  test('an arena reuses one memory for chunks up to its size, with regions for the rows at hand', () => {
    const arena = new MatrixArena();
    const a = arena.take(1000, ['x', 'y']);
    a.data.fill(7);
    const b = arena.take(600, ['x', 'y']);
    expect(b.kernelMemory!.memory).toBe(a.kernelMemory!.memory);
    expect(b.data.length).toBe(1200);
    expect(b.kernelMemory!.labels).toBeGreaterThanOrEqual(1200 * 4);
    const c = arena.take(5000, ['x', 'y']);
    expect(c.kernelMemory!.memory).not.toBe(a.kernelMemory!.memory);
  });

  test("a PCA projection into a reused chunk (holding the last chunk's values) equals one into fresh memory", () => {
    const rows = 500;
    const input = allocateMatrix(rows, ['a', 'b', 'c']);
    for (let i = 0; i < input.data.length; i++) input.data[i] = Math.sin(i * 0.37) * 3;
    const prep: Preprocessing = {
      features: ['a', 'b', 'c'],
      impute: null,
      log: [],
      clip: null,
      scale: { kind: 'none', centre: [0, 0, 0], scale: [1, 1, 1] },
      pca: {
        components: [
          [0.6, 0.8, 0],
          [0, 0, 1],
        ],
        mean: [0.1, -0.2, 0.3],
        explainedVarianceRatio: [0.7, 0.3],
      },
      outputs: ['pc1', 'pc2'],
    };
    const fresh = applyPreprocessing(prep, { ...input, data: input.data.slice() });
    const arena = new MatrixArena();
    arena.take(rows, ['pc1', 'pc2']).data.fill(123); // the previous chunk's values
    const reused = applyPreprocessing(prep, { ...input, data: input.data.slice() }, (r, f) =>
      arena.take(r, f),
    );
    expect(Array.from(reused.data)).toEqual(Array.from(fresh.data));
  });
});

describe('columns left out of the default features', () => {
  test('a text column that looks numeric is named out of core as in memory', async () => {
    const path = join(tempDir(), 'text-column.arrows');
    const n = 2000;
    const a = Float64Array.from({ length: n }, (_, i) => i % 17);
    const b = Array.from({ length: n }, (_, i) => (i === 3 ? 'n/a' : String(i % 5)));
    writeFileSync(
      path,
      tableToIPC(
        new Table({
          a: makeVector(a),
          b: vectorFromArray(b, new Utf8()),
          c: makeVector(Float64Array.from(a, (v) => v * 2)),
        }),
        'stream',
      ),
    );
    const expected = [{ column: 'b', reason: 'not a number', row: 3, value: 'n/a' }];
    const notices: string[] = [];
    const out = await fitOutOfCore(path, {
      k: 2,
      backend: 'cpu',
      chunkRows: 500,
      onNotice: (m) => notices.push(m),
    });
    const mem = await fit(path, { k: 2, backend: 'cpu' });
    expect(mem.stats.excludedColumns).toEqual(expected);
    expect(out.stats.excludedColumns).toEqual(expected);
    expect(notices.some((m) => m.includes("'b'"))).toBe(true);
  });
});
