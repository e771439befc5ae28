import type { DatasetHandle, GmmPassParams } from '../backend.js';
import {
  marginalCost,
  medianMs,
  type MarginalOptions,
  type MarginalTiming,
} from './device-timing.js';
import { createBuffer, readBack } from './gpu-buffers.js';
import type { GpuContext } from './gpu-context.js';
import type { GpuDataset } from './gpu-dataset.js';
import { gmmStepPass } from './gmm-passes.js';
import { lloydStepPass, type LloydVariant } from './lloyd-pass.js';
import type { PipelineCache } from './program.js';
import { encodeReadSweep } from './read-sweep-dispatch.js';

/** What GpuTiming needs of its backend (GpuBackend.timing hands it over). */
export interface TimingAccess {
  ctx: GpuContext;
  pipelines: PipelineCache;
  lloydVariant: LloydVariant;
  /** The E-step stages each tile's rows in workgroup memory (GpuBackendOptions.stageGmmRows). */
  stageGmmRows: boolean;
  dataset(handle: DatasetHandle): GpuDataset;
  /** The backend's pass(): the work inside error scopes, transient buffers destroyed after. */
  pass<T>(label: string, body: (transient: GPUBuffer[]) => Promise<T>): Promise<T>;
}

/** The read floor: a sweep's marginal time, and the bandwidth it gives. */
export interface ReadFloor extends MarginalTiming {
  /** Bytes of X read per second by one sweep, without the round trip. */
  bytesPerSecond: number;
}

/**
 * Read sweeps are short (0.15 ms for 640 MB at 4 TB/s): up to 64 in a submission, until 64 of
 * them take 20 ms more than one, so the clock's noise is a percent of the difference.
 */
const SWEEP_TIMING: MarginalOptions = { targetMs: 20, maxRepetitions: 64, trials: 3 };
/**
 * A Lloyd or E-step pass is 1-30 ms at the device check's shapes; each repetition also holds its
 * own partials buffer (68 MB at K=256, D=32), so fewer: until 50 ms more, at most 16.
 */
const KERNEL_TIMING: MarginalOptions = { targetMs: 50, maxRepetitions: 16, trials: 3 };

/**
 * The timings of a GPU backend's work that `gpuseg bench` and the device check set apart: the
 * read floor as bandwidth, the round trip of a pass, and the Lloyd and E-step kernels alone — so
 * that ms per iteration splits into kernel time and the rest (round trip and host work).
 */
export class GpuTiming {
  constructor(private readonly b: TimingAccess) {}

  /**
   * The read floor of a dataset's resident chunks: sweeps of shaders/read_sweep.wgsl (X read once,
   * as a Lloyd pass reads it) repeated in one submission, so that the time per sweep is the read
   * alone, without the round trip (device-timing.ts). undefined for streamed data.
   */
  async readFloor(handle: DatasetHandle): Promise<ReadFloor | undefined> {
    const ds = this.b.dataset(handle);
    if (!ds.resident) return undefined;
    const timing = await marginalCost(
      (repetitions) =>
        this.timedPass('read sweeps', (transient) =>
          ds.forEachChunk(transient, (chunk, _index, x, pass, tr) => {
            for (let r = 0; r < repetitions; r++)
              encodeReadSweep(this.b.ctx, this.b.pipelines, pass, tr, {
                x,
                rows: chunk.rows,
                d: ds.dims,
              });
          }),
        ),
      SWEEP_TIMING,
    );
    const bytes = ds.rows * ds.dims * 4;
    return { ...timing, bytesPerSecond: bytes / (timing.msPerRepetition / 1000) };
  }

  /**
   * The round trip every pass pays besides its kernels, ms (the median of `samples`): a
   * submission of a 16-byte copy read back, inside the same error scopes as a Lloyd step.
   */
  async roundTrip(samples = 15): Promise<number> {
    const buffer = createBuffer(this.b.ctx, {
      label: 'round trip',
      size: 16,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
    });
    const once = () =>
      this.timedPass('round trip', async () => {
        await readBack(this.b.ctx, buffer, 0, 16);
      });
    try {
      await once();
      return await medianMs(once, samples);
    } finally {
      buffer.destroy();
    }
  }

  /**
   * A Lloyd pass's kernels alone, ms: the step's dispatches repeated in one submission with fixed
   * centres (into scratch labels: the stored ones stay), timed apart from the round trip.
   */
  async lloydKernel(
    handle: DatasetHandle,
    centres: Float32Array,
    k: number,
  ): Promise<MarginalTiming> {
    const ds = this.b.dataset(handle);
    const variant = this.b.lloydVariant;
    return marginalCost(
      (repetitions) =>
        this.timedPass('Lloyd kernel', (transient) =>
          lloydStepPass(
            this.b.ctx,
            this.b.pipelines,
            ds,
            { centres, k, storeLabels: false, variant, repetitions },
            transient,
          ),
        ),
      KERNEL_TIMING,
    );
  }

  /** An E-step pass's kernels alone, ms, as lloydKernel times Lloyd's. */
  async gmmKernel(handle: DatasetHandle, params: GmmPassParams): Promise<MarginalTiming> {
    const ds = this.b.dataset(handle);
    return marginalCost(
      (repetitions) =>
        this.timedPass('GMM kernel', (transient) =>
          gmmStepPass(
            this.b.ctx,
            this.b.pipelines,
            ds,
            params,
            this.b.stageGmmRows,
            transient,
            repetitions,
          ),
        ),
      KERNEL_TIMING,
    );
  }

  /** Wall time of one pass, its work awaited to completion, ms. */
  private async timedPass(
    label: string,
    body: (transient: GPUBuffer[]) => Promise<unknown>,
  ): Promise<number> {
    const started = performance.now();
    await this.b.pass(label, async (transient) => {
      await body(transient);
      await this.b.ctx.device.queue.onSubmittedWorkDone();
    });
    return performance.now() - started;
  }
}
