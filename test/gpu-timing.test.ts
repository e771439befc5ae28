import { describe, expect, test } from 'vitest';
import { GpuBackend } from '../src/backend/gpu/gpu-backend.js';
import { runBench } from '../src/bench/bench.js';
import { benchBlobs } from '../src/bench/bench-data.js';
import { hasGpu } from './helpers/backends.js';

/**
 * The GPU timings of `gpuseg bench` and the device check (src/backend/gpu/gpu-timing.ts), checked
 * by what they submit: the read floor is sweeps many to a submission (the first floor, one sweep
 * a submission, held the round trip: 901 GB/s on an H200 that reads at ~4 TB/s), the kernels
 * alone are the pass's dispatches repeated in one submission and leave the stored labels alone,
 * and the round trip is a submission with no kernel at all.
 */
interface Submitted {
  /** dispatchWorkgroups calls in each submission, in order. */
  dispatches: number[];
}

/** Counts the dispatches of every submission on the backend's device (the spy stays for its life). */
function spy(backend: GpuBackend): Submitted {
  const device = backend.ctx.device;
  const seen: Submitted = { dispatches: [] };
  let pending = 0;
  const createEncoder = device.createCommandEncoder.bind(device);
  device.createCommandEncoder = (descriptor?: GPUCommandEncoderDescriptor) => {
    const encoder = createEncoder(descriptor);
    const beginPass = encoder.beginComputePass.bind(encoder);
    encoder.beginComputePass = (d?: GPUComputePassDescriptor) => {
      const pass = beginPass(d);
      const dispatch = pass.dispatchWorkgroups.bind(pass);
      pass.dispatchWorkgroups = (x: number, y?: number, z?: number) => {
        pending++;
        dispatch(x, y, z);
      };
      return pass;
    };
    return encoder;
  };
  const submit = device.queue.submit.bind(device.queue);
  device.queue.submit = (buffers: Iterable<GPUCommandBuffer>) => {
    seen.dispatches.push(pending);
    pending = 0;
    submit(buffers);
  };
  return seen;
}

describe.skipIf(!hasGpu)('GPU timings', () => {
  test('the read floor: several sweeps in one submission, every sweep counted', async () => {
    const backend = await GpuBackend.create({ allowFallback: true });
    const { matrix } = await benchBlobs(4096, 8, 4, 1);
    const handle = await backend.attach(matrix);
    const seen = spy(backend);
    const floor = await backend.timing.readFloor(handle);
    expect(floor).toBeDefined();
    const sweeps = seen.dispatches.filter((n) => n > 0);
    expect(sweeps.length).toBe(floor!.submissions);
    expect(sweeps.reduce((a, b) => a + b, 0)).toBe(floor!.encoded);
    // t(R) against t(1): R ≥ 2 sweeps of the one chunk in a submission.
    expect(floor!.repetitions).toBeGreaterThanOrEqual(2);
    expect(Math.max(...sweeps)).toBe(floor!.repetitions);
    expect(floor!.bytesPerSecond).toBeCloseTo((4096 * 8 * 4) / (floor!.msPerRepetition / 1000), 3);
    await backend.dispose();
  });

  test('streamed data has no read floor', async () => {
    const backend = await GpuBackend.create({ allowFallback: true, forceStreaming: true });
    const handle = await backend.attach((await benchBlobs(2048, 4, 2, 1)).matrix);
    expect(await backend.timing.readFloor(handle)).toBeUndefined();
    await backend.dispose();
  });

  test('the round trip: submissions of no kernel', async () => {
    const backend = await GpuBackend.create({ allowFallback: true });
    const seen = spy(backend);
    const ms = await backend.timing.roundTrip(5);
    expect(ms).toBeGreaterThan(0);
    expect(seen.dispatches.length).toBeGreaterThanOrEqual(6); // a warm-up and 5 samples
    expect(seen.dispatches.every((n) => n === 0)).toBe(true);
    await backend.dispose();
  });

  test('the Lloyd kernel alone: repeated in one submission, stored labels untouched', async () => {
    const backend = await GpuBackend.create({ allowFallback: true });
    const rows = 6000;
    const { matrix, init } = await benchBlobs(rows, 6, 5, 2);
    const handle = await backend.attach(matrix);
    await backend.lloydStep(handle, init, 5);
    expect((await backend.lloydStep(handle, init, 5)).changed).toBe(0);
    const seen = spy(backend);
    // Other centres: had their labels been stored, the next step from `init` would change rows.
    const other = init.map((v, i) => v + (i % 3) - 1);
    const kernel = await backend.timing.lloydKernel(handle, other, 5);
    const passes = seen.dispatches.filter((n) => n > 0);
    expect(passes.length).toBe(kernel.submissions);
    // Each repetition: the Lloyd kernel and its reduction.
    expect(Math.max(...passes)).toBe(2 * kernel.repetitions);
    expect(kernel.repetitions).toBeGreaterThanOrEqual(2);
    expect((await backend.lloydStep(handle, init, 5)).changed).toBe(0);
    await backend.dispose();
  });

  test('runBench on the GPU: the iteration split and the phases', async () => {
    const phases: string[] = [];
    const r = await runBench({
      algorithm: 'kmeans',
      covariance: 'diag',
      rows: 3000,
      dims: 4,
      k: 3,
      iterations: 2,
      backends: ['gpu'],
      seed: 1,
      sklearn: false,
      onPhase: (name) => phases.push(name),
    });
    const g = r.rows[0];
    expect(g.kernelMs).toBeGreaterThan(0);
    expect(g.roundTripMs).toBeGreaterThan(0);
    // The host's share is timed apart from the pass, inside the iteration's time.
    expect(g.hostMs).toBeGreaterThanOrEqual(0);
    expect(g.hostMs!).toBeLessThan(g.msPerIteration);
    expect(g.floorGbps).toBeGreaterThan(0);
    expect(g.floorMs).toBeCloseTo((3000 * 4 * 4) / (g.floorGbps! * 1e9) / 1e-3, 9);
    expect(g.ratioToFloor).toBeCloseTo(g.msPerIteration / g.floorMs!, 9);
    expect(phases).toEqual([
      'generate',
      'gpu upload',
      'gpu iterations',
      'gpu floor + kernel timing',
    ]);
    expect(Object.keys(r.phases)).toEqual(phases);
  });
});
