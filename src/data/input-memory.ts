import { KERNEL_MEMORY_MAX, kernelRegions, type KernelMemory } from './matrix.js';

/**
 * Input files read into a shared WebAssembly memory, so that float32 feature columns can be the
 * matrix in place (data/in-place.ts): the CPU backend's SIMD kernels and the column statistics
 * kernel work on a matrix only inside a WebAssembly memory, and the file's bytes then already are
 * one. The memory may grow once the table is parsed, by the per-row regions and scratch a kernel
 * memory needs (laid out after the file's bytes); its maximum is set at allocation from an upper
 * bound on the rows (a float32 column of N rows takes 4·N bytes of the file).
 */

/** Files below this size are read into a plain shared buffer: copying their columns costs nothing. */
export const IN_PLACE_MIN_BYTES = 1 << 20;

const PAGE = 65536;
/** Scratch of a kernel memory (KERNEL_SCRATCH_SLOTS × KERNEL_SCRATCH_BYTES) and alignment, at most. */
function kernelExtraBytes(): number {
  return kernelRegions(0, 0).bytes + 4 * 64;
}

/** WebAssembly.Memory's grow, which the build's type library leaves out. */
type Growable = WebAssembly.Memory & { grow(deltaPages: number): number };

/** The memory behind each input buffer read here, and the kernel memory grown for it. */
const inputs = new WeakMap<
  ArrayBufferLike,
  { memory: WebAssembly.Memory; kernel?: KernelMemory }
>();

/**
 * `size` zeroed bytes for a file's contents, shared between threads, followed by `extra` bytes
 * (from the next multiple of 64 on: a region the read puts float32 columns in, io/shared-read.ts):
 * in a WebAssembly memory with room to grow by a kernel memory's regions when the file is large
 * enough to matter and the total stays within KERNEL_MEMORY_MAX, else a plain SharedArrayBuffer.
 * The view returned is of the file's `size` bytes; the region is in the same buffer.
 */
export function allocateInputBytes(size: number, extra = 0): Uint8Array {
  const total = regionOffset(size) + extra;
  const most = mostBytes(size, total);
  if (inWebAssemblyMemory(size, extra)) {
    try {
      const memory = new WebAssembly.Memory({
        initial: Math.ceil(total / PAGE),
        maximum: Math.ceil(most / PAGE),
        shared: true,
      });
      inputs.set(memory.buffer, { memory });
      return new Uint8Array(memory.buffer, 0, size);
    } catch {
      // address space refused: the plain shared buffer below
    }
  }
  return new Uint8Array(new SharedArrayBuffer(Math.max(1, total)), 0, size);
}

/** Whether allocateInputBytes(size, extra) tries a WebAssembly memory (it may still be refused). */
export function inWebAssemblyMemory(size: number, extra = 0): boolean {
  const total = regionOffset(size) + extra;
  return (
    size >= IN_PLACE_MIN_BYTES && total < mostBytes(size, total) && typeof WebAssembly === 'object'
  );
}

/**
 * Rows ≤ size / 4 and the kernel's regions take 12 bytes a row: the most the memory may need (a
 * grow past a maximum capped at KERNEL_MEMORY_MAX fails, and the matrix is copied then).
 */
function mostBytes(size: number, total: number): number {
  return Math.min(total + 3 * size + kernelExtraBytes(), KERNEL_MEMORY_MAX);
}

/** Where the region after a file of `size` bytes starts (allocateInputBytes). */
export function regionOffset(size: number): number {
  return Math.ceil(size / 64) * 64;
}

/** The WebAssembly memory an input buffer was read into, if it was. */
export function inputMemoryOf(buffer: ArrayBufferLike): WebAssembly.Memory | undefined {
  return inputs.get(buffer)?.memory;
}

/**
 * A kernel memory for a matrix of `rows` rows read in place from an input buffer: the input's
 * memory grown by the regions (once; later matrices of as many rows share it, one attachment at a
 * time as for any matrix). Undefined when the buffer is not an input memory or cannot grow so far.
 */
export function inputKernelMemory(buffer: ArrayBufferLike, rows: number): KernelMemory | undefined {
  const input = inputs.get(buffer);
  if (!input) return undefined;
  const { memory } = input;
  if (input.kernel) {
    const roomFor = (input.kernel.upper - input.kernel.labels) / 4;
    return rows <= roomFor ? input.kernel : undefined;
  }
  const start = buffer.byteLength;
  const { regions, bytes } = kernelRegions(start, rows);
  try {
    const grow = Math.ceil(bytes / PAGE) - memory.buffer.byteLength / PAGE;
    if (grow > 0) (memory as Growable).grow(grow);
  } catch {
    return undefined; // beyond the maximum: the matrix is copied instead
  }
  input.kernel = { memory, ...regions, claimed: false };
  return input.kernel;
}
