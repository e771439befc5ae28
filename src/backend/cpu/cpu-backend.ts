import {
  KERNEL_SCRATCH_BYTES,
  KERNEL_SCRATCH_SLOTS,
  type DataMatrix,
  type KernelMemory,
} from '../../data/matrix.js';
import { InternalError } from '../../errors.js';
import {
  SEED_BLOCK_ROWS,
  type Assignment,
  type GmmAssignment,
  type GmmPassParams,
  type GmmSummary,
  type Backend,
  type DatasetHandle,
  type LloydOptions,
  type LloydSummary,
} from '../backend.js';
import {
  boundedLloydKernelSource,
  GMM_MIN_RESPONSIBILITY,
  gmmKernelSource,
  lloydKernelSource,
  sampleUniform,
  seedMinDistKernelSource,
  seedPotentialsKernelSource,
} from './kernel-source.js';
import {
  BOUNDED_MAX_FAILING,
  boundedSummary,
  centreGeometry,
  predictedFailing,
  sumOfSquares,
  type BoundState,
  type CentreGeometry,
} from './bounded-state.js';
import {
  runJob,
  dropDataset,
  type BlockData,
  type BlockJob,
  type WasmBoundedSpec,
  type WasmGmmSpec,
  type WasmKernelSpec,
  type WasmSeedSpec,
} from './run-block.js';
import { gmmWasmFits, gmmWasmLayout, gmmWasmModule, gmmWasmRows } from './wasm-gmm.js';
import { lloydWasmModule, ROW_TIE_TOLERANCE, wasmKernelFits, wasmLayout } from './wasm-kernel.js';
import { seedWasmFits, seedWasmModule } from './wasm-seed.js';
import { boundedWasmFits, boundedWasmModule } from './wasm-bounded.js';
import { cpuThreads, WorkerPool } from './worker-pool.js';

/**
 * The CPU backend: the passes of backend.ts on typed arrays, over all cores with worker_threads.
 *
 * Rows are cut into fixed blocks of CPU_BLOCK_ROWS; each block yields its own float64 partial
 * summary and the partials are added in block order on the main thread. The result therefore does
 * not depend on the number of threads: the same input gives the same bits on any machine.
 * Small inputs run on the calling thread (same blocks, same order), since starting workers would
 * cost more than the work.
 */
export const CPU_BLOCK_ROWS = 32768;
const INLINE_MAX_VALUES = 1 << 19;

let sharedPool: WorkerPool | undefined;

function pool(): WorkerPool {
  sharedPool ??= new WorkerPool(cpuThreads());
  return sharedPool;
}

/** Stops the shared CPU worker threads (they are unreferenced when idle, so this is optional). */
export async function shutdownCpuWorkers(): Promise<void> {
  const p = sharedPool;
  sharedPool = undefined;
  await p?.dispose();
}

/** The calling thread's scratch slot in a kernel memory (workers use slots 0 … 63). */
const INLINE_SLOT = KERNEL_SCRATCH_SLOTS - 1;

interface CpuDataset extends DatasetHandle {
  readonly id: number;
  /** The matrix as run-block.ts sees it on the calling thread. */
  readonly data: BlockData;
  readonly inline: boolean;
  /** The matrix's kernel memory, when this attachment holds its per-row regions (the SIMD kernel then works in place). */
  readonly kmem: KernelMemory | undefined;
  labels: Int32Array;
  minDist: Float32Array | undefined;
  blockSums: Float64Array | undefined;
  /** State of bounded Lloyd steps, valid while the stored labels come from steps with this k. */
  bounds: BoundState | undefined;
  /** Σ‖x‖² over the rows, for the inertia of a bounded step (computed once). */
  sumSquares: number | undefined;
}

let nextDatasetId = 1;

function sharedInt32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(4, n * 4)), 0, n);
}

export class CpuBackend implements Backend {
  readonly kind = 'cpu' as const;
  readonly deviceName: string;
  private disposed = false;
  private boundedStepCount = 0;

  /**
   * @param threads worker threads (default: GPUSEG_THREADS, else every core)
   * @param useWasm use the WebAssembly SIMD Lloyd kernel where the shape suits it (default true;
   *   false keeps the plain JavaScript kernels, which tests compare it with)
   */
  constructor(
    private readonly threads = cpuThreads(),
    private readonly useWasm = true,
  ) {
    this.deviceName = `cpu: ${threads} thread${threads === 1 ? '' : 's'}`;
  }

  /** Lloyd steps taken as bounded steps (the others were full passes): for tests and benchmarks. */
  get boundedSteps(): number {
    return this.boundedStepCount;
  }

  async attach(matrix: DataMatrix): Promise<DatasetHandle> {
    const id = nextDatasetId++;
    // A second attachment of the same matrix gets its own per-row arrays (and the copying kernel).
    const kmem =
      matrix.kernelMemory && !matrix.kernelMemory.claimed ? matrix.kernelMemory : undefined;
    if (kmem) kmem.claimed = true;
    const ds: CpuDataset = {
      kmem,
      id,
      data: { id, X: matrix.data, n: matrix.rows, d: matrix.dims, kmem },
      rows: matrix.rows,
      dims: matrix.dims,
      matrix,
      inline: matrix.rows * matrix.dims <= INLINE_MAX_VALUES || this.threads === 1,
      labels: (kmem
        ? new Int32Array(kmem.memory.buffer, kmem.labels, matrix.rows)
        : sharedInt32(matrix.rows)
      ).fill(-1),
      minDist: undefined,
      blockSums: undefined,
      bounds: undefined,
      sumSquares: undefined,
    };
    if (!ds.inline)
      pool().broadcast({
        op: 'dataset',
        id: ds.id,
        X: matrix.data,
        n: matrix.rows,
        d: matrix.dims,
        kernelMemory: kmem,
      });
    return ds;
  }

  async detach(handle: DatasetHandle): Promise<void> {
    const ds = this.dataset(handle);
    if (ds.kmem) ds.kmem.claimed = false;
    dropDataset(ds.id);
    if (!ds.inline && sharedPool) sharedPool.broadcast({ op: 'drop', id: ds.id });
  }

  async resetLabels(handle: DatasetHandle): Promise<void> {
    const ds = this.dataset(handle);
    ds.labels.fill(-1);
    ds.bounds = undefined;
  }

  /** The SIMD kernel's description for the workers, when the shape suits it. */
  private async wasmKernel(
    ds: CpuDataset,
    k: number,
    d: number,
  ): Promise<WasmKernelSpec | undefined> {
    if (!this.useWasm || !wasmKernelFits(k, d)) return undefined;
    const inPlace = ds.kmem !== undefined;
    const layout = wasmLayout(inPlace ? 0 : CPU_BLOCK_ROWS, k, d);
    if (inPlace && layout.bytes > KERNEL_SCRATCH_BYTES) return undefined;
    return {
      key: `${k}:${d}`,
      module: await lloydWasmModule(k, d, inPlace),
      k,
      d,
      layout,
      maxRows: CPU_BLOCK_ROWS,
      tau: ROW_TIE_TOLERANCE,
      inPlace,
      slotBytes: KERNEL_SCRATCH_BYTES,
    };
  }

  /**
   * The SIMD diagonal E-step (wasm-gmm.ts) for the worker threads, where it applies: a diagonal
   * mixture on a matrix in a WebAssembly memory, run on the workers (small inputs run inline,
   * with the JavaScript kernel).
   */
  private async wasmGmm(ds: CpuDataset, params: GmmPassParams): Promise<WasmGmmSpec | undefined> {
    const { k } = params;
    const d = ds.dims;
    if (!this.useWasm || params.form !== 'diag' || !ds.kmem || ds.inline || !gmmWasmFits(k, d))
      return undefined;
    const rows = gmmWasmRows(k, d, KERNEL_SCRATCH_BYTES);
    if (rows === 0) return undefined;
    return {
      key: `${k}:${d}`,
      module: await gmmWasmModule(k, d),
      k,
      d,
      layout: gmmWasmLayout(k, d, rows),
      rows,
      minResponsibility: GMM_MIN_RESPONSIBILITY,
      slotBytes: KERNEL_SCRATCH_BYTES,
    };
  }

  /**
   * The SIMD seeding kernels (wasm-seed.ts), where the matrix lives in a kernel memory: the same
   * results as the JavaScript kernels, bit for bit, on the workers and the calling thread alike.
   */
  private async wasmSeed(ds: CpuDataset): Promise<WasmSeedSpec | undefined> {
    if (!this.useWasm || !ds.kmem || !seedWasmFits(ds.dims)) return undefined;
    return {
      key: `seed:${ds.dims}`,
      module: await seedWasmModule(ds.dims),
      d: ds.dims,
      slotBytes: KERNEL_SCRATCH_BYTES,
      maxRows: CPU_BLOCK_ROWS,
    };
  }

  /** The WebAssembly bounded step (wasm-bounded.ts), where the labels and bounds live in the matrix's kernel memory. */
  private async wasmBounded(ds: CpuDataset, k: number): Promise<WasmBoundedSpec | undefined> {
    const d = ds.dims;
    if (!this.useWasm || !ds.kmem || !boundedWasmFits(k, d, KERNEL_SCRATCH_BYTES)) return undefined;
    return {
      key: `bounded:${k}:${d}`,
      module: await boundedWasmModule(k, d),
      k,
      d,
      slotBytes: KERNEL_SCRATCH_BYTES,
    };
  }

  /** Int32 per row: in the kernel memory's region `region` when there is one, else a new shared array. */
  private rowInts(ds: CpuDataset, region: 'labels' | 'outLabels'): Int32Array {
    const kmem = ds.kmem;
    return kmem ? new Int32Array(kmem.memory.buffer, kmem[region], ds.rows) : sharedInt32(ds.rows);
  }

  /**
   * A Lloyd step. With the SIMD kernel, the first step after resetLabels is a full pass that also
   * leaves Hamerly bounds; the next steps with the same k are bounded (boundedStep): the same
   * labels, sums and counts, at a fraction of the cost once few rows move.
   */
  async lloydStep(
    handle: DatasetHandle,
    centres: Float32Array,
    k: number,
    options: LloydOptions = {},
  ): Promise<LloydSummary> {
    const ds = this.dataset(handle);
    const kd = k * ds.dims;
    const store = options.storeLabels !== false;
    const wasm = await this.wasmKernel(ds, k, ds.dims);
    if (store && wasm && ds.bounds?.k === k) {
      const geometry = centreGeometry(centres, ds.bounds.centres, k, ds.dims);
      if (predictedFailing(ds.labels, ds.bounds, geometry) <= BOUNDED_MAX_FAILING)
        return this.boundedStep(ds, ds.bounds, centres, k, geometry);
    }
    if (!store) ds.bounds = undefined; // outLabels shares the bounds' bytes (matrix.ts)
    const labels = store ? ds.labels : this.rowInts(ds, 'outLabels').fill(-1);
    const bounds = store && wasm ? this.boundArrays(ds) : undefined;
    // The next steps will be bounded ones: assemble their kernel meanwhile (once per shape).
    if (bounds) this.wasmBounded(ds, k).catch(() => undefined);
    const partials = await this.runBlocks(ds, {
      call: 'lloyd',
      kernel: lloydKernelSource(k, ds.dims),
      k,
      C: centres,
      labels,
      sqd: null,
      accumulate: true,
      accLength: kd + k + 2,
      wasm,
      ub: bounds?.upper ?? null,
      lb: bounds?.lower ?? null,
    });
    const total = new Float64Array(kd + k + 2);
    for (const part of partials) for (let j = 0; j < total.length; j++) total[j] += part[j];
    const summary = {
      sums: total.slice(0, kd),
      counts: total.slice(kd, kd + k),
      inertia: total[kd + k],
      changed: total[kd + k + 1],
    };
    if (bounds)
      ds.bounds = {
        k,
        ...bounds,
        centres: Float32Array.from(centres),
        sums: summary.sums.slice(),
        counts: summary.counts.slice(),
      };
    return summary;
  }

  private boundArrays(ds: CpuDataset): { upper: Float32Array; lower: Float32Array } {
    const kmem = ds.kmem;
    if (kmem)
      return {
        upper: new Float32Array(kmem.memory.buffer, kmem.upper, ds.rows),
        lower: new Float32Array(kmem.memory.buffer, kmem.lower, ds.rows),
      };
    const shared = () =>
      new Float32Array(new SharedArrayBuffer(Math.max(4, ds.rows * 4)), 0, ds.rows);
    return { upper: shared(), lower: shared() };
  }

  /** A Lloyd step that skips the rows whose label cannot change (see boundedLloydKernelSource). */
  private async boundedStep(
    ds: CpuDataset,
    b: BoundState,
    centres: Float32Array,
    k: number,
    g: CentreGeometry,
  ): Promise<LloydSummary> {
    this.boundedStepCount++;
    const d = ds.dims;
    const partials = await this.runBlocks(ds, {
      call: 'bounded',
      kernel: boundedLloydKernelSource(k, d),
      k,
      C: centres,
      labels: ds.labels,
      U: b.upper,
      Lo: b.lower,
      ...g,
      accLength: k * d + k + 2,
      wasmBounded: await this.wasmBounded(ds, k),
    });
    ds.sumSquares ??= sumOfSquares(ds.matrix);
    return boundedSummary(b, partials, centres, d, ds.sumSquares);
  }

  async assign(handle: DatasetHandle, centres: Float32Array, k: number): Promise<Assignment> {
    const ds = this.dataset(handle);
    // The outputs share the bounds' bytes (matrix.ts): the next Lloyd step is a full pass.
    ds.bounds = undefined;
    const labels = this.rowInts(ds, 'outLabels').fill(-1);
    const kmem = ds.kmem;
    const sqd = kmem
      ? new Float32Array(kmem.memory.buffer, kmem.sqd, ds.rows)
      : new Float32Array(new SharedArrayBuffer(Math.max(4, ds.rows * 4)), 0, ds.rows);
    await this.runBlocks(ds, {
      call: 'lloyd',
      kernel: lloydKernelSource(k, ds.dims),
      k,
      C: centres,
      labels,
      sqd,
      accumulate: false,
      accLength: 0,
      wasm: await this.wasmKernel(ds, k, ds.dims),
      ub: null,
      lb: null,
    });
    return { labels: labels.slice(), sqDistances: sqd.slice() };
  }

  async seedReset(handle: DatasetHandle, centres: Float32Array, count = 1): Promise<Float64Array> {
    return this.seedMinDist(handle, centres, count, true);
  }

  async seedUpdate(handle: DatasetHandle, centres: Float32Array, count = 1): Promise<Float64Array> {
    return this.seedMinDist(handle, centres, count, false);
  }

  async seedSample(handle: DatasetHandle, factor: number, seed: number): Promise<Int32Array> {
    const ds = this.dataset(handle);
    if (!ds.minDist) throw new InternalError('seedSample called before seedReset');
    const f = Math.fround(factor);
    const kept: number[] = [];
    for (let i = 0; i < ds.rows; i++)
      if (sampleUniform(i, seed >>> 0) < Math.fround(f * ds.minDist[i])) kept.push(i);
    return Int32Array.from(kept);
  }

  private async seedMinDist(
    handle: DatasetHandle,
    centres: Float32Array,
    count: number,
    reset: boolean,
  ): Promise<Float64Array> {
    const ds = this.dataset(handle);
    ds.minDist ??= new Float32Array(new SharedArrayBuffer(Math.max(4, ds.rows * 4)), 0, ds.rows);
    const nBlocks = Math.ceil(ds.rows / SEED_BLOCK_ROWS);
    ds.blockSums ??= new Float64Array(new SharedArrayBuffer(Math.max(8, nBlocks * 8)), 0, nBlocks);
    await this.runBlocks(ds, {
      call: 'seedMinDist',
      kernel: seedMinDistKernelSource(ds.dims),
      C: centres,
      count,
      minDist: ds.minDist,
      reset,
      blockSums: ds.blockSums,
      blockRows: SEED_BLOCK_ROWS,
      wasmSeed: await this.wasmSeed(ds),
    });
    return ds.blockSums.slice();
  }

  async seedPotentials(
    handle: DatasetHandle,
    candidates: Float32Array,
    count: number,
  ): Promise<Float64Array> {
    const ds = this.dataset(handle);
    if (!ds.minDist) throw new InternalError('seedPotentials called before seedReset');
    const partials = await this.runBlocks(ds, {
      call: 'seedPotentials',
      kernel: seedPotentialsKernelSource(ds.dims),
      cands: candidates,
      L: count,
      minDist: ds.minDist,
      wasmSeed: await this.wasmSeed(ds),
    });
    const out = new Float64Array(count);
    for (const part of partials) for (let l = 0; l < count; l++) out[l] += part[l];
    return out;
  }

  async seedReadMinDist(
    handle: DatasetHandle,
    start: number,
    count: number,
  ): Promise<Float32Array> {
    const ds = this.dataset(handle);
    if (!ds.minDist) throw new InternalError('seedReadMinDist called before seedReset');
    return ds.minDist.slice(start, start + count);
  }

  async gmmStep(handle: DatasetHandle, params: GmmPassParams): Promise<GmmSummary> {
    const ds = this.dataset(handle);
    const { k } = params;
    const d = ds.dims;
    const s = params.form === 'diag' ? d : (d * (d + 1)) / 2;
    const accLength = k + k * d + k * s;
    const partials = await this.runBlocks(ds, {
      call: 'gmm',
      kernel: gmmKernelSource(params.form, k, d),
      form: params.form,
      k,
      M: params.means,
      P: params.precChol,
      B: params.bias,
      accLength,
      labels: null,
      maxProb: null,
      probs: null,
      wasmGmm: await this.wasmGmm(ds, params),
    });
    const total = new Float64Array(accLength + 1);
    for (const part of partials) for (let j = 0; j < total.length; j++) total[j] += part[j];
    return {
      nk: total.slice(0, k),
      sd: total.slice(k, k + k * d),
      sdd: total.slice(k + k * d, accLength),
      logLikelihood: total[accLength],
    };
  }

  async gmmAssign(
    handle: DatasetHandle,
    params: GmmPassParams,
    options: { probabilities: boolean },
  ): Promise<GmmAssignment> {
    const ds = this.dataset(handle);
    const n = ds.rows;
    const shared = (bytes: number) => new SharedArrayBuffer(Math.max(8, bytes));
    const labels = new Int32Array(shared(n * 4), 0, n);
    const maxProb = new Float32Array(shared(n * 4), 0, n);
    const probs = options.probabilities
      ? new Float32Array(shared(n * params.k * 4), 0, n * params.k)
      : null;
    const partials = await this.runBlocks(ds, {
      call: 'gmm',
      kernel: gmmKernelSource(params.form, params.k, ds.dims),
      form: params.form,
      k: params.k,
      M: params.means,
      P: params.precChol,
      B: params.bias,
      accLength: 0,
      labels,
      maxProb,
      probs,
      wasmGmm: await this.wasmGmm(ds, params),
    });
    let logLikelihood = 0;
    for (const part of partials) logLikelihood += part[0];
    return {
      labels: labels.slice(),
      probability: maxProb.slice(),
      probabilities: probs ? probs.slice() : undefined,
      logLikelihood,
    };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }

  private dataset(handle: DatasetHandle): CpuDataset {
    if (this.disposed) throw new InternalError('the CPU backend was disposed');
    return handle as CpuDataset;
  }

  /** Runs a job over every block; returns the per-block results in block order. */
  private async runBlocks(ds: CpuDataset, job: BlockJob): Promise<Float64Array[]> {
    const blocks: [number, number][] = [];
    for (let i0 = 0; i0 < ds.rows; i0 += CPU_BLOCK_ROWS)
      blocks.push([i0, Math.min(ds.rows, i0 + CPU_BLOCK_ROWS)]);
    if (ds.inline) return runJob(ds.data, INLINE_SLOT, job, blocks);
    // Worker w uses scratch slot w of a kernel memory; the pool has at most 64, below INLINE_SLOT.
    const workers = Math.min(this.threads, blocks.length, pool().size);
    const jobs: Promise<Float64Array[]>[] = [];
    for (let w = 0; w < workers; w++) {
      const mine = blocks.slice(
        Math.floor((w * blocks.length) / workers),
        Math.floor(((w + 1) * blocks.length) / workers),
      );
      jobs.push(pool().run(w, { id: ds.id, slot: w, work: job, blocks: mine }));
    }
    return (await Promise.all(jobs)).flat();
  }
}
