import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { fitOutOfCore } from '../src/api/fit-out-of-core.js';
import { fit } from '../src/api/fit.js';
import { fitSharded } from '../src/index.js';
import { UsageError } from '../src/errors.js';
import { readTable } from '../src/io/read-table.js';
import { writeCustomers } from '../src/synth/customers.js';
import { gpuOrSkip } from './helpers/backends.js';
import { errors, filesIn, gpuseg, tempDir } from './helpers/cli.js';

/**
 * BIRCH out of core (issue 18: the CF-tree "streams out of core"): the file goes through the tree
 * once, chunk by chunk in row order, and the global step, means and assignments follow. With the
 * same rows in the same order and the same preprocessing (the sample holding every row), the
 * model and every row's segment must be the in-memory fit's, bit for bit, whatever the chunking.
 */
const ROWS = 30_000;
const FEATURES = ['recency_days', 'frequency', 'monetary', 'tenure_days'];
let dir: string;
let arrows: string;

beforeAll(async () => {
  dir = tempDir();
  arrows = join(dir, 'customers.arrows');
  await writeCustomers(arrows, ROWS, 8, 1000);
});

type Backend = 'cpu' | 'gpu';

/** The out-of-core fit at several chunk sizes against the in-memory one: model, labels, sizes, names. */
async function expectInMemoryResult(
  options: Record<string, unknown>,
  name: string,
  backend: Backend = 'cpu',
): Promise<number> {
  const common = { algorithm: 'birch' as const, features: FEATURES, backend, ...options };
  const memory = await fit(arrows, common);
  for (const [chunkRows, chunks] of [
    [7000, 5],
    [2500, 10],
  ] as const) {
    const out = join(dir, `${name}-${backend}-${chunkRows}.arrows`);
    const r = await fitOutOfCore(arrows, { ...common, chunkRows, output: out });
    expect(r.stats.outOfCore).toMatchObject({ chunks, chunkRows, sampleRows: ROWS, passes: 4 });
    expect(r.stats.birch).toEqual(memory.stats.birch);
    // The whole model: preprocessing, subcluster centroids and segments, centres, names.
    expect(r.model, `${name} model, chunks of ${chunkRows}`).toEqual(memory.model);
    expect(r.names).toEqual(memory.names);
    expect(r.sizes).toEqual(memory.sizes);
    const written = await readTable(out);
    expect(written.schema.fields.map((f) => f.name)).toEqual(
      memory.assignments.schema.fields.map((f) => f.name),
    );
    const labels = written.getChild('segment_id')!.toArray() as Int32Array;
    expect(labels.length).toBe(ROWS);
    let same = true;
    for (let i = 0; i < ROWS; i++) same &&= labels[i] === memory.labels[i];
    expect(same, `${name}: every row's segment`).toBe(true);
    const distances = written.getChild('distance')!.toArray() as Float32Array;
    const want = memory.assignments.getChild('distance')!.toArray() as Float32Array;
    let worst = 0;
    for (let i = 0; i < ROWS; i++) worst = Math.max(worst, Math.abs(distances[i] - want[i]));
    expect(worst).toBeLessThan(1e-5);
  }
  return memory.stats.birch!.subclusters;
}

describe('BIRCH out of core against the in-memory fit', () => {
  test('Ward global step (scikit-learn’s): the same model and segments at every chunk size', async () => {
    const subclusters = await expectInMemoryResult({ k: 5, threshold: 0.6 }, 'ward');
    // A tree of many nodes (several splits), fed across chunk boundaries.
    expect(subclusters).toBeGreaterThan(200);
  });

  test('weighted Ward, k-means global step, and no k (a segment per subcluster)', async () => {
    await expectInMemoryResult({ k: 4, threshold: 0.8, birchGlobal: 'weighted-ward' }, 'wward');
    await expectInMemoryResult({ k: 6, threshold: 0.8, birchGlobal: 'kmeans', seed: 5 }, 'kmeans');
    const subclusters = await expectInMemoryResult({ threshold: 1.6, branchingFactor: 8 }, 'no-k');
    expect(subclusters).toBeGreaterThan(1);
  });

  test('PCA and robust scaling fitted on the scan’s sample are the in-memory ones', async () => {
    await expectInMemoryResult({ k: 3, threshold: 0.5, scale: 'robust', pca: 2 }, 'pca');
  });

  test('on the GPU backend too', async () => {
    if (!(await gpuOrSkip())) return;
    await expectInMemoryResult({ k: 5, threshold: 0.6 }, 'ward', 'gpu');
  });

  test('a tree too large for exact Ward stops in the tree pass, naming the row, and writes nothing', async () => {
    const out = tempDir();
    const options = {
      algorithm: 'birch' as const,
      k: 3,
      threshold: 0.05,
      features: FEATURES,
      backend: 'cpu' as const,
    };
    await expect(fit(arrows, options)).rejects.toThrow(
      /^exact Ward takes at most 4096 points, got \d+ BIRCH subclusters; raise threshold/,
    );
    const error = await fitOutOfCore(arrows, {
      ...options,
      chunkRows: 2000,
      output: join(out, 'segments.arrows'),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    const row = Number(/by row (\d+);/.exec(message)?.[1]);
    expect(message).toMatch(
      /^exact Ward takes at most 4096 points, the CF-tree had \d+ BIRCH subclusters by row \d+; raise threshold for fewer, or use birchGlobal kmeans$/,
    );
    // Stopped at the end of a chunk before the last.
    expect(row).toBeLessThan(ROWS - 1);
    expect((row + 1) % 2000).toBe(0);
    expect(filesIn(out)).toEqual([]);
  });

  test('the sharded fit refuses BIRCH in one line, pointing at the out-of-core fit', async () => {
    const options = {
      redis: 'redis://127.0.0.1:1',
      shards: 'x',
      algorithm: 'birch',
      k: 3,
    } as const;
    await expect(fitSharded(options)).rejects.toThrow(UsageError);
    await expect(fitSharded(options)).rejects.toThrow(
      /^shards: algorithm birch builds one CF-tree from every row in order, .*; leave out shards, or fit it on one machine with outOfCore, which streams the file through the tree$/,
    );
  });
});

describe('gpuseg fit --out-of-core --algorithm birch', () => {
  test('writes the rows, model and profiles of the in-memory fit; predict agrees', async () => {
    const flags = ['--algorithm', 'birch', '--k', '4', '--threshold', '0.7', '--backend', 'cpu'];
    const paths = (tag: string): string[] => [
      '--output',
      join(dir, `${tag}.arrows`),
      '--model',
      join(dir, `${tag}.json`),
    ];
    const streamed = gpuseg([
      'fit',
      arrows,
      ...flags,
      '--out-of-core',
      '--chunk-rows',
      '6000',
      ...paths('cli-ooc'),
      '--json',
    ]);
    expect(errors(streamed)).toBe('');
    expect(streamed.status).toBe(0);
    expect(JSON.parse(streamed.stdout)).toMatchObject({
      k: 4,
      rows: ROWS,
      out_of_core: { passes: 4, chunks_per_pass: 5, chunk_rows: 6000, sample_rows: ROWS },
    });
    const memory = gpuseg(['fit', arrows, ...flags, ...paths('cli-mem')]);
    expect(memory.status).toBe(0);
    const ids = async (file: string): Promise<number[]> =>
      Array.from(
        (await readTable(join(dir, file))).getChild('segment_id')!.toArray() as Int32Array,
      );
    const written = await ids('cli-ooc.arrows');
    expect(written).toEqual(await ids('cli-mem.arrows'));
    expect(new Set(written).size).toBe(4);
    const predicted = gpuseg([
      'predict',
      arrows,
      '--model',
      join(dir, 'cli-ooc.json'),
      '--output',
      join(dir, 'cli-pred.arrows'),
      '--backend',
      'cpu',
    ]);
    expect(predicted.status).toBe(0);
    expect(await ids('cli-pred.arrows')).toEqual(written);
  });
});
