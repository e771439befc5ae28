import type { DataMatrix } from '../../data/matrix.js';
import { InternalError } from '../../errors.js';
import { collect } from '../../util/collect.js';
import {
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
import { injectedFaultAtCount } from './fault-injection.js';
import { createBuffer, readBack, storageFrom } from './gpu-buffers.js';
import { sharedContext, type GpuContext } from './gpu-context.js';
import { chunkRows, GpuDataset } from './gpu-dataset.js';
import { gmmAssignPass, gmmStepPass } from './gmm-passes.js';
import { GpuTiming } from './gpu-timing.js';
import { encodeLloyd } from './lloyd-dispatch.js';
import { lloydStepPass, type LloydVariant } from './lloyd-pass.js';
import { PipelineCache } from './program.js';
import { radiusPass } from './radius-dispatch.js';
import { minDistPass, potentialsPass, sampleRows } from './seed-passes.js';

/**
 * The GPU backend: the passes of backend.ts as WGSL kernels through WebGPU (Dawn), one dispatcher
 * per kernel beside it (*-dispatch.ts). Data lives in chunked datasets (gpu-dataset.ts), resident
 * or streamed; per-chunk summaries come back as (hi, lo) float pairs and are added in float64 on
 * the host (readPairSums).
 */
export interface GpuBackendOptions {
  /** Accept a software adapter (lavapipe); --backend gpu does, --backend auto does not. */
  allowFallback: boolean;
  /** Cap on rows per chunk (tests use it to exercise chunking on small data). */
  maxChunkRows?: number;
  /** Never keep data resident (tests use it to exercise streaming). */
  forceStreaming?: boolean;
  /**
   * Use subgroup operations where the device has them (default false). Only the Lloyd kernel's
   * row masks use them (shaders/lib/mark_rows.subgroups.wgsl): on an NVIDIA H200 (device check,
   * 2026-11-30) the portable masks were faster at every shape measured — 10M×16 K=8 2.64 against
   * 3.06 ms/iteration, K=64 4.69 against 4.90, 10M×32 K=256 25.18 against 27.80 — and on lavapipe
   * too; the other kernels have no subgroup variant. true keeps the subgroup masks reachable (the
   * same bits, tested; bench/lloyd-variants.ts times them).
   */
  subgroups?: boolean;
  /**
   * Accumulate Lloyd statistics through per-cluster row masks where K fits workgroup memory
   * (default true; lloyd.wgsl). False scans every row for every output: the same bits, slower.
   */
  rowMasks?: boolean;
  /**
   * Label rows by the expanded form against centre tiles in workgroup memory when K is large
   * (default true; lloyd.wgsl). Its labels, distances and sums are the direct form's, bit for bit.
   */
  gemm?: boolean;
  /**
   * Hold few centres (K·D ≤ 128) in each thread's registers instead of reading them from the
   * storage buffer (default false; the same bits). Off by default: slower on lavapipe, and 128
   * registers a thread would cut a memory-bound kernel's occupancy on NVIDIA; for the device check
   * (bench/device-check.sh, its lloyd-variants stages) to decide.
   */
  registerCentres?: boolean;
  /** GMM E-step: the tile's rows staged in workgroup memory (default true; the same bits). */
  stageGmmRows?: boolean;
}

export { closeSharedGpu } from './gpu-context.js';

/** GPU passes (of every backend in this thread) between garbage collections: see dispose(). */
const GPU_PASSES_PER_COLLECTION = 32;
let passesSinceCollection = 0;

export class GpuBackend implements Backend {
  readonly kind = 'gpu' as const;
  readonly deviceName: string;
  private readonly pipelines: PipelineCache;
  /** Which form of the Lloyd kernel runs (the options, defaults applied; lloyd-dispatch.ts). */
  private readonly lloydVariant: LloydVariant;
  /** The E-step stages each tile's rows in workgroup memory (the option, default applied). */
  private readonly stageGmmRows: boolean;
  private readonly datasets = new Set<GpuDataset>();
  private disposed = false;

  private constructor(
    readonly ctx: GpuContext,
    private readonly options: GpuBackendOptions,
  ) {
    this.deviceName = ctx.name;
    this.pipelines = new PipelineCache(ctx.device, {
      subgroups: ctx.hasSubgroups && options.subgroups === true,
    });
    this.lloydVariant = {
      rowMasks: options.rowMasks !== false,
      gemm: options.gemm !== false,
      registerCentres: options.registerCentres === true,
    };
    this.stageGmmRows = options.stageGmmRows !== false;
  }

  /** This backend's programs use subgroup operations. */
  get usesSubgroups(): boolean {
    return this.pipelines.target.subgroups;
  }

  /**
   * A backend on the process's shared device (opened on first use, reopened after a loss), so that
   * a service running many fits pays for opening the device once. Disposing the backend frees its
   * buffers; closeSharedGpu() closes the device itself.
   */
  static async create(options: GpuBackendOptions): Promise<GpuBackend> {
    return new GpuBackend(await sharedContext(options.allowFallback), options);
  }

  async attach(matrix: DataMatrix): Promise<DatasetHandle> {
    this.checkUsable();
    const ds = new GpuDataset(this.ctx, matrix);
    this.datasets.add(ds);
    try {
      await ds.allocate(
        chunkRows(this.ctx.limits, matrix.dims, this.options.maxChunkRows),
        this.options.forceStreaming === true,
      );
    } catch (error) {
      this.release(ds);
      throw error;
    }
    return ds;
  }

  async detach(handle: DatasetHandle): Promise<void> {
    this.release(handle as GpuDataset);
  }

  private release(ds: GpuDataset): void {
    ds.release();
    this.datasets.delete(ds);
  }

  async resetLabels(handle: DatasetHandle): Promise<void> {
    const ds = this.dataset(handle);
    await this.ctx.scoped('clearing labels', async () => {
      const encoder = this.ctx.device.createCommandEncoder({ label: 'clear labels' });
      for (const chunk of ds.chunks) encoder.clearBuffer(chunk.labels);
      this.ctx.device.queue.submit([encoder.finish()]);
      await this.ctx.device.queue.onSubmittedWorkDone();
    });
  }

  async lloydStep(
    handle: DatasetHandle,
    centres: Float32Array,
    k: number,
    options: LloydOptions = {},
  ): Promise<LloydSummary> {
    const ds = this.dataset(handle);
    const storeLabels = options.storeLabels !== false;
    return this.pass('Lloyd step', (transient) =>
      lloydStepPass(
        this.ctx,
        this.pipelines,
        ds,
        { centres, k, storeLabels, variant: this.lloydVariant },
        transient,
      ),
    );
  }

  async assign(handle: DatasetHandle, centres: Float32Array, k: number): Promise<Assignment> {
    const ds = this.dataset(handle);
    const d = ds.dims;
    return this.pass('assignment', async (transient) => {
      const centresBuf = storageFrom(this.ctx, 'centres', centres);
      const unused = createBuffer(this.ctx, {
        label: 'unused results',
        size: 16,
        usage: GPUBufferUsage.STORAGE,
      });
      transient.push(centresBuf, unused);
      const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
      const outLabels = ds.perChunk('assigned labels', 4, usage, transient);
      const outDist = ds.perChunk('assigned distances', 4, usage, transient);
      await ds.forEachChunk(transient, (chunk, index, x, pass, tr) =>
        encodeLloyd(this.ctx, this.pipelines, pass, tr, {
          x,
          rows: chunk.rows,
          centres: centresBuf,
          labels: outLabels[index],
          sqDist: outDist[index],
          k,
          d,
          accumulate: false,
          results: unused,
          resultBase: 0,
          ...this.lloydVariant,
          rowMasks: false, // nothing to accumulate
        }),
      );
      const labels = await ds.gatherRows(outLabels, Int32Array); // stored: label + 1
      for (let i = 0; i < labels.length; i++) labels[i] -= 1;
      return { labels, sqDistances: await ds.gatherRows(outDist, Float32Array) };
    });
  }

  async seedReset(handle: DatasetHandle, centres: Float32Array, count = 1): Promise<Float64Array> {
    return this.seedMinDist(handle, centres, count, true);
  }

  async seedUpdate(handle: DatasetHandle, centres: Float32Array, count = 1): Promise<Float64Array> {
    return this.seedMinDist(handle, centres, count, false);
  }

  async seedSample(handle: DatasetHandle, factor: number, seed: number): Promise<Int32Array> {
    const ds = this.dataset(handle);
    if (ds.chunks.some((c) => !c.minDist))
      throw new InternalError('seedSample called before seedReset');
    // Room for several times the expected ℓ rows; a larger draw is retried with room for all of it.
    let capacity = 4096;
    for (;;) {
      const { count, rows } = await this.pass('k-means|| sampling', (transient) =>
        sampleRows(this.ctx, this.pipelines, ds, { factor, seed, capacity }, transient),
      );
      if (count <= capacity) return rows.sort();
      capacity = Math.ceil(count * 1.25);
    }
  }

  private async seedMinDist(
    handle: DatasetHandle,
    centres: Float32Array,
    count: number,
    reset: boolean,
  ): Promise<Float64Array> {
    const ds = this.dataset(handle);
    return this.pass('k-means++ distances', (transient) =>
      minDistPass(this.ctx, this.pipelines, ds, { centres, count, reset }, transient),
    );
  }

  async seedPotentials(
    handle: DatasetHandle,
    candidates: Float32Array,
    count: number,
  ): Promise<Float64Array> {
    const ds = this.dataset(handle);
    if (ds.chunks.some((c) => !c.minDist))
      throw new InternalError('seedPotentials called before seedReset');
    return this.pass('k-means++ candidates', (transient) =>
      potentialsPass(this.ctx, this.pipelines, ds, { candidates, count }, transient),
    );
  }

  async seedReadMinDist(
    handle: DatasetHandle,
    start: number,
    count: number,
  ): Promise<Float32Array> {
    const ds = this.dataset(handle);
    const chunk = ds.chunks.find((c) => start >= c.rowStart && start < c.rowStart + c.rows);
    if (!chunk?.minDist || start + count > chunk.rowStart + chunk.rows)
      throw new InternalError(`seedReadMinDist(${start}, ${count}) does not fall in one chunk`);
    const offset = (start - chunk.rowStart) * 4;
    return this.pass(
      'reading distances',
      async () => new Float32Array(await readBack(this.ctx, chunk.minDist!, offset, count * 4)),
    );
  }

  async gmmStep(handle: DatasetHandle, params: GmmPassParams): Promise<GmmSummary> {
    const ds = this.dataset(handle);
    return this.pass('GMM E-step', (transient) =>
      gmmStepPass(this.ctx, this.pipelines, ds, params, this.stageGmmRows, transient),
    );
  }

  async gmmAssign(
    handle: DatasetHandle,
    params: GmmPassParams,
    options: { probabilities: boolean },
  ): Promise<GmmAssignment> {
    const ds = this.dataset(handle);
    return this.pass('GMM assignment', (transient) =>
      gmmAssignPass(this.ctx, this.pipelines, ds, params, options, transient),
    );
  }

  async radiusCount(handle: DatasetHandle, query: RadiusQuery): Promise<RadiusCounts> {
    const ds = this.dataset(handle);
    return this.pass('ε-neighbour counts', async (transient) => {
      const out = await radiusPass(this.ctx, this.pipelines, ds, query, undefined, transient);
      return out as RadiusCounts;
    });
  }

  async radiusList(
    handle: DatasetHandle,
    query: RadiusQuery,
    offsets: Int32Array,
  ): Promise<Int32Array> {
    const ds = this.dataset(handle);
    return this.pass('ε-neighbour lists', async (transient) => {
      const out = await radiusPass(this.ctx, this.pipelines, ds, query, offsets, transient);
      return out as Int32Array;
    });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const ds of [...this.datasets]) this.release(ds);
    // Every pass leaves wrappers (encoders, command buffers, bind groups, destroyed buffers) whose
    // native memory V8 cannot see: a host that allocates little between fits collects them late,
    // and 100 small fits on lavapipe grew RSS 233 -> 320 MB (issue 15). A fit's end is a quiet
    // moment to collect. Every 256 passes (~18 small fits) still grew (the native heap fragments
    // under larger batches); every 32 kept it within 5 MB, at one full collection per ~2 fits.
    if (passesSinceCollection >= GPU_PASSES_PER_COLLECTION) {
      passesSinceCollection = 0;
      collect();
    }
  }

  /**
   * Timings of this backend's work apart from its round trip — the read floor, the round trip,
   * the Lloyd and E-step kernels alone (gpu-timing.ts) — for `gpuseg bench` and the device check;
   * not part of the Backend interface.
   */
  get timing(): GpuTiming {
    return new GpuTiming({
      ctx: this.ctx,
      pipelines: this.pipelines,
      lloydVariant: this.lloydVariant,
      stageGmmRows: this.stageGmmRows,
      dataset: (handle) => this.dataset(handle),
      pass: (label, body) => this.pass(label, body),
    });
  }

  /** Live datasets (the soak test checks that none leak). */
  get liveDatasets(): number {
    return this.datasets.size;
  }

  private checkUsable(): void {
    if (this.disposed) throw new InternalError('the GPU backend was disposed');
    this.ctx.checkAlive();
  }

  private dataset(handle: DatasetHandle): GpuDataset {
    this.checkUsable();
    const ds = handle as GpuDataset;
    if (ds.detached) throw new InternalError('dataset used after detach');
    return ds;
  }

  /** Runs one pass inside error scopes; transient buffers are destroyed when it ends. */
  private async pass<T>(label: string, body: (transient: GPUBuffer[]) => Promise<T>): Promise<T> {
    if (injectedFaultAtCount('lose-device')) this.ctx.loseDevice('injected fault');
    const transient: GPUBuffer[] = [];
    passesSinceCollection++;
    try {
      return await this.ctx.scoped(label, () => body(transient));
    } finally {
      for (const b of transient) b.destroy();
    }
  }
}
