import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { collectorLock } from '../util/collect.js';
import { compiledModule, workerExecArgv } from '../util/compiled-module.js';
import { doPsiColumn, type PsiWork } from '../track/psi-share.js';
import { convertColumn, type ConvertWork } from './convert-chunk.js';

/**
 * Per-column work on a large matrix done by two threads at once: this one and a helper thread,
 * started before the input is read (the statistics kernel reaches it once compiled), which take
 * the parts of a job one by one from a shared counter. Each part is done whole by one thread,
 * with the same code: the same results (bit for bit) as on one thread, in about half the time on
 * two free cores. Five kinds of work: columns' statistics (the kernel, four columns a part; ~0.2
 * s of one thread for a 10M × 16 matrix), the copy of a column's pieces from an input memory into
 * the matrix (a file of many record batches), the conversion of a column of another type (float64,
 * integers, nulls: data/convert-chunk.ts) read into shared memory, a column's evenly spaced rows
 * (the correlation report's sample), and a tracked period's feature bins (track/psi-share.ts).
 * The caller stays synchronous: it works through parts itself, then waits (bounded) for the ones
 * the helper took; should the helper not answer, it does those too. A job may also be begun and
 * finished later (beginShare, finishShare): the helper works on it while the caller does other
 * work.
 */

/**
 * Column statistics: [count, mean, sum of squares about the mean, min, max] per column. Its parts
 * are groups of STATS_GROUP columns, which the kernel does at once (statsGroup).
 */
export interface StatsWork {
  kind: 'stats';
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte offset of each column in the memory. */
  offsets: number[];
  rows: number;
  /** Float64, five numbers a column. */
  results: SharedArrayBuffer;
}

/**
 * Copies of byte ranges from one memory into another, per column: [from, to, bytes] triples.
 */
export interface CopyWork {
  kind: 'copy';
  from: WebAssembly.Memory;
  to: WebAssembly.Memory;
  pieces: number[][];
}

/**
 * Evenly spaced rows of columns (the correlation report's sample, prep/preprocess.ts): of a
 * column of `rows` values at byte offset `offsets[j]` of `from`, the `samples` values at rows
 * ⌊s · rows / samples⌋, into float32 `to` from value j · samples on. Reading them touches most of
 * the matrix's cache lines: memory-bound, hence two threads.
 */
export interface SampleWork {
  kind: 'sample';
  from: SharedArrayBuffer;
  offsets: number[];
  rows: number;
  samples: number;
  to: SharedArrayBuffer;
}

export type ColumnWork = StatsWork | CopyWork | SampleWork | ConvertWork | PsiWork;

/** What the helper gets: the work, and Int32 [next column, columns done, then per column 1 once done]. */
export type ColumnJob = ColumnWork & { control: SharedArrayBuffer };

/** What the helper is started with: collect.ts's lock of this thread. */
export interface ColumnWorkerData {
  collectorLock: Int32Array;
}

/** The kernel's functions (kernels/column-stats.wat). */
export interface StatsKernel {
  sums(p: number, n: number): [number, number, number, number];
  squares(p: number, n: number, mean: number): number;
  /** sums of four columns at once: [count, sum, min, max] of each, in turn (16 numbers). */
  sums4(pa: number, pb: number, pc: number, pd: number, n: number): number[];
  /** squares of four columns at once, about their four means. */
  squares4(
    pa: number,
    pb: number,
    pc: number,
    pd: number,
    n: number,
    ma: number,
    mb: number,
    mc: number,
    md: number,
  ): number[];
}

/**
 * Columns the statistics kernel does at once: two to a float64x2 vector, two vectors, each lane
 * the one-column loop's operations in its order (the same bits), four independent chains of
 * additions instead of one: ~4x faster, and near memory speed.
 */
export const STATS_GROUP = 4;

/**
 * Statistics of the columns at `offsets` (at most STATS_GROUP; a short group repeats its last
 * column) into `results` from column `first` on, five numbers a column.
 */
export function statsGroup(
  kernel: StatsKernel,
  offsets: readonly number[],
  rows: number,
  results: Float64Array,
  first: number,
): void {
  const p = Array.from(
    { length: STATS_GROUP },
    (_c, c) => offsets[Math.min(c, offsets.length - 1)],
  );
  const sums = kernel.sums4(p[0], p[1], p[2], p[3], rows);
  const means = p.map((_p, c) => (sums[c * 4] > 0 ? sums[c * 4 + 1] / sums[c * 4] : Number.NaN));
  const squares = kernel.squares4(
    p[0],
    p[1],
    p[2],
    p[3],
    rows,
    ...(means as [number, number, number, number]),
  );
  for (let c = 0; c < offsets.length; c++) {
    const [count, , min, max] = sums.slice(c * 4, c * 4 + 4);
    results.set([count, means[c], squares[c], min, max], (first + c) * 5);
  }
}

/** Values (or bytes / 4) below which one thread does it all (a hand-off costs ~1 ms). */
const SHARE_MIN_VALUES = 1 << 22;
/** How long to wait for the helper's columns before doing them here (it is never this slow). */
const WAIT_MS = 30_000;

let helper: { worker: Worker } | undefined;
/** The compiled statistics kernel, which the helper instantiates for statistics work. */
let statsModule: WebAssembly.Module | undefined;
/** Parts (columns, groups of columns) the helper has done in this process, by kind of work. */
const helperColumns = new Map<ColumnWork['kind'], number>();

/** Parts the helper has done, of one kind of work or of all (for tests: that it does take part). */
export function columnsDoneByHelper(kind?: ColumnWork['kind']): number {
  if (kind) return helperColumns.get(kind) ?? 0;
  return [...helperColumns.values()].reduce((a, b) => a + b, 0);
}

/**
 * Starts the helper thread (once per process, where there are two cores or more). Before the
 * input is read: the thread starts meanwhile (a second isolate: ~0.1 s, more on a busy machine),
 * and is there for the first work on the matrix.
 */
export function startColumnHelper(): void {
  if (helper || availableParallelism() < 2) return;
  try {
    const worker = new Worker(compiledModule(import.meta.url, 'column-worker.js'), {
      name: 'gpuseg-columns',
      execArgv: workerExecArgv(),
      workerData: { collectorLock: collectorLock() } satisfies ColumnWorkerData,
    });
    // Never holds the process open: while a job is in flight this thread is waiting on it anyway.
    worker.unref();
    worker.on('error', () => (helper = undefined));
    worker.on('exit', () => (helper = undefined));
    helper = { worker };
  } catch {
    helper = undefined; // no helper: this thread does everything, with the same results
  }
}

/** Gives the helper the compiled statistics kernel (statistics work waits for it). */
export function useStatsModule(module: WebAssembly.Module): void {
  statsModule = module;
}

/** The compiled statistics kernel the helper runs, where there is a helper and a kernel. */
export function helperModule(): WebAssembly.Module | undefined {
  return helper ? statsModule : undefined;
}

/** Does part j of a job (either thread): a column, or a group of columns' statistics. */
export function doColumn(work: ColumnWork, j: number, kernel: StatsKernel | undefined): void {
  if (work.kind === 'sample') {
    const column = new Float32Array(work.from, work.offsets[j], work.rows);
    const out = new Float32Array(work.to, j * work.samples * 4, work.samples);
    for (let s = 0; s < work.samples; s++)
      out[s] = column[Math.floor((s * work.rows) / work.samples)];
    return;
  }
  if (work.kind === 'convert') {
    convertColumn(work, j);
    return;
  }
  if (work.kind === 'psi') {
    doPsiColumn(work, j);
    return;
  }
  if (work.kind === 'copy') {
    const to = new Uint8Array(work.to.buffer);
    const from = new Uint8Array(work.from.buffer);
    const p = work.pieces[j];
    for (let t = 0; t < p.length; t += 3) to.set(from.subarray(p[t], p[t] + p[t + 2]), p[t + 1]);
    return;
  }
  const first = j * STATS_GROUP;
  const offsets = work.offsets.slice(first, first + STATS_GROUP);
  statsGroup(kernel!, offsets, work.rows, new Float64Array(work.results), first);
}

/** Takes columns from the job's counter and does them, until none is left; returns how many. */
export function claimColumns(job: ColumnJob, kernel: StatsKernel | undefined): number {
  const control = new Int32Array(job.control);
  const n = columnCount(job);
  for (let taken = 0; ; taken++) {
    const j = Atomics.add(control, 0, 1);
    if (j >= n) return taken;
    doColumn(job, j, kernel);
    Atomics.store(control, 2 + j, 1);
    Atomics.add(control, 1, 1);
    Atomics.notify(control, 1);
  }
}

/** The parts of a job, taken one at a time by either thread. */
function columnCount(work: ColumnWork): number {
  if (work.kind === 'stats') return Math.ceil(work.offsets.length / STATS_GROUP);
  if (work.kind === 'convert' || work.kind === 'psi') return work.columns.length;
  return work.kind === 'copy' ? work.pieces.length : work.offsets.length;
}

/** A job handed to the helper and not yet finished (beginShare → finishShare). */
export interface SharedJob {
  job: ColumnJob;
  parts: number;
}

/**
 * Hands `work` to the helper, which starts on its parts at once, and returns: the caller goes on
 * with other work meanwhile and then calls finishShare, which does the parts left. Undefined where
 * there is no helper or the work is small (`values`: the values it touches; `minParts`: fewer
 * parts are not worth a hand-off): the caller then does it alone.
 */
export function beginShare(work: ColumnWork, values: number, minParts = 2): SharedJob | undefined {
  const parts = columnCount(work);
  if (!helper || parts < minParts || values < SHARE_MIN_VALUES) return undefined;
  const job: ColumnJob = { ...work, control: new SharedArrayBuffer(4 * (2 + parts)) };
  helper.worker.postMessage(job);
  return { job, parts };
}

/**
 * Does the parts of a begun job that the helper has not taken, waits (bounded) for the ones it
 * took, and does any it did not finish in time (the same results); returns how many it did.
 */
export function finishShare(shared: SharedJob, kernel: StatsKernel | undefined): number {
  const { job, parts: n } = shared;
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
  // Columns the helper took but did not finish in time: done here (the same results).
  for (let j = 0; j < n; j++)
    if (Atomics.load(control, 2 + j) === 0) {
      doColumn(job, j, kernel);
      mine++;
    }
  helperColumns.set(job.kind, columnsDoneByHelper(job.kind) + n - mine);
  return n - mine;
}

/** A begun job no longer wanted: the helper takes none of its parts from now on. */
export function dropShare(shared: SharedJob): void {
  Atomics.store(new Int32Array(shared.job.control), 0, shared.parts);
}

/**
 * Does every column of `work`, the helper taking some where there is one and the work is large
 * (`values`: the values it touches); returns how many columns the helper did, or undefined where
 * it was not asked (no helper, or small work: the caller does it alone).
 */
export function shareColumns(
  work: ColumnWork,
  values: number,
  kernel: StatsKernel | undefined,
): number | undefined {
  const shared = beginShare(work, values);
  return shared && finishShare(shared, kernel);
}

/**
 * [count, mean, sum of squares about the mean, min, max] of the columns at `offsets` (byte
 * offsets in `memory`), five numbers a column, shared with the helper (`helped`: the columns it
 * did); undefined where there is no helper or the matrix is small.
 */
export function sharedColumnStats(
  memory: WebAssembly.Memory,
  kernel: StatsKernel,
  offsets: number[],
  rows: number,
): { results: Float64Array; helped: number } | undefined {
  const module = helperModule();
  if (!module) return undefined;
  const results = new SharedArrayBuffer(8 * 5 * offsets.length);
  const work: StatsWork = { kind: 'stats', module, memory, offsets, rows, results };
  const helped = shareColumns(work, offsets.length * rows, kernel);
  return helped === undefined ? undefined : { results: new Float64Array(results), helped };
}

/**
 * `samples` evenly spaced rows of every column of a column-major matrix in shared memory (rows
 * ⌊s · rows / samples⌋, column-major), the columns shared with the helper; undefined where
 * there is no helper, the data is not shared or the matrix is small (the caller gathers them).
 */
export function sharedRowSample(
  data: Float32Array,
  rows: number,
  dims: number,
  samples: number,
): Float32Array | undefined {
  if (!helper || !(data.buffer instanceof SharedArrayBuffer)) return undefined;
  const to = new SharedArrayBuffer(4 * samples * dims);
  const offsets = Array.from({ length: dims }, (_c, j) => data.byteOffset + j * rows * 4);
  const work: SampleWork = { kind: 'sample', from: data.buffer, offsets, rows, samples, to };
  return shareColumns(work, rows * dims, undefined) === undefined
    ? undefined
    : new Float32Array(to);
}
