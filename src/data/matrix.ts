import { matrixColumnStats } from './column-stats-kernel.js';

/**
 * The data the backends work on: N rows × D features of float32, column-major (feature j occupies
 * `data[j*rows .. (j+1)*rows)`), the layout Arrow columns already have, so a GPU thread per row
 * reads neighbouring addresses for every feature. The buffer is a SharedArrayBuffer so that CPU
 * worker threads read it in place, without a copy per thread.
 */
export interface DataMatrix {
  readonly rows: number;
  readonly dims: number;
  readonly features: readonly string[];
  readonly data: Float32Array;
  /**
   * When the matrix lives in a shared WebAssembly memory (up to ~3.5 GiB), the CPU backend's SIMD
   * kernel works on it in place; the memory also has room for its per-row outputs and scratch.
   */
  readonly kernelMemory?: KernelMemory;
  /**
   * True when `data` is a view of the input table's own buffers (float32 columns read in place):
   * whoever transforms the values writes them to memory of its own, never here.
   */
  readonly borrowed?: boolean;
}

/** Byte offsets of the regions of a matrix's WebAssembly memory, after the matrix's data (wherever that lies). */
export interface KernelMemory {
  memory: WebAssembly.Memory;
  /** Int32 per row: the stored labels. */
  labels: number;
  /** Int32 per row: labels of an assignment pass (the bytes of `lower`). */
  outLabels: number;
  /** Float32 per row: squared distances of an assignment pass (the bytes of `upper`). */
  sqd: number;
  /** Float32 per row: the bounds of the CPU backend's bounded Lloyd steps, invalid after an assignment pass. */
  upper: number;
  lower: number;
  /** KERNEL_SCRATCH_SLOTS slots of KERNEL_SCRATCH_BYTES, one per thread. */
  scratch: number;
  /** The per-row regions belong to one attachment at a time (CpuBackend.attach claims them). */
  claimed: boolean;
}

export const KERNEL_SCRATCH_SLOTS = 65;
export const KERNEL_SCRATCH_BYTES = 1 << 18;
export const KERNEL_MEMORY_MAX = 3.5 * 2 ** 30;

/** Per-feature summary computed in float64 while the matrix is built. */
export interface ColumnStats {
  count: Float64Array;
  mean: Float64Array;
  /** Population variance (ddof = 0), as numpy's var and scikit-learn's tolerance use. */
  variance: Float64Array;
  min: Float64Array;
  max: Float64Array;
}

/** Allocates the memory of a matrix; out-of-core passes reuse it through a MatrixArena instead. */
export type MatrixAllocator = (rows: number, features: readonly string[]) => DataMatrix;

export function allocateMatrix(rows: number, features: readonly string[]): DataMatrix {
  const dims = features.length;
  const kernelMemory = allocateKernelMemory(rows, dims);
  if (kernelMemory)
    return {
      rows,
      dims,
      features,
      data: new Float32Array(kernelMemory.memory.buffer, 0, rows * dims),
      kernelMemory,
    };
  const data = new Float32Array(
    new SharedArrayBuffer(Math.max(4, rows * dims * 4)),
    0,
    rows * dims,
  );
  return { rows, dims, features, data };
}

/** Where the regions of a matrix of rows × dims sit in its WebAssembly memory, and its size. */
function kernelLayout(
  rows: number,
  dims: number,
): { regions: Omit<KernelMemory, 'memory' | 'claimed'>; bytes: number } {
  return kernelRegions(rows * dims * 4, rows);
}

/**
 * The per-row regions and scratch of a kernel memory for `rows` rows, laid out from byte `start`
 * on (after the matrix data, wherever that lies in the memory), and the memory's size then.
 */
export function kernelRegions(
  start: number,
  rows: number,
): { regions: Omit<KernelMemory, 'memory' | 'claimed'>; bytes: number } {
  const align = (v: number) => Math.ceil(v / 64) * 64;
  const labels = align(start);
  const upper = align(labels + rows * 4);
  const lower = align(upper + rows * 4);
  const scratch = align(lower + rows * 4);
  // An assignment pass's outputs share the bounds' bytes: the bounds are only kept between Lloyd
  // steps, and the CPU backend drops them whenever it writes these (4 × 2 bytes a row less).
  const outLabels = lower;
  const sqd = upper;
  return {
    regions: { labels, outLabels, sqd, upper, lower, scratch },
    bytes: scratch + KERNEL_SCRATCH_SLOTS * KERNEL_SCRATCH_BYTES,
  };
}

function allocateKernelMemory(rows: number, dims: number): KernelMemory | undefined {
  const { regions, bytes } = kernelLayout(rows, dims);
  if (bytes > KERNEL_MEMORY_MAX || typeof WebAssembly !== 'object') return undefined;
  const pages = Math.ceil(bytes / 65536);
  try {
    return {
      memory: new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }),
      ...regions,
      claimed: false,
    };
  } catch {
    return undefined; // address space refused: the plain shared buffer works everywhere
  }
}

/**
 * Matrix memory reused by a sequence of chunks of at most the same size (the passes of an
 * out-of-core fit). Allocating a fresh shared memory per chunk and pass would leave the old ones
 * to the garbage collectors of the worker threads that saw them, which run rarely on idle
 * threads: memory then grows by a chunk per chunk. A chunk's matrix is valid until the next take.
 */
export class MatrixArena {
  private memory: WebAssembly.Memory | SharedArrayBuffer | undefined;
  private capacityBytes = 0;

  take(rows: number, features: readonly string[]): DataMatrix {
    const dims = features.length;
    const { regions, bytes } = kernelLayout(rows, dims);
    if (!this.memory || bytes > this.capacityBytes) {
      const kernel = allocateKernelMemory(rows, dims);
      this.memory = kernel?.memory ?? new SharedArrayBuffer(Math.max(4, rows * dims * 4));
      this.capacityBytes = kernel ? bytes : rows * dims * 4;
    }
    // Not cleared: a chunk's values hold the previous chunk's until its writer fills every one
    // (the converters and the spill reader do; the PCA projection, which adds, clears first).
    if (this.memory instanceof WebAssembly.Memory) {
      const data = new Float32Array(this.memory.buffer, 0, rows * dims);
      return {
        rows,
        dims,
        features,
        data,
        kernelMemory: { memory: this.memory, ...regions, claimed: false },
      };
    }
    return { rows, dims, features, data: new Float32Array(this.memory, 0, rows * dims) };
  }
}

/** A matrix over given values (row-major input, as users write small arrays), copied to column-major. */
export function matrixFromRows(
  rowsData: ArrayLike<ArrayLike<number>>,
  features?: readonly string[],
): DataMatrix {
  const rows = rowsData.length;
  const dims = rows > 0 ? rowsData[0].length : (features?.length ?? 0);
  const names = features ?? Array.from({ length: dims }, (_, j) => `x${j}`);
  const m = allocateMatrix(rows, names);
  for (let i = 0; i < rows; i++) {
    const r = rowsData[i];
    for (let j = 0; j < dims; j++) m.data[j * rows + i] = r[j];
  }
  return m;
}

/** Row i as a dense vector (row-major order of the features). */
export function readRow(m: DataMatrix, i: number, out = new Float32Array(m.dims)): Float32Array {
  for (let j = 0; j < m.dims; j++) out[j] = m.data[j * m.rows + i];
  return out;
}

/** Mean, variance, min, max per feature, in float64, ignoring NaN. */
export function columnStats(m: DataMatrix): ColumnStats {
  const d = m.dims;
  const stats: ColumnStats = {
    count: new Float64Array(d),
    mean: new Float64Array(d),
    variance: new Float64Array(d),
    min: new Float64Array(d),
    max: new Float64Array(d),
  };
  for (let j = 0; j < d; j++) {
    const s = matrixColumnStats(m, j);
    stats.count[j] = s.count;
    stats.mean[j] = s.mean;
    stats.variance[j] = s.std * s.std;
    stats.min[j] = s.min;
    stats.max[j] = s.max;
  }
  return stats;
}

/** The mean over features of their population variance: the scale of scikit-learn's k-means tolerance. */
export function meanFeatureVariance(m: DataMatrix): number {
  return columnStats(m).variance.reduce((s, v) => s + v, 0) / m.dims;
}
