import { open, type FileHandle } from 'node:fs/promises';
import { allocateInputBytes } from '../data/input-memory.js';

/**
 * A whole file read into shared memory (data/input-memory.ts: a WebAssembly memory where large
 * enough, so that float32 columns may be the matrix in place), for the decode worker to parse
 * without a copy.
 *
 * The read is asynchronous, on libuv's threads, for two reasons measured on a 10M × 16 float32
 * file (640 MB): most of its cost is the kernel's, first-touch page faults of the fresh memory
 * (~0.45 s of ~0.6 s of one thread), which two threads reading one half each share out where two
 * cores are free; and this thread is left free meanwhile, so that what the caller started before
 * the read (the column statistics kernel's assembly: loading wabt, ~0.25 s of this thread) runs
 * during it instead of after it, as it did behind a synchronous read.
 */

/** Bytes from which the file is read as two halves at once (below, one read is as quick). */
export const TWO_LANE_MIN_BYTES = 64 << 20;
/** Bytes one read call asks for: a lane's reads follow one another. */
const PIECE_BYTES = 1 << 28;

/** The file's bytes in shared memory (fewer than its size if it shrank while being read). */
export async function readShared(path: string): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    const shared = allocateInputBytes(size);
    // The second half starts on a 64 KiB boundary: each lane faults in pages of its own.
    const half = size >= TWO_LANE_MIN_BYTES ? Math.ceil(size / 2 / 65536) * 65536 : size;
    const [first, second] = await Promise.all([
      readRange(file, shared, 0, half),
      readRange(file, shared, half, size),
    ]);
    // A short first half ends the bytes there (the file shrank); else both halves count.
    return shared.subarray(0, first < half ? first : second);
  } finally {
    await file.close();
  }
}

/** Reads bytes [from, to) of the file into the same range of `into`; returns where it stopped. */
async function readRange(
  file: FileHandle,
  into: Uint8Array,
  from: number,
  to: number,
): Promise<number> {
  let offset = from;
  while (offset < to) {
    const length = Math.min(to - offset, PIECE_BYTES);
    const { bytesRead } = await file.read(into, offset, length, offset);
    if (bytesRead === 0) break;
    offset += bytesRead;
  }
  return offset;
}
