import { grid, uniformFrom } from './gpu-buffers.js';
import type { GpuContext } from './gpu-context.js';
import { dispatch, uniformWords, type PipelineCache } from './program.js';

const REDUCE_WG = 64;

/**
 * Dispatcher of shaders/reduce_partials.wgsl: adds `parts` rows of `m` (hi, lo) pairs from
 * `partials` into `out` at pair index `outBase`. Encoded after the kernel that wrote the partials.
 */
export function encodeReducePartials(
  ctx: GpuContext,
  pipelines: PipelineCache,
  pass: GPUComputePassEncoder,
  transient: GPUBuffer[],
  args: { partials: GPUBuffer; parts: number; m: number; out: GPUBuffer; outBase: number },
): void {
  const pipeline = pipelines.get({ shader: 'reduce_partials', constants: { WG: REDUCE_WG } });
  const [gx, gy] = grid(args.m);
  const params = uniformFrom(
    ctx,
    'reduce_partials params',
    uniformWords([args.parts, args.m, args.outBase, gx]),
  );
  transient.push(params);
  dispatch(
    ctx.device,
    pass,
    pipeline,
    'reduce_partials',
    [args.partials, args.out, params],
    [gx, gy],
  );
}
