import type { DataMatrix } from '../../data/matrix.js';
import { DeviceError, InternalError } from '../../errors.js';
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
import { injectedFaultAtCount } from './fault-injection.js';
import { createBuffer, readBack, storageFrom, uniformFrom, uploadRows } from './gpu-buffers.js';
import { GpuContext } from './gpu-context.js';
import { encodeGmm, gmmOutputs, gmmParamBuffers } from './gmm-dispatch.js';
import { encodeLloyd, lloydOutputs } from './lloyd-dispatch.js';
import { PipelineCache, uniformWords } from './program.js';
import { encodeSeedMinDist, encodeSeedPotentials, encodeSeedSample } from './seed-dispatch.js';

/**
 * The GPU backend: the passes of backend.ts as WGSL kernels through WebGPU (Dawn).
 *
 * Data is cut into chunks that each fit one storage binding (maxStorageBufferBindingSize, 2 GiB on
 * an H100, 128 MiB on many devices), with row counts that are multiples of SEED_BLOCK_ROWS. When
 * every chunk fits in GPU memory the data stays resident across passes; when allocation fails it
 * is streamed through two chunk buffers, the upload of one overlapping the compute of the other.
 * Per-chunk summaries come back as (hi, lo) float pairs and are added in float64 on the host.
 */
export interface GpuBackendOptions {
  /** Accept a software adapter (lavapipe); --backend gpu does, --backend auto does not. */
  allowFallback: boolean;
  /** Cap on rows per chunk (tests use it to exercise chunking on small data). */
  maxChunkRows?: number;
  /** Never keep data resident (tests use it to exercise streaming). */
  forceStreaming?: boolean;
  /**
   * Use subgroup operations where the device has them (default true). The subgroup and portable
   * programs give the same bits (tested); false is for that test and for ruling a driver out.
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
   * registers a thread would cut a memory-bound kernel's occupancy on NVIDIA; for the H100
   * session to decide with bench/lloyd-variants.ts.
   */
  registerCentres?: boolean;
}

interface GpuChunk {
  rowStart: number;
  rows: number;
  /** The chunk's data when resident. */
  x: GPUBuffer | undefined;
  /** Stored labels + 1 (0 = none). */
  labels: GPUBuffer;
  minDist: GPUBuffer | undefined;
}

interface GpuDataset extends DatasetHandle {
  chunks: GpuChunk[];
  resident: boolean;
  /** Two buffers the chunks stream through when not resident. */
  streamBuffers: GPUBuffer[];
  blockSums: GPUBuffer | undefined;
  detached: boolean;
}

let shared: { ctx: Promise<GpuContext>; allowFallback: boolean } | undefined;

async function sharedContext(allowFallback: boolean): Promise<GpuContext> {
  if (shared && shared.allowFallback === allowFallback) {
    const ctx = await shared.ctx.catch(() => undefined);
    if (ctx && !ctx.isLost) return ctx;
  }
  // A context of the other kind (or a lost one) is dropped, not destroyed: a backend may still hold it.
  const opening = GpuContext.open({ allowFallback });
  shared = { ctx: opening, allowFallback };
  opening.catch(() => {
    if (shared?.ctx === opening) shared = undefined;
  });
  return opening;
}

/** Closes the shared GPU device, if open (the next GPU backend opens a new one). */
export async function closeSharedGpu(): Promise<void> {
  const s = shared;
  shared = undefined;
  const ctx = s ? await s.ctx.catch(() => undefined) : undefined;
  ctx?.destroy();
}

type ChunkEncoder = (
  chunk: GpuChunk,
  index: number,
  x: GPUBuffer,
  pass: GPUComputePassEncoder,
  transient: GPUBuffer[],
) => void;

export class GpuBackend implements Backend {
  readonly kind = 'gpu' as const;
  readonly deviceName: string;
  private readonly pipelines: PipelineCache;
  /** Which form of the Lloyd kernel runs (the options, defaults applied; lloyd-dispatch.ts). */
  private readonly lloydVariant: { rowMasks: boolean; gemm: boolean; registerCentres: boolean };
  private readonly datasets = new Set<GpuDataset>();
  private passes = 0;
  private disposed = false;

  private constructor(
    readonly ctx: GpuContext,
    private readonly options: GpuBackendOptions,
  ) {
    this.deviceName = ctx.name;
    this.pipelines = new PipelineCache(ctx.device, {
      subgroups: ctx.hasSubgroups && options.subgroups !== false,
    });
    this.lloydVariant = {
      rowMasks: options.rowMasks !== false,
      gemm: options.gemm !== false,
      registerCentres: options.registerCentres === true,
    };
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

  /** Rows per chunk: one storage binding's worth, a multiple of SEED_BLOCK_ROWS. */
  private chunkRows(dims: number): number {
    const limits = this.ctx.limits;
    const bytes = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    let rows = Math.floor(bytes / (dims * 4));
    if (this.options.maxChunkRows) rows = Math.min(rows, this.options.maxChunkRows);
    return Math.max(SEED_BLOCK_ROWS, Math.floor(rows / SEED_BLOCK_ROWS) * SEED_BLOCK_ROWS);
  }

  async attach(matrix: DataMatrix): Promise<DatasetHandle> {
    this.checkUsable();
    const perChunk = this.chunkRows(matrix.dims);
    const chunks: GpuChunk[] = [];
    const ds: GpuDataset = {
      rows: matrix.rows,
      dims: matrix.dims,
      matrix,
      chunks,
      resident: false,
      streamBuffers: [],
      blockSums: undefined,
      detached: false,
    };
    this.datasets.add(ds);
    try {
      await this.ctx.scoped('allocating labels', () => {
        for (let rowStart = 0; rowStart < matrix.rows; rowStart += perChunk) {
          const rows = Math.min(perChunk, matrix.rows - rowStart);
          const labels = createBuffer(this.ctx, {
            label: 'labels',
            size: Math.max(16, rows * 4),
            usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
          });
          chunks.push({ rowStart, rows, x: undefined, labels, minDist: undefined });
        }
      });
      if (!this.options.forceStreaming) ds.resident = await this.tryUploadResident(ds);
      if (!ds.resident) {
        const size = Math.min(perChunk, matrix.rows) * matrix.dims * 4;
        await this.ctx.scoped('allocating stream buffers', () => {
          for (let b = 0; b < Math.min(2, chunks.length); b++) {
            ds.streamBuffers.push(
              createBuffer(this.ctx, {
                label: `stream ${b}`,
                size: Math.max(16, size),
                usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
              }),
            );
          }
        });
      }
    } catch (error) {
      this.release(ds);
      throw error;
    }
    return ds;
  }

  /** Uploads every chunk to its own buffer; false (with nothing left allocated) when memory runs out. */
  private async tryUploadResident(ds: GpuDataset): Promise<boolean> {
    try {
      await this.ctx.scoped('uploading data', async () => {
        for (const chunk of ds.chunks) {
          chunk.x = createBuffer(this.ctx, {
            label: 'data chunk',
            size: Math.max(16, chunk.rows * ds.dims * 4),
            usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
          });
          await uploadRows(this.ctx, chunk.x, ds.matrix, chunk.rowStart, chunk.rows);
        }
        await this.ctx.device.queue.onSubmittedWorkDone();
      });
      return true;
    } catch (error) {
      for (const chunk of ds.chunks) {
        chunk.x?.destroy();
        chunk.x = undefined;
      }
      if (error instanceof DeviceError && error.reason === 'out-of-memory') return false;
      throw error;
    }
  }

  async detach(handle: DatasetHandle): Promise<void> {
    this.release(handle as GpuDataset);
  }

  private release(ds: GpuDataset): void {
    if (ds.detached) return;
    ds.detached = true;
    for (const chunk of ds.chunks) {
      chunk.x?.destroy();
      chunk.labels.destroy();
      chunk.minDist?.destroy();
    }
    for (const b of ds.streamBuffers) b.destroy();
    ds.blockSums?.destroy();
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
    const d = ds.dims;
    const m = lloydOutputs(k, d);
    return this.pass('Lloyd step', async (transient) => {
      const centresBuf = storageFrom(this.ctx, 'centres', centres);
      const results = createBuffer(this.ctx, {
        label: 'lloyd results',
        size: ds.chunks.length * m * 2 * 4,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
      });
      transient.push(centresBuf, results);
      const scratchLabels =
        options.storeLabels === false ? this.scratchLabels(ds, transient) : undefined;
      await this.forEachChunk(ds, transient, (chunk, index, x, pass, tr) =>
        encodeLloyd(this.ctx, this.pipelines, pass, tr, {
          x,
          rows: chunk.rows,
          centres: centresBuf,
          labels: scratchLabels?.[index] ?? chunk.labels,
          sqDist: undefined,
          k,
          d,
          accumulate: true,
          results,
          resultBase: index * m,
          ...this.lloydVariant,
        }),
      );
      const pairs = new Float32Array(
        await readBack(this.ctx, results, 0, ds.chunks.length * m * 2 * 4),
      );
      const total = new Float64Array(m);
      for (let c = 0; c < ds.chunks.length; c++) {
        for (let o = 0; o < m; o++) total[o] += pairs[(c * m + o) * 2] + pairs[(c * m + o) * 2 + 1];
      }
      const kd = k * d;
      return {
        sums: total.slice(0, kd),
        counts: total.slice(kd, kd + k),
        inertia: total[kd + k],
        changed: total[kd + k + 1],
      };
    });
  }

  private scratchLabels(ds: GpuDataset, transient: GPUBuffer[]): GPUBuffer[] {
    return ds.chunks.map((chunk) => {
      const b = createBuffer(this.ctx, {
        label: 'scratch labels',
        size: Math.max(16, chunk.rows * 4),
        usage: GPUBufferUsage.STORAGE,
      });
      transient.push(b);
      return b;
    });
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
      const outLabels: GPUBuffer[] = [];
      const outDist: GPUBuffer[] = [];
      for (const chunk of ds.chunks) {
        const size = Math.max(16, chunk.rows * 4);
        outLabels.push(
          createBuffer(this.ctx, {
            label: 'assigned labels',
            size,
            usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
          }),
        );
        outDist.push(
          createBuffer(this.ctx, {
            label: 'assigned distances',
            size,
            usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
          }),
        );
      }
      transient.push(...outLabels, ...outDist);
      await this.forEachChunk(ds, transient, (chunk, index, x, pass, tr) =>
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
      const labels = new Int32Array(ds.rows);
      const sqDistances = new Float32Array(ds.rows);
      for (let c = 0; c < ds.chunks.length; c++) {
        const chunk = ds.chunks[c];
        const stored = new Uint32Array(await readBack(this.ctx, outLabels[c], 0, chunk.rows * 4));
        for (let i = 0; i < chunk.rows; i++) labels[chunk.rowStart + i] = stored[i] - 1;
        sqDistances.set(
          new Float32Array(await readBack(this.ctx, outDist[c], 0, chunk.rows * 4)),
          chunk.rowStart,
        );
      }
      return { labels, sqDistances };
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
      const { count, rows } = await this.pass('k-means|| sampling', async (transient) => {
        const picked = createBuffer(this.ctx, {
          label: 'picked rows',
          size: capacity * 4,
          usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
        });
        const counter = createBuffer(this.ctx, {
          label: 'picked count',
          size: 16,
          usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
        });
        transient.push(picked, counter);
        const encoder = this.ctx.device.createCommandEncoder({ label: 'k-means|| sampling' });
        encoder.clearBuffer(counter);
        const pass = encoder.beginComputePass();
        for (const chunk of ds.chunks) {
          encodeSeedSample(this.ctx, this.pipelines, pass, transient, {
            rows: chunk.rows,
            rowBase: chunk.rowStart,
            minDist: chunk.minDist!,
            seed: seed >>> 0,
            factor,
            picked,
            counter,
            capacity,
          });
        }
        pass.end();
        this.ctx.device.queue.submit([encoder.finish()]);
        const n = new Uint32Array(await readBack(this.ctx, counter, 0, 4))[0];
        const rows =
          n > 0 && n <= capacity
            ? new Int32Array(await readBack(this.ctx, picked, 0, n * 4))
            : new Int32Array(0);
        return { count: n, rows };
      });
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
    const totalBlocks = Math.ceil(ds.rows / SEED_BLOCK_ROWS);
    return this.pass('k-means++ distances', async (transient) => {
      for (const chunk of ds.chunks) {
        chunk.minDist ??= createBuffer(this.ctx, {
          label: 'min distances',
          size: Math.max(16, chunk.rows * 4),
          usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
        });
      }
      ds.blockSums ??= createBuffer(this.ctx, {
        label: 'block sums',
        size: Math.max(16, totalBlocks * 4),
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
      });
      const centreBuf = storageFrom(this.ctx, 'seed centres', centres);
      transient.push(centreBuf);
      await this.forEachChunk(ds, transient, (chunk, _index, x, pass, tr) =>
        encodeSeedMinDist(this.ctx, this.pipelines, pass, tr, {
          x,
          rows: chunk.rows,
          d: ds.dims,
          centres: centreBuf,
          count,
          minDist: chunk.minDist!,
          reset,
          blockSums: ds.blockSums!,
          blockBase: chunk.rowStart / SEED_BLOCK_ROWS,
        }),
      );
      return Float64Array.from(
        new Float32Array(await readBack(this.ctx, ds.blockSums!, 0, totalBlocks * 4)),
      );
    });
  }

  async seedPotentials(
    handle: DatasetHandle,
    candidates: Float32Array,
    count: number,
  ): Promise<Float64Array> {
    const ds = this.dataset(handle);
    if (ds.chunks.some((c) => !c.minDist))
      throw new InternalError('seedPotentials called before seedReset');
    return this.pass('k-means++ candidates', async (transient) => {
      const candBuf = storageFrom(this.ctx, 'candidates', candidates);
      const results = createBuffer(this.ctx, {
        label: 'potentials',
        size: ds.chunks.length * count * 2 * 4,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
      });
      transient.push(candBuf, results);
      await this.forEachChunk(ds, transient, (chunk, index, x, pass, tr) =>
        encodeSeedPotentials(this.ctx, this.pipelines, pass, tr, {
          x,
          rows: chunk.rows,
          d: ds.dims,
          candidates: candBuf,
          count,
          minDist: chunk.minDist!,
          results,
          resultBase: index * count,
        }),
      );
      const pairs = new Float32Array(
        await readBack(this.ctx, results, 0, ds.chunks.length * count * 2 * 4),
      );
      const out = new Float64Array(count);
      for (let c = 0; c < ds.chunks.length; c++)
        for (let l = 0; l < count; l++)
          out[l] += pairs[(c * count + l) * 2] + pairs[(c * count + l) * 2 + 1];
      return out;
    });
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
    return this.pass(
      'reading distances',
      async () =>
        new Float32Array(
          await readBack(this.ctx, chunk.minDist!, (start - chunk.rowStart) * 4, count * 4),
        ),
    );
  }

  async gmmStep(handle: DatasetHandle, params: GmmPassParams): Promise<GmmSummary> {
    const ds = this.dataset(handle);
    const d = ds.dims;
    const { k } = params;
    const m = gmmOutputs(params.form, k, d);
    return this.pass('GMM E-step', async (transient) => {
      const buffers = gmmParamBuffers(this.ctx, params, transient);
      const results = createBuffer(this.ctx, {
        label: 'gmm results',
        size: ds.chunks.length * m * 2 * 4,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
      });
      transient.push(results);
      await this.forEachChunk(ds, transient, (chunk, index, x, pass, tr) =>
        encodeGmm(this.ctx, this.pipelines, pass, tr, {
          x,
          rows: chunk.rows,
          d,
          params,
          buffers,
          accumulate: true,
          labels: undefined,
          maxProb: undefined,
          probs: undefined,
          results,
          resultBase: index * m,
        }),
      );
      const pairs = new Float32Array(
        await readBack(this.ctx, results, 0, ds.chunks.length * m * 2 * 4),
      );
      const total = new Float64Array(m);
      for (let c = 0; c < ds.chunks.length; c++)
        for (let o = 0; o < m; o++) total[o] += pairs[(c * m + o) * 2] + pairs[(c * m + o) * 2 + 1];
      return {
        nk: total.slice(0, k),
        sd: total.slice(k, k + k * d),
        sdd: total.slice(k + k * d, m - 1),
        logLikelihood: total[m - 1],
      };
    });
  }

  async gmmAssign(
    handle: DatasetHandle,
    params: GmmPassParams,
    options: { probabilities: boolean },
  ): Promise<GmmAssignment> {
    const ds = this.dataset(handle);
    const d = ds.dims;
    const { k } = params;
    const m = gmmOutputs(params.form, k, d);
    return this.pass('GMM assignment', async (transient) => {
      const buffers = gmmParamBuffers(this.ctx, params, transient);
      const results = createBuffer(this.ctx, {
        label: 'gmm results',
        size: ds.chunks.length * m * 2 * 4,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
      });
      transient.push(results);
      const out = ds.chunks.map((chunk) => {
        const make = (label: string, size: number) => {
          const b = createBuffer(this.ctx, {
            label,
            size: Math.max(16, size),
            usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
          });
          transient.push(b);
          return b;
        };
        return {
          labels: make('gmm labels', chunk.rows * 4),
          maxProb: make('gmm probability', chunk.rows * 4),
          probs: options.probabilities ? make('gmm probabilities', chunk.rows * k * 4) : undefined,
        };
      });
      await this.forEachChunk(ds, transient, (chunk, index, x, pass, tr) =>
        encodeGmm(this.ctx, this.pipelines, pass, tr, {
          x,
          rows: chunk.rows,
          d,
          params,
          buffers,
          accumulate: false,
          ...out[index],
          results,
          resultBase: index * m,
        }),
      );
      const labels = new Int32Array(ds.rows);
      const probability = new Float32Array(ds.rows);
      const probabilities = options.probabilities ? new Float32Array(ds.rows * k) : undefined;
      const pairs = new Float32Array(
        await readBack(this.ctx, results, 0, ds.chunks.length * m * 2 * 4),
      );
      let logLikelihood = 0;
      for (let c = 0; c < ds.chunks.length; c++) {
        const chunk = ds.chunks[c];
        logLikelihood += pairs[(c * m + m - 1) * 2] + pairs[(c * m + m - 1) * 2 + 1];
        labels.set(
          new Int32Array(await readBack(this.ctx, out[c].labels, 0, chunk.rows * 4)),
          chunk.rowStart,
        );
        probability.set(
          new Float32Array(await readBack(this.ctx, out[c].maxProb, 0, chunk.rows * 4)),
          chunk.rowStart,
        );
        if (probabilities) {
          const p = new Float32Array(
            await readBack(this.ctx, out[c].probs!, 0, chunk.rows * k * 4),
          );
          for (let comp = 0; comp < k; comp++)
            probabilities.set(
              p.subarray(comp * chunk.rows, (comp + 1) * chunk.rows),
              comp * ds.rows + chunk.rowStart,
            );
        }
      }
      return { labels, probability, probabilities, logLikelihood };
    });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const ds of [...this.datasets]) this.release(ds);
  }

  /**
   * Measures the read bandwidth of the device on a dataset's resident chunks (bytes/second): each
   * chunk read once per repetition by shaders/read_sweep.wgsl, as a Lloyd pass reads it. For
   * `gpuseg bench`'s floor; not part of the Backend interface.
   */
  async measureReadBandwidth(handle: DatasetHandle, repetitions = 10): Promise<number | undefined> {
    const ds = this.dataset(handle);
    if (!ds.resident) return undefined;
    const wg = 256;
    const run = async (): Promise<void> => {
      await this.pass('read sweep', async (transient) => {
        const encoder = this.ctx.device.createCommandEncoder({ label: 'read sweep' });
        const pass = encoder.beginComputePass();
        const pipeline = this.pipelines.get({ shader: 'read_sweep', constants: { WG: wg } });
        for (const chunk of ds.chunks) {
          const vec4s = Math.floor((chunk.rows * ds.dims) / 4);
          const numWg = Math.max(1, Math.min(4096, Math.ceil(vec4s / wg)));
          const out = createBuffer(this.ctx, {
            label: 'read sweep out',
            size: numWg * 4,
            usage: GPUBufferUsage.STORAGE,
          });
          const params = uniformFrom(this.ctx, 'read sweep params', uniformWords([vec4s, numWg]));
          transient.push(out, params);
          pass.setPipeline(pipeline);
          pass.setBindGroup(
            0,
            this.ctx.device.createBindGroup({
              layout: pipeline.getBindGroupLayout(0),
              entries: [
                { binding: 0, resource: { buffer: chunk.x!, size: vec4s * 16 } },
                { binding: 1, resource: { buffer: out } },
                { binding: 2, resource: { buffer: params } },
              ],
            }),
          );
          pass.dispatchWorkgroups(numWg);
        }
        pass.end();
        this.ctx.device.queue.submit([encoder.finish()]);
        await this.ctx.device.queue.onSubmittedWorkDone();
      });
    };
    await run();
    const started = performance.now();
    for (let r = 0; r < repetitions; r++) await run();
    const seconds = (performance.now() - started) / 1000 / repetitions;
    return (ds.rows * ds.dims * 4) / seconds;
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
    this.passes++;
    if (injectedFaultAtCount('lose-device')) this.ctx.loseDevice('injected fault');
    const transient: GPUBuffer[] = [];
    try {
      return await this.ctx.scoped(label, () => body(transient));
    } finally {
      for (const b of transient) b.destroy();
    }
  }

  /**
   * Encodes `encode` for every chunk. Resident data: one command buffer for all chunks. Streamed
   * data: chunk c is uploaded into stream buffer c % 2 once the submission that last used that
   * buffer (chunk c − 2) has completed, so the upload of one chunk overlaps the compute of the last.
   */
  private async forEachChunk(
    ds: GpuDataset,
    transient: GPUBuffer[],
    encode: ChunkEncoder,
  ): Promise<void> {
    const queue = this.ctx.device.queue;
    if (ds.resident) {
      const encoder = this.ctx.device.createCommandEncoder({ label: 'chunks' });
      const pass = encoder.beginComputePass();
      ds.chunks.forEach((chunk, index) => encode(chunk, index, chunk.x!, pass, transient));
      pass.end();
      queue.submit([encoder.finish()]);
      return;
    }
    const done: Promise<undefined>[] = [];
    for (let index = 0; index < ds.chunks.length; index++) {
      const chunk = ds.chunks[index];
      if (index >= 2) await done[index - 2];
      const x = ds.streamBuffers[index % 2];
      await uploadRows(this.ctx, x, ds.matrix, chunk.rowStart, chunk.rows);
      const encoder = this.ctx.device.createCommandEncoder({ label: `chunk ${index}` });
      const pass = encoder.beginComputePass();
      encode(chunk, index, x, pass, transient);
      pass.end();
      queue.submit([encoder.finish()]);
      done.push(queue.onSubmittedWorkDone());
    }
    await Promise.all(done);
  }
}
