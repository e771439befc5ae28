import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileWat, simdSupported } from '../util/compile-kernel.js';
import { packageRoot } from '../util/package-root.js';
import {
  sharedColumnStats,
  startColumnHelper,
  useStatsModule,
  STATS_GROUP,
  statsGroup,
  type StatsKernel,
} from './column-share.js';
import { inputMemoryOf } from './input-memory.js';
import type { DataMatrix } from './matrix.js';
import { meanAndStd } from './mean-std.js';

/**
 * Count, mean, standard deviation, min and max of a float32 matrix column in WebAssembly, where the
 * matrix lives in a WebAssembly memory (its usual home). The same float64 operations in the same
 * order as meanAndStd (mean-std.ts): the same bits. What it saves is time: a plain JavaScript loop
 * over ten million values runs unoptimised on its first calls (each column is visited a few
 * times, each time once), 40–120 ms a column here against 17–19 ms.
 * The kernel is a fixed file, kernels/column-stats.wat (sums and squares), read by path and
 * assembled once per process by util/compile-kernel.ts.
 */

type ColumnStatsExports = StatsKernel;

let compiled: WebAssembly.Module | undefined;
const instances = new WeakMap<WebAssembly.Memory, ColumnStatsExports>();

/**
 * Assembles the kernel (once per process); until then, and where WebAssembly SIMD is missing,
 * matrixColumnStats answers from the JavaScript loop with the same results.
 */
export async function loadColumnStatsKernel(withHelper = true): Promise<void> {
  // Large matrices' columns are shared with a helper thread (column-share.ts), started first,
  // before this awaits anything: it starts while the caller reads the input. Small inputs start
  // none: a thread is one more V8 isolate, whose reservations count against ulimit -v.
  if (withHelper) startColumnHelper();
  if (!compiled && typeof WebAssembly === 'object' && simdSupported())
    compiled = await compileWat(
      'column-stats',
      () => readFileSync(join(packageRoot(), 'kernels', 'column-stats.wat'), 'utf8'),
      true,
    );
  if (compiled) useStatsModule(compiled);
}

/** The compiled kernel (assembled on the first call). */
export async function columnStatsModule(): Promise<WebAssembly.Module> {
  await loadColumnStatsKernel();
  if (!compiled) throw new Error('the column statistics kernel needs WebAssembly SIMD');
  return compiled;
}

export interface ColumnSummary {
  mean: number;
  std: number;
  min: number;
  max: number;
  count: number;
}

/** The kernel on the WebAssembly memory a matrix lives in, or undefined where it cannot run. */
function kernelFor(
  m: DataMatrix,
): { ex: ColumnStatsExports; memory: WebAssembly.Memory } | undefined {
  // A matrix read in place lies in its input's memory, whose buffer has since grown (a new object).
  const memory = m.kernelMemory?.memory ?? inputMemoryOf(m.data.buffer);
  const inMemory =
    memory !== undefined &&
    (m.data.buffer === memory.buffer || inputMemoryOf(m.data.buffer) === memory);
  if (!compiled || !inMemory) return undefined;
  let ex = instances.get(memory);
  if (!ex) {
    ex = new WebAssembly.Instance(compiled, { env: { mem: memory } })
      .exports as unknown as ColumnStatsExports;
    instances.set(memory, ex);
  }
  return { ex, memory };
}

/** The statistics of column j of a matrix in a WebAssembly memory, or undefined where the kernel cannot run. */
export function kernelColumnStats(m: DataMatrix, j: number): ColumnSummary | undefined {
  const kernel = kernelFor(m);
  if (!kernel) return undefined;
  const p = m.data.byteOffset + j * m.rows * 4;
  const [count, sum, min, max] = kernel.ex.sums(p, m.rows);
  const mean = count > 0 ? sum / count : Number.NaN;
  const ss = kernel.ex.squares(p, m.rows, mean);
  return { mean, std: count > 0 ? Math.sqrt(ss / count) : Number.NaN, min, max, count };
}

/**
 * The statistics of every column of a matrix in a WebAssembly memory, four columns at a time
 * (column-share.ts's statsGroup), the groups shared with the helper thread where the matrix is
 * large: the same bits as column by column. Undefined where the kernel cannot run.
 */
export function kernelAllColumnStats(m: DataMatrix): ColumnSummary[] | undefined {
  const kernel = kernelFor(m);
  if (!kernel) return undefined;
  const offsets = Array.from({ length: m.dims }, (_c, j) => m.data.byteOffset + j * m.rows * 4);
  let results = sharedColumnStats(kernel.memory, kernel.ex, offsets, m.rows)?.results;
  if (!results) {
    // One thread: the columns a group at a time (the kernel's fastest form, the same bits).
    results = new Float64Array(5 * m.dims);
    for (let j = 0; j < m.dims; j += STATS_GROUP)
      statsGroup(kernel.ex, offsets.slice(j, j + STATS_GROUP), m.rows, results, j);
  }
  return offsets.map((_p, j) => {
    const [count, mean, ss, min, max] = results.subarray(j * 5, j * 5 + 5);
    return { mean, std: count > 0 ? Math.sqrt(ss / count) : Number.NaN, min, max, count };
  });
}

/**
 * Statistics already computed per matrix data and column: the ingest scan's (data/to-matrix.ts)
 * serve the tolerance and the standard scaler of an unchanged matrix. Whoever writes into a
 * matrix's data calls forgetColumnStats first.
 */
const known = new WeakMap<Float32Array, Map<number, ColumnSummary>>();

/**
 * meanAndStd of column j of a matrix: by the kernel where it can run, else by the JavaScript loop
 * (same bits). Every caller visits every column of a finished matrix, so the kernel computes them
 * all at the first (two threads share them).
 */
export function matrixColumnStats(m: DataMatrix, j: number): ColumnSummary {
  const memo = known.get(m.data)?.get(j);
  if (memo) return memo;
  let columns = known.get(m.data);
  if (!columns) known.set(m.data, (columns = new Map()));
  const all = kernelAllColumnStats(m);
  if (all) {
    all.forEach((stats, c) => columns.set(c, stats));
    return all[j];
  }
  const stats = meanAndStd(m.data.subarray(j * m.rows, (j + 1) * m.rows));
  columns.set(j, stats);
  return stats;
}

/** Drops the statistics kept for a matrix whose values are about to change. */
export function forgetColumnStats(m: DataMatrix): void {
  known.delete(m.data);
}
