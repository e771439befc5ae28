import type { Data } from 'apache-arrow';
import { shareColumns } from './column-share.js';
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
 * `size` zeroed bytes for a file's contents, shared between threads: in a WebAssembly memory with
 * room to grow by a kernel memory's regions when the file is large enough to matter and the total
 * stays within KERNEL_MEMORY_MAX, else a plain SharedArrayBuffer.
 */
export function allocateInputBytes(size: number): Uint8Array {
  // Rows ≤ size / 4 and the regions take 12 bytes a row: the most the memory may need (a grow
  // past a maximum capped at KERNEL_MEMORY_MAX fails, and the matrix is copied then).
  const most = Math.min(size + 3 * size + kernelExtraBytes(), KERNEL_MEMORY_MAX);
  if (size >= IN_PLACE_MIN_BYTES && size < most && typeof WebAssembly === 'object') {
    try {
      const memory = new WebAssembly.Memory({
        initial: Math.ceil(size / PAGE),
        maximum: Math.ceil(most / PAGE),
        shared: true,
      });
      inputs.set(memory.buffer, { memory });
      return new Uint8Array(memory.buffer, 0, size);
    } catch {
      // address space refused: the plain shared buffer below
    }
  }
  return new Uint8Array(new SharedArrayBuffer(Math.max(1, size)), 0, size);
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

/** A typed array over some buffer (the views an Arrow Data holds). */
type View = Uint8Array | Int32Array | Float32Array | ArrayBufferView;

/**
 * Moves a table read into an input memory so that byte `start` of the file comes to offset 0 (the
 * SIMD kernels address a matrix from offset 0 of its memory), and points every view of the table
 * (values, offsets, validity, children, dictionaries) at the bytes' new place: [start, end) moves
 * down to 0 and [0, start) — header, schema, columns before the features — goes after it. Only for
 * a table gpuseg read itself and has not handed out (a view taken earlier would see other bytes).
 * Returns the memory's buffer the views now use, or undefined where the memory cannot grow.
 */
export function relocateInput(
  batches: readonly { data: Data }[],
  buffer: SharedArrayBuffer,
  start: number,
): SharedArrayBuffer | undefined {
  const input = inputs.get(buffer);
  if (!input || input.kernel) return undefined;
  const { memory } = input;
  const size = buffer.byteLength;
  const tail = Math.ceil((size - start) / 64) * 64; // where the moved-down prefix goes
  const parking = Math.ceil(size / 64) * 64; // the prefix's place while the rest moves down
  try {
    const pages = Math.ceil((Math.max(parking, tail) + start) / PAGE);
    const grow = pages - memory.buffer.byteLength / PAGE;
    if (grow > 0) (memory as Growable).grow(grow);
  } catch {
    return undefined; // beyond the maximum: the matrix is copied instead
  }
  const bytes = new Uint8Array(memory.buffer as unknown as SharedArrayBuffer);
  bytes.copyWithin(parking, 0, start);
  moveDown(memory, start, size, Math.ceil((parking + start) / 64) * 64);
  bytes.copyWithin(tail, parking, parking + start);
  const moved = memory.buffer as unknown as SharedArrayBuffer;
  const place = (offset: number): number => (offset >= start ? offset - start : tail + offset);
  const seen = new Set<Data>();
  const repoint = (data: Data): void => {
    if (seen.has(data)) return;
    seen.add(data);
    const d = data as unknown as Record<string, unknown>;
    for (const key of ['values', 'valueOffsets', 'nullBitmap', 'typeIds']) {
      const v = d[key] as View | undefined;
      if (v && ArrayBuffer.isView(v) && v.buffer === buffer) d[key] = rebase(v, moved, place);
    }
    const variadic = d.variadicBuffers as readonly View[] | undefined;
    if (variadic?.some((v) => v.buffer === buffer))
      d.variadicBuffers = variadic.map((v) => (v.buffer === buffer ? rebase(v, moved, place) : v));
    data.children.forEach(repoint);
    data.dictionary?.data.forEach(repoint);
  };
  batches.forEach((b) => repoint(b.data));
  inputs.set(moved, input);
  return moved;
}

/** Pieces a large move is cut into, so that the helper thread can join one that is under way. */
const MOVE_PIECES = 8;

/**
 * Moves bytes [start, size) of a memory down to 0, in pieces shared by two threads where the
 * helper is there (data/column-share.ts; hundreds of megabytes for a large file), else at once.
 * The last `start` bytes of a piece's source are where the next piece's destination begins: they
 * are set aside from `spare` on first (the memory grows for them), and read from there.
 */
function moveDown(memory: WebAssembly.Memory, start: number, size: number, spare: number): void {
  const length = size - start;
  const step = Math.ceil(length / MOVE_PIECES / 64) * 64;
  let room = false;
  if (start > 0 && start * MOVE_PIECES * 8 <= length)
    try {
      const grow =
        Math.ceil((spare + MOVE_PIECES * start) / PAGE) - memory.buffer.byteLength / PAGE;
      if (grow > 0) (memory as Growable).grow(grow);
      room = true;
    } catch {
      // beyond the maximum: moved at once below
    }
  if (room) {
    const bytes = new Uint8Array(memory.buffer as unknown as SharedArrayBuffer);
    const pieces: number[][] = [];
    for (let at = 0, p = 0; at < length; at += step, p++) {
      const end = Math.min(at + step, length); // destination [at, end)
      if (end === length) {
        pieces.push([start + at, at, end - at]);
        break;
      }
      bytes.copyWithin(spare + p * start, end, end + start);
      pieces.push([start + at, at, end - at - start, spare + p * start, end - start, start]);
    }
    const work = { kind: 'copy', from: memory, to: memory, within: true, pieces } as const;
    if (shareColumns(work, length / 4, undefined) !== undefined) return;
    // Not shared after all (no helper): the pieces in order are the move.
    for (const piece of pieces)
      for (let t = 0; t < piece.length; t += 3)
        bytes.copyWithin(piece[t + 1], piece[t], piece[t] + piece[t + 2]);
    return;
  }
  new Uint8Array(memory.buffer as unknown as SharedArrayBuffer).copyWithin(0, start, size);
}

/** The same view type over `to`, at the byte offset `place` gives. */
function rebase(v: View, to: SharedArrayBuffer, place: (offset: number) => number): View {
  const Type = v.constructor as new (b: ArrayBufferLike, offset: number, length: number) => View;
  const per = (v as Uint8Array).BYTES_PER_ELEMENT ?? 1;
  return new Type(to, place(v.byteOffset), v.byteLength / per);
}
