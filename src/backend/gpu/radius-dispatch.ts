import { DeviceError } from '../../errors.js';
import type { RadiusCounts, RadiusQuery } from '../backend.js';
import {
  createBuffer,
  grid,
  readBack,
  storageFrom,
  uniformFrom,
  uploadRows,
} from './gpu-buffers.js';
import type { GpuContext } from './gpu-context.js';
import type { GpuDataset } from './gpu-dataset.js';
import { dispatch, uniformWords, type PipelineCache } from './program.js';

/** Query rows a workgroup (threads); window rows staged in workgroup memory at a time. */
const RADIUS_WG = 64;

function tileRows(d: number): number {
  return Math.max(4, Math.min(64, Math.floor(4000 / d)));
}

/**
 * Float32 bounds of eps² for shaders/radius_neighbours.wgsl. A float32 d² of D terms is within a
 * relative (D + 2)·2⁻²⁴ of the exact one (a rounding per difference, square and addition; an FMA
 * only removes roundings), and the float64 reference within (D + 2)·2⁻⁵³: with twice the margin,
 * d²₃₂ ≤ lo2 implies d²₆₄ ≤ eps² and d²₃₂ > hi2 implies d²₆₄ > eps². An absolute D·2⁻¹²⁰ covers
 * squares flushed to zero as subnormals.
 */
export function radiusBounds(eps: number, d: number): { lo2: number; hi2: number } {
  const e2 = eps * eps;
  const rel = 2 * (d + 3) * 2 ** -24;
  const abs = d * 2 ** -120;
  return { lo2: f32Down(e2 * (1 - rel) - abs), hi2: f32Up(e2 * (1 + rel) + abs) };
}

function f32Down(x: number): number {
  const f = Math.fround(x);
  return f <= x ? f : nextFloat32(f, -1);
}

function f32Up(x: number): number {
  const f = Math.fround(x);
  return f >= x ? f : nextFloat32(f, 1);
}

/** The float32 next to a positive or zero float32 `f`, up (+1) or down (−1). */
function nextFloat32(f: number, dir: 1 | -1): number {
  if (f <= 0) return dir > 0 ? 2 ** -149 : 0;
  const bits = new Uint32Array(new Float32Array([f]).buffer);
  bits[0] += dir;
  return new Float32Array(bits.buffer)[0];
}

/** The dataset as one column-major buffer: its resident chunk, or a transient upload of every row. */
async function wholeDataset(
  ctx: GpuContext,
  ds: GpuDataset,
  transient: GPUBuffer[],
): Promise<GPUBuffer> {
  if (ds.resident && ds.chunks.length === 1) return ds.chunks[0].x!;
  const bytes = ds.rows * ds.dims * 4;
  if (bytes > ctx.limits.maxStorageBufferBindingSize)
    throw new DeviceError(
      `DBSCAN needs the whole dataset in one GPU binding: ${bytes} bytes exceed the device's ${ctx.limits.maxStorageBufferBindingSize}`,
      { reason: 'out-of-memory' },
    );
  const x = createBuffer(ctx, {
    label: 'radius dataset',
    size: Math.max(16, bytes),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
  });
  transient.push(x);
  await uploadRows(ctx, x, ds.matrix, 0, ds.rows);
  return x;
}

/**
 * Dispatcher of shaders/radius_neighbours.wgsl over the query rows: counts (offsets undefined)
 * or lists into room given by `offsets`. Returns the counts (sure, candidates) or the entries.
 */
export async function radiusPass(
  ctx: GpuContext,
  pipelines: PipelineCache,
  ds: GpuDataset,
  q: RadiusQuery,
  offsets: Int32Array | undefined,
  transient: GPUBuffer[],
): Promise<RadiusCounts | Int32Array> {
  const d = ds.dims;
  const x = await wholeDataset(ctx, ds, transient);
  const list = offsets !== undefined;
  const words = uniformWords([ds.rows, q.start, q.count, list ? 1 : 0, 0, 0]);
  const { lo2, hi2 } = radiusBounds(q.eps, d);
  new Float32Array(words.buffer, 16, 2).set([lo2, hi2]);
  const params = uniformFrom(ctx, 'radius_neighbours params', words);
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
  const outBytes = list ? offsets[q.count] * 4 : q.count * 8;
  const out = createBuffer(ctx, { label: 'radius output', size: Math.max(16, outBytes), usage });
  const lo = storageFrom(
    ctx,
    'radius window lo',
    new Uint32Array(q.lo.buffer, q.lo.byteOffset, q.count),
  );
  const hi = storageFrom(
    ctx,
    'radius window hi',
    new Uint32Array(q.hi.buffer, q.hi.byteOffset, q.count),
  );
  const room = storageFrom(
    ctx,
    'radius offsets',
    list ? new Uint32Array(offsets) : new Uint32Array(4),
  );
  const unused = createBuffer(ctx, {
    label: 'radius unused',
    size: 16,
    usage: GPUBufferUsage.STORAGE,
  });
  transient.push(params, out, lo, hi, room, unused);
  const pipeline = pipelines.get({
    shader: 'radius_neighbours',
    constants: { D: d, WG: RADIUS_WG, TILE: tileRows(d) },
  });
  const encoder = ctx.device.createCommandEncoder({ label: 'radius_neighbours' });
  const pass = encoder.beginComputePass();
  dispatch(
    ctx.device,
    pass,
    pipeline,
    'radius_neighbours',
    [x, lo, hi, list ? unused : out, room, list ? out : unused, params],
    grid(Math.ceil(q.count / RADIUS_WG)),
  );
  pass.end();
  ctx.device.queue.submit([encoder.finish()]);
  if (outBytes === 0) return new Int32Array(0);
  const values = new Int32Array(await readBack(ctx, out, 0, outBytes));
  if (list) return values;
  return { sure: values.slice(0, q.count), candidates: values.slice(q.count) };
}
