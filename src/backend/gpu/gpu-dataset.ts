import type { DataMatrix } from '../../data/matrix.js';
import { DeviceError } from '../../errors.js';
import { SEED_BLOCK_ROWS, type DatasetHandle } from '../backend.js';
import { createBuffer, readBack, uploadRows } from './gpu-buffers.js';
import type { GpuContext } from './gpu-context.js';

/**
 * A dataset on the GPU, cut into chunks that each fit one storage binding
 * (maxStorageBufferBindingSize: 2 GiB on an H100, 128 MiB on many devices), with row counts that
 * are multiples of SEED_BLOCK_ROWS. When every chunk fits in GPU memory the data stays resident
 * across passes; when allocation fails it is streamed through two chunk buffers, the upload of one
 * overlapping the compute of the other (forEachChunk).
 */
interface GpuChunk {
  rowStart: number;
  rows: number;
  /** The chunk's data when resident. */
  x: GPUBuffer | undefined;
  /** Stored labels + 1 (0 = none). */
  labels: GPUBuffer;
  /** Seeding's min distances, from the first seedReset on. */
  minDist: GPUBuffer | undefined;
}

/** Encodes one kernel's work on one chunk, whose data is in `x` (resident or streamed). */
type ChunkEncoder = (
  chunk: GpuChunk,
  index: number,
  x: GPUBuffer,
  pass: GPUComputePassEncoder,
  transient: GPUBuffer[],
) => void;

/** Rows per chunk: one storage binding's worth (at most `maxChunkRows`), a multiple of SEED_BLOCK_ROWS. */
export function chunkRows(limits: GPUSupportedLimits, dims: number, maxChunkRows?: number): number {
  const bytes = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  let rows = Math.floor(bytes / (dims * 4));
  if (maxChunkRows) rows = Math.min(rows, maxChunkRows);
  return Math.max(SEED_BLOCK_ROWS, Math.floor(rows / SEED_BLOCK_ROWS) * SEED_BLOCK_ROWS);
}

export class GpuDataset implements DatasetHandle {
  readonly chunks: GpuChunk[] = [];
  resident = false;
  /** Two buffers the chunks stream through when not resident. */
  readonly streamBuffers: GPUBuffer[] = [];
  /** Seeding's per-block sums of min distances, from the first seedReset on. */
  blockSums: GPUBuffer | undefined;
  detached = false;

  constructor(
    private readonly ctx: GpuContext,
    readonly matrix: DataMatrix,
  ) {}

  get rows(): number {
    return this.matrix.rows;
  }

  get dims(): number {
    return this.matrix.dims;
  }

  /**
   * Allocates the label buffers of every chunk, then uploads the data resident (unless
   * `forceStreaming`) or, when GPU memory runs out, allocates two stream buffers. On failure
   * nothing stays allocated.
   */
  async allocate(perChunk: number, forceStreaming: boolean): Promise<void> {
    const { ctx, matrix } = this;
    try {
      await ctx.scoped('allocating labels', () => {
        for (let rowStart = 0; rowStart < matrix.rows; rowStart += perChunk) {
          const rows = Math.min(perChunk, matrix.rows - rowStart);
          const labels = createBuffer(ctx, {
            label: 'labels',
            size: Math.max(16, rows * 4),
            usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
          });
          this.chunks.push({ rowStart, rows, x: undefined, labels, minDist: undefined });
        }
      });
      if (!forceStreaming) this.resident = await this.tryUploadResident();
      if (!this.resident) {
        const size = Math.min(perChunk, matrix.rows) * matrix.dims * 4;
        await ctx.scoped('allocating stream buffers', () => {
          for (let b = 0; b < Math.min(2, this.chunks.length); b++) {
            this.streamBuffers.push(
              createBuffer(ctx, {
                label: `stream ${b}`,
                size: Math.max(16, size),
                usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
              }),
            );
          }
        });
      }
    } catch (error) {
      this.release();
      throw error;
    }
  }

  /** Uploads every chunk to its own buffer; false (with nothing left allocated) when memory runs out. */
  private async tryUploadResident(): Promise<boolean> {
    try {
      await this.ctx.scoped('uploading data', async () => {
        for (const chunk of this.chunks) {
          chunk.x = createBuffer(this.ctx, {
            label: 'data chunk',
            size: Math.max(16, chunk.rows * this.dims * 4),
            usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
          });
          await uploadRows(this.ctx, chunk.x, this.matrix, chunk.rowStart, chunk.rows);
        }
        await this.ctx.device.queue.onSubmittedWorkDone();
      });
      return true;
    } catch (error) {
      for (const chunk of this.chunks) {
        chunk.x?.destroy();
        chunk.x = undefined;
      }
      if (error instanceof DeviceError && error.reason === 'out-of-memory') return false;
      throw error;
    }
  }

  /** Frees every buffer of the dataset (once; later calls do nothing). */
  release(): void {
    if (this.detached) return;
    this.detached = true;
    for (const chunk of this.chunks) {
      chunk.x?.destroy();
      chunk.labels.destroy();
      chunk.minDist?.destroy();
    }
    for (const b of this.streamBuffers) b.destroy();
    this.blockSums?.destroy();
  }

  /**
   * One buffer per chunk of `bytesPerRow` × its rows (at least 16 bytes), pushed to `transient`
   * (destroyed when the pass ends).
   */
  perChunk(
    label: string,
    bytesPerRow: number,
    usage: GPUBufferUsageFlags,
    transient: GPUBuffer[],
  ): GPUBuffer[] {
    return this.chunks.map((chunk) => {
      const b = createBuffer(this.ctx, {
        label,
        size: Math.max(16, chunk.rows * bytesPerRow),
        usage,
      });
      transient.push(b);
      return b;
    });
  }

  /**
   * Reads back per-chunk buffers (perChunk) of `width` values per row, stored component-major in
   * each chunk (value c of its row i at c × rows + i), into one array of every row, component-major
   * too (value c of row i at c × N + i).
   */
  async gatherRows<T extends Int32Array | Float32Array>(
    buffers: GPUBuffer[],
    type: { new (length: number): T; new (buffer: ArrayBuffer): T },
    width = 1,
  ): Promise<T> {
    const out = new type(this.rows * width);
    for (let c = 0; c < this.chunks.length; c++) {
      const { rows, rowStart } = this.chunks[c];
      const values = new type(await readBack(this.ctx, buffers[c], 0, rows * width * 4));
      for (let v = 0; v < width; v++)
        out.set(values.subarray(v * rows, (v + 1) * rows), v * this.rows + rowStart);
    }
    return out;
  }

  /** The seeding buffers (min distance per row, sum per block), allocated on first use. */
  seedBuffers(): void {
    for (const chunk of this.chunks) {
      chunk.minDist ??= createBuffer(this.ctx, {
        label: 'min distances',
        size: Math.max(16, chunk.rows * 4),
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
      });
    }
    this.blockSums ??= createBuffer(this.ctx, {
      label: 'block sums',
      size: Math.max(16, Math.ceil(this.rows / SEED_BLOCK_ROWS) * 4),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
    });
  }

  /**
   * Encodes `encode` for every chunk. Resident data: one command buffer for all chunks. Streamed
   * data: chunk c is uploaded into stream buffer c % 2 once the submission that last used that
   * buffer (chunk c − 2) has completed, so the upload of one chunk overlaps the compute of the last.
   * Returns once everything is submitted (resident) or completed (streamed).
   */
  async forEachChunk(transient: GPUBuffer[], encode: ChunkEncoder): Promise<void> {
    const queue = this.ctx.device.queue;
    if (this.resident) {
      const encoder = this.ctx.device.createCommandEncoder({ label: 'chunks' });
      const pass = encoder.beginComputePass();
      this.chunks.forEach((chunk, index) => encode(chunk, index, chunk.x!, pass, transient));
      pass.end();
      queue.submit([encoder.finish()]);
      return;
    }
    const done: Promise<undefined>[] = [];
    for (let index = 0; index < this.chunks.length; index++) {
      const chunk = this.chunks[index];
      if (index >= 2) await done[index - 2];
      const x = this.streamBuffers[index % 2];
      await uploadRows(this.ctx, x, this.matrix, chunk.rowStart, chunk.rows);
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
