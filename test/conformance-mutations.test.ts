import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Backend, LloydSummary } from '../src/backend/backend.js';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import { shutdownCpuWorkers } from '../src/backend/cpu/worker-pool.js';
import type { DataMatrix } from '../src/data/matrix.js';
import {
  BLOCKS_PER_WORKER,
  INLINE_MAX_VALUES,
  WORKER_SHAPE,
  WORKER_THREADS,
  lloydData,
  workerBlocks,
} from './helpers/conformance-data.js';
import {
  clearRow,
  dropRow,
  gmmFailures,
  gmmReference,
  randomGmmParams,
} from './helpers/gmm-check.js';
import { lloydFailures } from './helpers/lloyd-check.js';
import { MutatingBackend, type Mutations } from './helpers/mutating-backend.js';
import { blobs } from './helpers/reference.js';

/**
 * The conformance checks prove themselves: the real CPU backend on its worker path (WORKER_SHAPE,
 * several blocks on every worker thread; for mixtures conformance-gmm.test.ts's 50,003 × 11, the
 * SIMD diagonal E-step on the workers), wrapped so that one result is damaged as a faulty
 * kernel would damage it, must fail the very checks the conformance suite runs — and pass them
 * unwrapped. The same faults injected inside the worker threads themselves (GPUSEG_FAULT, see
 * src/backend/cpu/worker-faults.ts) fail them too, through the pool and the block merge.
 */
const { rows, dims, k } = WORKER_SHAPE;
const { matrix, centres, ref } = lloydData(WORKER_SHAPE);
/** A row in the last (ragged) block, on the last worker: every row is tie-free (untie). */
const ROW = rows - 5;

/** Moves row `row` from its cluster to the next one in a summary, as a wrong label would. */
function moveRow(summary: LloydSummary, m: DataMatrix, row: number, from: number): void {
  const to = (from + 1) % k;
  summary.counts[from] -= 1;
  summary.counts[to] += 1;
  for (let j = 0; j < dims; j++) {
    summary.sums[from * dims + j] -= m.data[j * m.rows + row];
    summary.sums[to * dims + j] += m.data[j * m.rows + row];
  }
}

describe(`mutations of the CPU worker path, ${rows} × ${dims}, k=${k}`, () => {
  let inner: Backend;
  beforeAll(() => {
    inner = new CpuBackend(WORKER_THREADS);
  });
  afterAll(async () => {
    await inner?.dispose();
  });

  /** The conformance suite's Lloyd-step and assignment checks, on `backend`. */
  async function failures(mutations: Mutations): Promise<string[]> {
    const backend = new MutatingBackend(inner, mutations);
    const handle = await backend.attach(matrix);
    try {
      await backend.resetLabels(handle);
      const summary = await backend.lloydStep(handle, centres, k);
      const assignment = await backend.assign(handle, centres, k);
      return lloydFailures(ref, { kind: backend.kind, summary, assignment });
    } finally {
      await backend.detach(handle);
    }
  }

  test('the shape runs on the worker threads, several blocks each', () => {
    const split = workerBlocks(WORKER_SHAPE, WORKER_THREADS);
    expect(split.onWorkers).toBe(true);
    expect(split.fewestPerWorker).toBeGreaterThanOrEqual(BLOCKS_PER_WORKER);
  });

  test('the unmutated backend passes', async () => {
    expect(await failures({})).toEqual([]);
  });

  test('+1 on one sum fails', async () => {
    const found = await failures({
      lloydStep: (s) => {
        s.sums[0] += 1;
      },
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^sums: 1 wrong \(cluster 0 feature 0: /);
  });

  test('+1 on the largest sum fails', async () => {
    const largest = ref.absSums.indexOf(Math.max(...ref.absSums));
    const found = await failures({
      lloydStep: (s) => {
        s.sums[largest] += 1;
      },
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      new RegExp(
        `^sums: 1 wrong \\(cluster ${Math.floor(largest / dims)} feature ${largest % dims}: `,
      ),
    );
  });

  test('a count off by one fails', async () => {
    const cluster = ref.labels[ROW];
    const found = await failures({
      lloydStep: (s) => {
        s.counts[cluster] -= 1;
      },
    });
    expect(found).toEqual([
      `counts: 1 wrong (cluster ${cluster}: ${ref.counts[cluster] - 1} ≠ ${ref.counts[cluster]})`,
    ]);
  });

  test('a wrong label on a tie-free row fails (the assignment)', async () => {
    const found = await failures({
      assign: (a) => {
        a.labels[ROW] = (a.labels[ROW] + 1) % k;
      },
    });
    expect(found).toEqual([
      `labels: 1 wrong (row ${ROW}: ${(ref.labels[ROW] + 1) % k} ≠ ${ref.labels[ROW]})`,
    ]);
  });

  test('a wrong label on a tie-free row fails (the Lloyd step statistics)', async () => {
    const found = await failures({
      lloydStep: (s, m) => moveRow(s, m, ROW, ref.labels[ROW]),
    });
    expect(found.map((f) => f.split(':')[0])).toEqual(['counts', 'sums']);
    expect(found[0]).toMatch(/^counts: 2 wrong/);
  });
});

describe('faults inside the worker threads fail the conformance checks', () => {
  // GPUSEG_FAULT (src/backend/cpu/worker-faults.ts) damages the results in the worker itself, after
  // the kernel: the suite must see it through the pool, the block merge and the summary.
  async function failuresWith(fault: string): Promise<string[]> {
    process.env.GPUSEG_FAULT = fault;
    await shutdownCpuWorkers(); // workers read the variable when they start
    const backend = new CpuBackend(WORKER_THREADS);
    try {
      const handle = await backend.attach(matrix);
      await backend.resetLabels(handle);
      const summary = await backend.lloydStep(handle, centres, k);
      const assignment = await backend.assign(handle, centres, k);
      await backend.detach(handle);
      return lloydFailures(ref, { kind: backend.kind, summary, assignment });
    } finally {
      await backend.dispose();
      delete process.env.GPUSEG_FAULT;
      await shutdownCpuWorkers();
    }
  }

  test('+1 on a sum in every block', async () => {
    expect((await failuresWith('worker-sum'))[0]).toMatch(/^sums: 1 wrong \(cluster 0 feature 0: /);
  });

  test('a count off by one', async () => {
    expect((await failuresWith('worker-count'))[0]).toMatch(/^counts: 1 wrong \(cluster 0: /);
  });

  test('a wrong label on a tie-free row', async () => {
    expect((await failuresWith('worker-label')).some((f) => f.startsWith('labels: '))).toBe(true);
  });

  test('no fault, no failure (the pool restarted clean)', async () => {
    expect(await failuresWith('')).toEqual([]);
  });
});

describe('mutations of the CPU worker path, Gaussian mixture (diag), 50003 × 11, k=5', () => {
  const gRows = 50_003;
  const gDims = 11;
  const gK = 5;
  const gMatrix = blobs(gRows, gDims, gK, gRows + 17 * gDims, 2).matrix;
  const params = randomGmmParams('diag', gK, gDims, gRows + gK);
  const gRef = gmmReference(gMatrix, params);
  const row = clearRow(gRef);
  let inner: Backend;
  beforeAll(() => {
    inner = new CpuBackend(WORKER_THREADS);
  });
  afterAll(async () => {
    await inner?.dispose();
  });

  /** The GMM conformance suite's checks, on the wrapped backend. */
  async function failures(mutations: Mutations): Promise<string[]> {
    const backend = new MutatingBackend(inner, mutations);
    const handle = await backend.attach(gMatrix);
    try {
      const summary = await backend.gmmStep(handle, params);
      const assignment = await backend.gmmAssign(handle, params, { probabilities: true });
      return gmmFailures(gRef, { kind: backend.kind, summary, assignment });
    } finally {
      await backend.detach(handle);
    }
  }

  test('the shape runs on the worker threads', () => {
    expect(gRows * gDims).toBeGreaterThan(INLINE_MAX_VALUES);
    expect(row).toBeGreaterThan(gRows - 100);
  });

  test('the unmutated backend passes', async () => {
    expect(await failures({})).toEqual([]);
  });

  test('+1 on one Nk fails', async () => {
    const found = await failures({
      gmmStep: (s) => {
        s.nk[2] += 1;
      },
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^nk: 1 wrong \(\[2\]: /);
  });

  test('a row left out of the statistics fails', async () => {
    const found = await failures({
      gmmStep: (s, m) => dropRow(gRef, m, params, s, row),
    });
    expect(found[0]).toMatch(new RegExp(`^nk: 1 wrong \\(\\[${gRef.labels[row]}\\]: `));
  });

  test('a wrong label on a clear row fails', async () => {
    const found = await failures({
      gmmAssign: (a) => {
        a.labels[row] = (a.labels[row] + 1) % gK;
      },
    });
    expect(found[0]).toBe(
      `labels: 1 wrong (row ${row}: ${(gRef.labels[row] + 1) % gK} ≠ ${gRef.labels[row]})`,
    );
  });
});
