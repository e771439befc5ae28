import type { Backend } from '../backend/backend.js';
import type { MarginalTiming } from '../backend/gpu/device-timing.js';
import { GpuBackend } from '../backend/gpu/gpu-backend.js';
import type { ReadFloor } from '../backend/gpu/gpu-timing.js';
import {
  kernelForm,
  kernelParams,
  mStep,
  oneHotStatistics,
  type CovarianceType,
  type GmmParameters,
} from '../algo/gmm-math.js';
import type { DataMatrix } from '../data/matrix.js';

/** What one backend's timing needs of the bench's options. */
export interface IterationOptions {
  algorithm: 'kmeans' | 'gmm';
  covariance: CovarianceType;
  k: number;
  iterations: number;
  /** Called as each phase ends ('upload', 'iterations', 'floor + kernel timing'), seconds. */
  onPhase?: (phase: string, seconds: number) => void;
}

/** One backend's figures (the GPU's extras undefined elsewhere). */
export interface IterationTimes {
  /** Wall ms per iteration, step after step as a fit runs them. */
  ms: number;
  /** Attaching the data (the upload on a GPU), ms. */
  attachMs: number;
  /** The warm-up step and the timed ones, s. */
  fitSeconds: number;
  /** GPU: one read of X without the round trip (GpuTiming.readFloor); resident data only. */
  floor: ReadFloor | undefined;
  /** GPU: a pass's round trip (submit, error scopes, readback), ms. */
  roundTripMs: number | undefined;
  /**
   * The host's own work per timed iteration, ms: the centre update (Lloyd) or the M-step and the
   * kernel parameters (EM) — what of an iteration is neither the backend's pass nor its wait.
   */
  hostMs: number;
  /** GPU: the iteration's kernels alone (the same pass repeated in one submission). */
  kernel: MarginalTiming | undefined;
  /** GPU: measuring floor, round trip and kernel, s. */
  gpuTimingSeconds: number | undefined;
}

/**
 * Times `iterations` steps on `backend` after a warm-up: a Lloyd step (assign + accumulate pass
 * and the centre update) or an EM step (E-step pass + host M-step). On a GPU, then, the read
 * floor, the round trip and the step's kernels alone, so that ms per iteration splits into the
 * kernels and the rest (round trip and host work).
 */
export async function timeIterations(
  backend: Backend,
  matrix: DataMatrix,
  init: Float32Array,
  o: IterationOptions,
): Promise<IterationTimes> {
  const { k, iterations } = o;
  const t0 = performance.now();
  const handle = await backend.attach(matrix);
  const attachMs = performance.now() - t0;
  o.onPhase?.('upload', attachMs / 1000);
  const d = matrix.dims;
  let centres = Float32Array.from(init);
  let mixture: GmmParameters | undefined;
  if (o.algorithm === 'gmm') {
    const { labels } = await backend.assign(handle, centres, k);
    const { stats, centredOn } = oneHotStatistics(
      matrix.data,
      matrix.rows,
      d,
      labels,
      k,
      kernelForm(o.covariance),
    );
    mixture = mStep(o.covariance, stats, centredOn, d, 1e-6);
  }
  let hostMs = 0;
  const step = async (): Promise<void> => {
    if (mixture) {
      let host = performance.now();
      const params = kernelParams(mixture, 1e-6);
      hostMs += performance.now() - host;
      const stats = await backend.gmmStep(handle, params);
      host = performance.now();
      mixture = mStep(o.covariance, stats, mixture.means, d, 1e-6);
      hostMs += performance.now() - host;
      return;
    }
    const s = await backend.lloydStep(handle, centres, k);
    const host = performance.now();
    const next = new Float32Array(k * d);
    for (let c = 0; c < k; c++)
      for (let j = 0; j < d; j++)
        next[c * d + j] = s.counts[c] > 0 ? s.sums[c * d + j] / s.counts[c] : centres[c * d + j];
    centres = next;
    hostMs += performance.now() - host;
  };
  const fitStarted = performance.now();
  await step();
  hostMs = 0;
  const started = performance.now();
  for (let i = 0; i < iterations; i++) await step();
  const ms = (performance.now() - started) / iterations;
  const fitSeconds = (performance.now() - fitStarted) / 1000;
  o.onPhase?.('iterations', fitSeconds);
  const times: IterationTimes = {
    ms,
    attachMs,
    fitSeconds,
    floor: undefined,
    roundTripMs: undefined,
    hostMs: hostMs / iterations,
    kernel: undefined,
    gpuTimingSeconds: undefined,
  };
  if (backend instanceof GpuBackend) {
    const timingStarted = performance.now();
    const timing = backend.timing;
    times.floor = await timing.readFloor(handle);
    times.roundTripMs = await timing.roundTrip();
    times.kernel = mixture
      ? await timing.gmmKernel(handle, kernelParams(mixture, 1e-6))
      : await timing.lloydKernel(handle, centres, k);
    times.gpuTimingSeconds = (performance.now() - timingStarted) / 1000;
    o.onPhase?.('floor + kernel timing', times.gpuTimingSeconds);
  }
  await backend.detach(handle);
  return times;
}
