import { createBuffer, uniformFrom } from './gpu-buffers.js';
import type { GpuContext } from './gpu-context.js';
import { dispatch, uniformWords, type PipelineCache } from './program.js';

/** Threads per workgroup of shaders/read_sweep.wgsl, and the most workgroups one chunk gets. */
const READ_SWEEP_WG = 256;
const READ_SWEEP_MAX_WG = 4096;

/**
 * Dispatcher of shaders/read_sweep.wgsl for one chunk: reads its rows × d floats once, as a Lloyd
 * pass reads them (the read floor that `gpuseg bench` sets kernels against). A trailing partial
 * vec4 is not read.
 */
export function encodeReadSweep(
  ctx: GpuContext,
  pipelines: PipelineCache,
  pass: GPUComputePassEncoder,
  transient: GPUBuffer[],
  a: { x: GPUBuffer; rows: number; d: number },
): void {
  const pipeline = pipelines.get({ shader: 'read_sweep', constants: { WG: READ_SWEEP_WG } });
  const vec4s = Math.floor((a.rows * a.d) / 4);
  const numWg = Math.max(1, Math.min(READ_SWEEP_MAX_WG, Math.ceil(vec4s / READ_SWEEP_WG)));
  const out = createBuffer(ctx, {
    label: 'read sweep out',
    size: numWg * 4,
    usage: GPUBufferUsage.STORAGE,
  });
  const params = uniformFrom(ctx, 'read sweep params', uniformWords([vec4s, numWg]));
  transient.push(out, params);
  dispatch(
    ctx.device,
    pass,
    pipeline,
    'read_sweep',
    [{ buffer: a.x, size: vec4s * 16 }, out, params],
    numWg,
  );
}
