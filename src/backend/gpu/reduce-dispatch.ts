import { PipelineCache } from './program.js';
import { grid, uniformFrom } from './gpu-buffers.js';
import { uniformWords } from './program.js';
import type { GpuContext } from './gpu-context.js';

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
  pass.setPipeline(pipeline);
  pass.setBindGroup(
    0,
    ctx.device.createBindGroup({
      label: 'reduce_partials',
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: args.partials } },
        { binding: 1, resource: { buffer: args.out } },
        { binding: 2, resource: { buffer: params } },
      ],
    }),
  );
  pass.dispatchWorkgroups(gx, gy);
}
