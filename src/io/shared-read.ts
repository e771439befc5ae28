import { open, type FileHandle } from 'node:fs/promises';
import {
  allocateInputBytes,
  IN_PLACE_MIN_BYTES,
  inWebAssemblyMemory,
  inputMemoryOf,
  regionOffset,
} from '../data/input-memory.js';
import type { ArrowLayout } from './arrow-layout.js';
import { arrowLayoutInWorker } from './guarded-decode.js';

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
 *
 * An Arrow file's float32 columns (io/arrow-layout.ts, found by the decode worker) can be read
 * `scattered`: their values into a region after the file's bytes, column after column, where a
 * column-major matrix has them, the file's places for them left unread (untouched memory costs
 * nothing). A file of many record batches then needs no copy of its columns into a matrix
 * (io/scattered-table.ts makes the table).
 */

/** Bytes from which the file is read as two halves at once (below, one read is as quick). */
export const TWO_LANE_MIN_BYTES = 64 << 20;
/** Bytes one read call asks for at most: a lane's reads follow one another. */
const PIECE_BYTES = 1 << 26;
/** Buffers one readv call takes at most (IOV_MAX is 1024 on Linux). */
const PIECE_BUFFERS = 512;

/** A file read: its bytes, and where it was read scattered, the float32 columns' region. */
export interface SharedRead {
  bytes: Uint8Array;
  scattered?: { layout: ArrowLayout; region: Float32Array };
}

/** One contiguous range of the file and where its bytes go in memory. */
export interface Segment {
  from: number;
  bytes: number;
  to: number;
}

/** The file's bytes in shared memory (fewer than its size if it shrank while being read). */
export async function readShared(path: string, scatter = false): Promise<SharedRead> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    const inPlace = scatter && size >= IN_PLACE_MIN_BYTES;
    const layout = inPlace ? await arrowLayoutInWorker(file.fd, size) : undefined;
    if (layout && !inPlaceAlready(layout)) {
      const read = await readScattered(file, size, layout);
      if (read) return read;
    }
    const bytes = allocateInputBytes(size);
    const ends = await readSegments(file, bytes, [{ from: 0, bytes: size, to: 0 }]);
    return { bytes: bytes.subarray(0, ends) };
  } finally {
    await file.close();
  }
}

/** Whether the float32 columns lie back to back in the file, a matrix as they are (one batch). */
function inPlaceAlready({ rows, columns }: ArrowLayout): boolean {
  const start = columns[0].pieces[0]?.[0];
  return columns.every((c, j) => c.pieces.length === 1 && c.pieces[0][0] === start + 4 * rows * j);
}

/** The file read with its float32 columns in a region of their own; undefined if it shrank. */
async function readScattered(
  file: FileHandle,
  size: number,
  layout: ArrowLayout,
): Promise<SharedRead | undefined> {
  const { rows, columns } = layout;
  const extra = 4 * rows * columns.length;
  // No matrix in place outside a WebAssembly memory: the file is read as it is then.
  if (!inWebAssemblyMemory(size, extra)) return undefined;
  const start = regionOffset(size);
  const segments = scatteredSegments(layout, size, start);
  if (!segments) return undefined;
  const bytes = allocateInputBytes(size, extra);
  if (!inputMemoryOf(bytes.buffer)) return undefined;
  const whole = new Uint8Array(bytes.buffer);
  if ((await readSegments(file, whole, segments)) < size) return undefined;
  const region = new Float32Array(bytes.buffer, start, rows * columns.length);
  return { bytes, scattered: { layout, region } };
}

/**
 * The file's ranges in order and where each goes: the float32 columns' pieces to the region at
 * `start` (column after column), every other byte where it is in the file. Undefined where pieces
 * overlap (a batch listed twice, two fields on one buffer: apache-arrow reads such a file): the
 * file is then read as it is.
 */
export function scatteredSegments(
  { rows, columns }: ArrowLayout,
  size: number,
  start: number,
): Segment[] | undefined {
  const moved: Segment[] = [];
  for (const [c, column] of columns.entries()) {
    let row = 0;
    for (const [from, n] of column.pieces) {
      moved.push({ from, bytes: 4 * n, to: start + 4 * (c * rows + row) });
      row += n;
    }
  }
  moved.sort((a, b) => a.from - b.from);
  const segments: Segment[] = [];
  let at = 0;
  for (const m of moved) {
    if (m.from < at) return undefined;
    if (m.from > at) segments.push({ from: at, bytes: m.from - at, to: at });
    if (m.bytes > 0) segments.push(m);
    at = m.from + m.bytes;
  }
  if (at < size) segments.push({ from: at, bytes: size - at, to: at });
  return segments;
}

/**
 * Reads the segments (in file order, back to back) into `into`, as two lanes of about half the
 * bytes each where there are many; returns the file offset the reading stopped at (short of the
 * end where the file shrank).
 */
async function readSegments(
  file: FileHandle,
  into: Uint8Array,
  segments: Segment[],
): Promise<number> {
  const total = segments.reduce((s, g) => s + g.bytes, 0);
  // The second lane starts at a 64 KiB boundary past half the bytes: each faults in its own pages.
  const half = total >= TWO_LANE_MIN_BYTES ? Math.ceil(total / 2 / 65536) * 65536 : total;
  const lanes: Segment[][] = [[], []];
  let done = 0;
  for (const segment of segments) {
    const first = Math.min(segment.bytes, Math.max(0, half - done));
    if (first > 0 || segment.bytes === 0) lanes[0].push({ ...segment, bytes: first });
    if (first < segment.bytes)
      lanes[1].push({
        from: segment.from + first,
        bytes: segment.bytes - first,
        to: segment.to + first,
      });
    done += segment.bytes;
  }
  const [first, second] = await Promise.all(lanes.map((lane) => readLane(file, into, lane)));
  // A short first lane ends the bytes there (the file shrank); else the second's end counts.
  const last = lanes[0][lanes[0].length - 1];
  const whole = last ? last.from + last.bytes : 0;
  return lanes[1].length === 0 || first < whole ? first : second;
}

/** Reads one lane's segments in order, several at a time with readv; returns where it stopped. */
async function readLane(file: FileHandle, into: Uint8Array, lane: Segment[]): Promise<number> {
  let i = 0;
  let position = lane[0]?.from ?? 0;
  while (i < lane.length) {
    const views: Uint8Array[] = [];
    let bytes = 0;
    // Segments are back to back in the file: one call reads a run of them.
    while (i < lane.length && views.length < PIECE_BUFFERS && bytes < PIECE_BYTES) {
      const s = lane[i];
      const n = Math.min(s.bytes, PIECE_BYTES - bytes);
      views.push(into.subarray(s.to, s.to + n));
      bytes += n;
      if (n < s.bytes) lane[i] = { from: s.from + n, bytes: s.bytes - n, to: s.to + n };
      else i++;
    }
    const got = await readvFully(file, views, position);
    position += got;
    if (got < bytes) return position; // the file ended early
  }
  return position;
}

/**
 * readv until the views are full or a read returns nothing (the end of the file): a short read
 * (a signal, a network file system) is not the end.
 */
export async function readvFully(
  file: FileHandle,
  views: Uint8Array[],
  position: number,
): Promise<number> {
  let total = 0;
  let rest = views;
  while (rest.length > 0) {
    const { bytesRead } = await file.readv(rest, position + total);
    if (bytesRead === 0) break;
    total += bytesRead;
    rest = viewsAfter(rest, bytesRead);
  }
  return total;
}

/** The views left after the first n bytes of them were filled. */
export function viewsAfter(views: Uint8Array[], n: number): Uint8Array[] {
  let i = 0;
  let left = n;
  while (i < views.length && left >= views[i].length) left -= views[i++].length;
  return i < views.length ? [views[i].subarray(left), ...views.slice(i + 1)] : [];
}
