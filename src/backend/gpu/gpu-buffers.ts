import type { DataMatrix } from '../../data/matrix.js';
import { DeviceError } from '../../errors.js';
import { injectedFaultAtCount } from './fault-injection.js';
import type { GpuContext } from './gpu-context.js';

/**
 * Buffer helpers shared by the dispatchers. One hazard lives here: dawn.node crashes the process
 * (SIGSEGV) when queue.writeBuffer is given a view on a SharedArrayBuffer, which is what DataMatrix
 * uses. Every upload therefore goes through `writeFrom`, which bounces shared memory through an
 * ordinary ArrayBuffer; every GPU test attaches shared matrices (DataMatrix allocates them).
 */
export function createBuffer(ctx: GpuContext, descriptor: GPUBufferDescriptor): GPUBuffer {
  if (injectedFaultAtCount('oom')) {
    throw new DeviceError(
      `GPU out of memory creating ${descriptor.label ?? 'a buffer'} of ${descriptor.size} bytes (injected fault)`,
      { reason: 'out-of-memory' },
    );
  }
  return ctx.device.createBuffer(descriptor);
}

/** A storage buffer holding `values`, uploaded at creation. */
export function storageFrom(
  ctx: GpuContext,
  label: string,
  values: Float32Array | Uint32Array,
): GPUBuffer {
  const size = Math.max(16, Math.ceil(values.byteLength / 4) * 4);
  const buffer = createBuffer(ctx, {
    label,
    size,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    mappedAtCreation: true,
  });
  new Uint8Array(buffer.getMappedRange()).set(
    new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  );
  buffer.unmap();
  return buffer;
}

/** A uniform buffer of u32 words, uploaded at creation. */
export function uniformFrom(ctx: GpuContext, label: string, words: Uint32Array): GPUBuffer {
  const buffer = createBuffer(ctx, {
    label,
    size: words.byteLength,
    usage: GPUBufferUsage.UNIFORM,
    mappedAtCreation: true,
  });
  new Uint32Array(buffer.getMappedRange()).set(words);
  buffer.unmap();
  return buffer;
}

const BOUNCE_BYTES = 8 << 20;
const FLUSH_EVERY_BYTES = 256 << 20;

/**
 * Writes `source` (possibly shared memory) into `buffer` at `offset` through a bounce buffer,
 * waiting for the queue every FLUSH_EVERY_BYTES so Dawn's staging memory stays bounded.
 */
async function writeFrom(
  ctx: GpuContext,
  buffer: GPUBuffer,
  offset: number,
  source: Float32Array,
  bounce: Float32Array,
  flushed: { bytes: number },
): Promise<void> {
  const step = bounce.length;
  for (let i = 0; i < source.length; i += step) {
    const n = Math.min(step, source.length - i);
    const piece = bounce.subarray(0, n);
    piece.set(source.subarray(i, i + n));
    ctx.device.queue.writeBuffer(buffer, offset + i * 4, piece.buffer, piece.byteOffset, n * 4);
    flushed.bytes += n * 4;
    if (flushed.bytes >= FLUSH_EVERY_BYTES) {
      flushed.bytes = 0;
      await ctx.device.queue.onSubmittedWorkDone();
    }
  }
}

/** Uploads rows [rowStart, rowStart + rows) of a column-major matrix as a column-major chunk. */
export async function uploadRows(
  ctx: GpuContext,
  buffer: GPUBuffer,
  matrix: DataMatrix,
  rowStart: number,
  rows: number,
): Promise<void> {
  const bounce = new Float32Array(Math.min(BOUNCE_BYTES / 4, Math.max(1, rows)));
  const flushed = { bytes: 0 };
  for (let j = 0; j < matrix.dims; j++) {
    const column = matrix.data.subarray(
      j * matrix.rows + rowStart,
      j * matrix.rows + rowStart + rows,
    );
    await writeFrom(ctx, buffer, j * rows * 4, column, bounce, flushed);
  }
}

/** A range of a buffer to read back. */
export interface ReadRange {
  source: GPUBuffer;
  offset: number;
  size: number;
}

/**
 * Readbacks since the process started: round trips (one map each) and bytes. Tests count them per
 * pass, to pin how many a seeding or an EM step makes and that none is N-sized where it must not be.
 */
export const readbackTotals = { count: 0, bytes: 0 };

/** Copies `size` bytes at `offset` of `source` back to the host. */
export async function readBack(
  ctx: GpuContext,
  source: GPUBuffer,
  offset: number,
  size: number,
): Promise<ArrayBuffer> {
  return (await readBackRanges(ctx, [{ source, offset, size }]))[0];
}

/**
 * Copies several ranges back to the host through one staging buffer: one submission and one map,
 * so one round trip to the device however many ranges. With `encoder`, the copies follow the work
 * already encoded there and that work is submitted with them (no submission of its own).
 */
export async function readBackRanges(
  ctx: GpuContext,
  ranges: readonly ReadRange[],
  encoder = ctx.device.createCommandEncoder({ label: 'readback' }),
): Promise<ArrayBuffer[]> {
  const at: number[] = [];
  let size = 0;
  for (const r of ranges) {
    at.push(size);
    size += Math.ceil(r.size / 4) * 4;
  }
  const staging = createBuffer(ctx, {
    label: 'readback',
    size: Math.max(4, size),
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  try {
    ranges.forEach((r, i) =>
      encoder.copyBufferToBuffer(r.source, r.offset, staging, at[i], r.size),
    );
    ctx.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    readbackTotals.count++;
    readbackTotals.bytes += size;
    const mapped = staging.getMappedRange();
    const copies = ranges.map((r, i) => mapped.slice(at[i], at[i] + r.size));
    staging.unmap();
    return copies;
  } finally {
    staging.destroy();
  }
}

/**
 * A buffer for `parts` × `m` (hi, lo) float pairs: the per-chunk results of a pass (each chunk's
 * reduce_partials writes its m pairs at m × its index), read back by readPairSums.
 */
export function pairBuffer(ctx: GpuContext, label: string, parts: number, m: number): GPUBuffer {
  return createBuffer(ctx, {
    label,
    size: parts * m * 2 * 4,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
  });
}

/**
 * Reads back `parts` × `m` (hi, lo) float pairs and adds them in float64 on the host, part by part
 * in order: out[o] = Σ_p (hi_po + lo_po), each pair's hi + lo added first.
 */
export async function readPairSums(
  ctx: GpuContext,
  results: GPUBuffer,
  parts: number,
  m: number,
): Promise<Float64Array> {
  const pairs = new Float32Array(await readBack(ctx, results, 0, parts * m * 2 * 4));
  const total = new Float64Array(m);
  for (let p = 0; p < parts; p++)
    for (let o = 0; o < m; o++) total[o] += pairs[(p * m + o) * 2] + pairs[(p * m + o) * 2 + 1];
  return total;
}

/** A 1-D or 2-D grid for `count` workgroups (at most 65535 along one axis). */
export function grid(count: number): [number, number] {
  if (count <= 65535) return [Math.max(1, count), 1];
  return [65535, Math.ceil(count / 65535)];
}
