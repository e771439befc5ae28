import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { compiledModule, workerExecArgv } from '../util/compiled-module.js';

/**
 * A matrix's column statistics computed by two threads at once: this one and a helper thread,
 * started with the statistics kernel, which take the columns one by one from a shared counter.
 * Each column is computed whole by one thread with the same kernel: the same bits as on one
 * thread, in half the time on two free cores (the statistics of a 10M × 16 matrix take ~0.6 s on
 * one). The caller stays synchronous: it works through columns itself and then waits (a bounded
 * wait) for the ones the helper took; should the helper never answer, it computes those too.
 */

/** What the helper gets per matrix. */
export interface StatsJob {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Int32: [next column to take, columns done]; then per column, 1 once its results are in. */
  control: SharedArrayBuffer;
  /** Float64 per column: count, sum-based mean, sum of squares about it, min, max. */
  results: SharedArrayBuffer;
  /** Byte offset of each column in the memory. */
  offsets: number[];
  rows: number;
}

/** The kernel's two functions (kernels/column-stats.wat). */
export interface StatsKernel {
  sums(p: number, n: number): [number, number, number, number];
  squares(p: number, n: number, mean: number): number;
}

/** Values in a matrix below which one thread does it all (a helper's hand-off costs ~1 ms). */
const SHARE_MIN_VALUES = 1 << 22;
/** How long to wait for the helper's columns before computing them here (it is never this slow). */
const WAIT_MS = 30_000;

let helper: { worker: Worker; module: WebAssembly.Module } | undefined;

/** Starts the helper thread for the compiled kernel (once per process, where there are two cores). */
export function startStatsHelper(module: WebAssembly.Module): void {
  if (helper || availableParallelism() < 2) return;
  try {
    const worker = new Worker(compiledModule(import.meta.url, 'column-stats-worker.js'), {
      name: 'gpuseg-column-stats',
      execArgv: workerExecArgv(),
    });
    // Never holds the process open: a job in flight has this thread waiting on it anyway.
    worker.unref();
    worker.on('error', () => (helper = undefined));
    worker.on('exit', () => (helper = undefined));
    helper = { worker, module };
  } catch {
    helper = undefined; // no helper: one thread computes everything, with the same results
  }
}

/** Takes columns from the job's counter and computes them, until none is left; returns how many. */
export function claimColumns(job: StatsJob, kernel: StatsKernel): number {
  const control = new Int32Array(job.control);
  const results = new Float64Array(job.results);
  const n = job.offsets.length;
  for (let taken = 0; ; taken++) {
    const j = Atomics.add(control, 0, 1);
    if (j >= n) return taken;
    computeColumn(job, kernel, j, results);
    Atomics.store(control, 2 + j, 1);
    Atomics.add(control, 1, 1);
    Atomics.notify(control, 1);
  }
}

function computeColumn(job: StatsJob, kernel: StatsKernel, j: number, results: Float64Array): void {
  const p = job.offsets[j];
  const [count, sum, min, max] = kernel.sums(p, job.rows);
  const mean = count > 0 ? sum / count : Number.NaN;
  const ss = kernel.squares(p, job.rows, mean);
  results.set([count, mean, ss, min, max], j * 5);
}

/**
 * [count, mean, sum of squares about the mean, min, max] of the columns at `offsets` (byte
 * offsets in `memory`), five numbers a column, the helper taking some where there is one and the
 * matrix is large (`helped`: how many it did); undefined where there is no helper or the matrix
 * is small (the caller computes them alone).
 */
export function sharedColumnStats(
  memory: WebAssembly.Memory,
  kernel: StatsKernel,
  offsets: number[],
  rows: number,
): { results: Float64Array; helped: number } | undefined {
  if (!helper || offsets.length < 2 || offsets.length * rows < SHARE_MIN_VALUES) return undefined;
  const n = offsets.length;
  const job: StatsJob = {
    module: helper.module,
    memory,
    control: new SharedArrayBuffer(4 * (2 + n)),
    results: new SharedArrayBuffer(8 * 5 * n),
    offsets,
    rows,
  };
  helper.worker.postMessage(job);
  let mine = claimColumns(job, kernel);
  const control = new Int32Array(job.control);
  const deadline = performance.now() + WAIT_MS;
  for (;;) {
    const done = Atomics.load(control, 1);
    if (done >= n) break;
    const left = deadline - performance.now();
    if (left <= 0) break;
    Atomics.wait(control, 1, done, left);
  }
  const results = new Float64Array(job.results);
  // Columns the helper took but did not finish in time: computed here (the same bits).
  for (let j = 0; j < n; j++)
    if (Atomics.load(control, 2 + j) === 0) {
      computeColumn(job, kernel, j, results);
      mine++;
    }
  return { results, helped: n - mine };
}
