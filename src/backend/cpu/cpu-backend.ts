import type { DataMatrix } from '../../data/matrix.js';
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
  type RadiusCounts,
  type RadiusQuery,
} from '../backend.js';
import {
  gmmKernelSource,
  lloydKernelSource,
  sampleRows,
  seedMinDistKernelSource,
  seedPotentialsKernelSource,
} from './kernel-source.js';
import { boundedLloydStep } from './bounded-steps.js';
import {
  attachDataset,
  boundArrays,
  releaseDataset,
  rowInts,
  sharedFloat32,
  sharedInt32,
  type CpuDataset,
} from './cpu-dataset.js';
import { runBlocks } from './block-runner.js';
import { cpuRadiusCount, cpuRadiusList } from './cpu-radius.js';
import { addInOrder, type BlockJob, type WasmKernelSpec, type WasmSeedSpec } from './run-block.js';
import { wasmBoundedSpec, wasmGmmSpec, wasmKernelSpec, wasmSeedSpec } from './wasm-specs.js';
import { GEMM_MIN_K } from './wasm-gemm.js';
import { YINYANG_MAX_SHARE, YINYANG_MIN_K } from './yinyang-groups.js';
import { cpuThreads, sharedWorkerPool } from './worker-pool.js';

export { CPU_BLOCK_ROWS } from './wasm-specs.js';

/**
 * The CPU backend: the passes of backend.ts on typed arrays, over all cores with worker_threads.
 *
 * Rows are cut into fixed blocks of CPU_BLOCK_ROWS; each block yields its own float64 partial
 * summary and the partials are added in block order on the main thread. The result therefore does
 * not depend on the number of threads: the same input gives the same bits on any machine.
 * Small inputs run on the calling thread (same blocks, same order), since starting workers would
 * cost more than the work.
 */
export const INLINE_MAX_VALUES = 1 << 19;

export class CpuBackend implements Backend {
  readonly kind = 'cpu' as const;
  readonly deviceName: string;
  private disposed = false;
  private boundedStepCount = 0;
  private yinyangStepCount = 0;
  /** Datasets not yet detached: dispose() detaches them (a failed or cancelled run). */
  private readonly attached = new Set<CpuDataset>();

  /**
   * @param threads worker threads (default: GPUSEG_THREADS, else every core)
   * @param useWasm use the WebAssembly SIMD Lloyd kernel where the shape suits it (default true;
   *   false keeps the plain JavaScript kernels, which tests compare it with)
   * @param gemmMinK from this many centres the SIMD Lloyd kernel is the GEMM-form one
   *   (wasm-gemm.ts; default GEMM_MIN_K; Infinity keeps the direct one, which tests compare it with)
   * @param steps which Lloyd steps may skip work with bounds (bounded-steps.ts): `bounded: false`
   *   makes every step a full pass; from `yinyangMinK` centres (default YINYANG_MIN_K, now Infinity:
   *   never) they are Yinyang steps, below it Hamerly's; a Yinyang step is taken where it is
   *   predicted to compute at most `yinyangMaxShare` of the N·K distances (default YINYANG_MAX_SHARE)
   */
  constructor(
    private readonly threads = cpuThreads(),
    private readonly useWasm = true,
    private readonly gemmMinK = GEMM_MIN_K,
    private readonly steps: {
      bounded?: boolean;
      yinyangMinK?: number;
      yinyangMaxShare?: number;
    } = {},
  ) {
    this.deviceName = `cpu: ${threads} thread${threads === 1 ? '' : 's'}`;
  }

  /** Lloyd steps taken as bounded steps (the others were full passes): for tests and benchmarks. */
  get boundedSteps(): number {
    return this.boundedStepCount;
  }

  /** Of the bounded steps, those that were Yinyang steps. */
  get yinyangSteps(): number {
    return this.yinyangStepCount;
  }

  async attach(matrix: DataMatrix): Promise<DatasetHandle> {
    const inline = matrix.rows * matrix.dims <= INLINE_MAX_VALUES || this.threads === 1;
    const ds = attachDataset(matrix, inline);
    this.attached.add(ds);
    if (!inline)
      sharedWorkerPool(this.threads).broadcast({
        op: 'dataset',
        id: ds.id,
        X: matrix.data,
        n: matrix.rows,
        d: matrix.dims,
        kernelMemory: ds.kmem,
      });
    return ds;
  }

  async detach(handle: DatasetHandle): Promise<void> {
    const ds = this.dataset(handle);
    ds.yinyang = undefined; // its group bounds go with it, even where the caller keeps the handle
    if (this.attached.delete(ds)) releaseDataset(ds);
  }

  async resetLabels(handle: DatasetHandle): Promise<void> {
    const ds = this.dataset(handle);
    ds.labels.fill(-1);
    ds.bounds = undefined;
    ds.yinyang = undefined; // a new fit
  }

  private async wasmKernel(ds: CpuDataset, k: number): Promise<WasmKernelSpec | undefined> {
    return this.useWasm
      ? wasmKernelSpec(ds.kmem !== undefined, k, ds.dims, this.gemmMinK)
      : undefined;
  }

  private async wasmSeed(ds: CpuDataset): Promise<WasmSeedSpec | undefined> {
    return this.useWasm && ds.kmem ? wasmSeedSpec(ds.dims) : undefined;
  }

  /**
   * A Lloyd step. With the SIMD kernel, the first step after resetLabels is a full pass that also
   * leaves bounds; the next steps with the same k are bounded where that pays (bounded-steps.ts):
   * the same labels, sums and counts, at a fraction of the cost once few rows move.
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
    const wasm = await this.wasmKernel(ds, k);
    if (store && wasm && ds.bounds?.k === k && this.steps.bounded !== false) {
      const yinyang = {
        minK: this.steps.yinyangMinK ?? YINYANG_MIN_K,
        maxShare: this.steps.yinyangMaxShare ?? YINYANG_MAX_SHARE,
      };
      const run = (job: BlockJob) => this.runBlocks(ds, job);
      const step = await boundedLloydStep(ds, ds.bounds, centres, yinyang, run);
      if (step) {
        this.boundedStepCount++;
        if (step.kind === 'yinyang') this.yinyangStepCount++;
        return step.summary;
      }
    }
    if (!store) ds.bounds = undefined; // outLabels shares the bounds' bytes (matrix.ts)
    const labels = store ? ds.labels : rowInts(ds, 'outLabels').fill(-1);
    const bounds = store && wasm ? boundArrays(ds) : undefined;
    // The next steps will be bounded ones: assemble their kernel meanwhile (once per shape).
    if (bounds && ds.kmem) wasmBoundedSpec(k, ds.dims).catch(() => undefined);
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
    const total = addInOrder(partials, kd + k + 2);
    const summary = {
      sums: total.slice(0, kd),
      counts: total.slice(kd, kd + k),
      inertia: total[kd + k],
      changed: total[kd + k + 1],
    };
    if (ds.yinyang) ds.yinyang.fresh = true; // the full pass's bounds replace the group bounds
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

  async assign(handle: DatasetHandle, centres: Float32Array, k: number): Promise<Assignment> {
    const ds = this.dataset(handle);
    // The outputs share the bounds' bytes (matrix.ts): the next Lloyd step is a full pass. A fit
    // ends with an assignment pass: its group bounds go.
    ds.bounds = undefined;
    ds.yinyang = undefined;
    const labels = rowInts(ds, 'outLabels').fill(-1);
    const kmem = ds.kmem;
    const sqd = kmem
      ? new Float32Array(kmem.memory.buffer, kmem.sqd, ds.rows)
      : sharedFloat32(ds.rows);
    await this.runBlocks(ds, {
      call: 'lloyd',
      kernel: lloydKernelSource(k, ds.dims),
      k,
      C: centres,
      labels,
      sqd,
      accumulate: false,
      accLength: 0,
      wasm: await this.wasmKernel(ds, k),
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
    return sampleRows(ds.minDist, ds.rows, factor, seed);
  }

  private async seedMinDist(
    handle: DatasetHandle,
    centres: Float32Array,
    count: number,
    reset: boolean,
  ): Promise<Float64Array> {
    const ds = this.dataset(handle);
    ds.minDist ??= sharedFloat32(ds.rows);
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
    return addInOrder(partials, count);
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
    const partials = await this.runBlocks(ds, await this.gmmJob(ds, params, accLength));
    const total = addInOrder(partials, accLength + 1);
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
    const labels = sharedInt32(n);
    const maxProb = sharedFloat32(n);
    const probs = options.probabilities ? sharedFloat32(n * params.k) : null;
    const job = await this.gmmJob(ds, params, 0, labels, maxProb, probs);
    const partials = await this.runBlocks(ds, job);
    let logLikelihood = 0;
    for (const part of partials) logLikelihood += part[0];
    return {
      labels: labels.slice(),
      probability: maxProb.slice(),
      probabilities: probs ? probs.slice() : undefined,
      logLikelihood,
    };
  }

  /** An E-step job: statistics when accLength > 0, the per-row outputs that are not null. */
  private async gmmJob(
    ds: CpuDataset,
    params: GmmPassParams,
    accLength: number,
    labels: Int32Array | null = null,
    maxProb: Float32Array | null = null,
    probs: Float32Array | null = null,
  ): Promise<BlockJob> {
    const { form, k } = params;
    return {
      call: 'gmm',
      kernel: gmmKernelSource(form, k, ds.dims),
      form,
      k,
      M: params.means,
      P: params.precChol,
      B: params.bias,
      accLength,
      labels,
      maxProb,
      probs,
      // Workers only: small inputs run inline, with the JavaScript kernel.
      wasmGmm:
        this.useWasm && ds.kmem && !ds.inline ? await wasmGmmSpec(form, k, ds.dims) : undefined,
    };
  }

  radiusCount(handle: DatasetHandle, query: RadiusQuery): Promise<RadiusCounts> {
    return cpuRadiusCount(this.dataset(handle), this.threads, query);
  }

  radiusList(handle: DatasetHandle, query: RadiusQuery, offsets: Int32Array): Promise<Int32Array> {
    return cpuRadiusList(this.dataset(handle), this.threads, query, offsets);
  }

  async dispose(): Promise<void> {
    for (const ds of [...this.attached]) await this.detach(ds);
    this.disposed = true;
  }

  private dataset(handle: DatasetHandle): CpuDataset {
    if (this.disposed) throw new InternalError('the CPU backend was disposed');
    return handle as CpuDataset;
  }

  /** Runs a job over every block (block-runner.ts); returns the per-block results in block order. */
  private runBlocks(ds: CpuDataset, job: BlockJob): Promise<Float64Array[]> {
    return runBlocks(ds, this.threads, job);
  }
}
