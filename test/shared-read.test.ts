import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { inputMemoryOf } from '../src/data/input-memory.js';
import type { FileHandle } from 'node:fs/promises';
import {
  readShared,
  readvFully,
  scatteredSegments,
  TWO_LANE_MIN_BYTES,
  viewsAfter,
} from '../src/io/shared-read.js';
import { tempDir } from './helpers/cli.js';

// An input file read into shared memory asynchronously, as two halves at once when large: every
// byte must land where the file has it, whichever half read it.

/** Bytes that differ from position to position (a misplaced piece shows). */
function pattern(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  const words = new Uint32Array(bytes.buffer, 0, size >>> 2);
  let state = 2463534242;
  for (let i = 0; i < words.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    words[i] = (state >>> 0) ^ i;
  }
  for (let i = words.length * 4; i < size; i++) bytes[i] = i & 255;
  return bytes;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(
    Buffer.from(b.buffer, b.byteOffset, b.length),
  );
}

describe('readShared', () => {
  test('a file past the two-lane size (not a multiple of a page) reads byte for byte, into a WebAssembly memory, without blocking this thread', async () => {
    const path = join(tempDir(), 'big.bin');
    const size = TWO_LANE_MIN_BYTES + 3 * 65536 + 12345;
    writeFileSync(path, pattern(size));
    try {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 0);
      const { bytes } = await readShared(path);
      clearInterval(timer);
      expect(bytes.length).toBe(size);
      expect(sameBytes(bytes, readFileSync(path))).toBe(true);
      expect(inputMemoryOf(bytes.buffer)).toBeInstanceOf(WebAssembly.Memory);
      expect(bytes.byteOffset).toBe(0);
      // The read ran off this thread: timers fired while it was under way.
      expect(ticks).toBeGreaterThan(0);
    } finally {
      rmSync(path, { force: true });
    }
  });

  test.each([0, 1, 65537, 3 << 20])('a file of %i bytes reads as it is', async (size) => {
    const path = join(tempDir(), 'small.bin');
    writeFileSync(path, pattern(size));
    const { bytes } = await readShared(path);
    expect(bytes.length).toBe(size);
    expect(sameBytes(bytes, readFileSync(path))).toBe(true);
    expect(bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  test('a missing file is an error naming it', async () => {
    const path = join(tempDir(), 'absent.arrow');
    await expect(readShared(path)).rejects.toThrow(/ENOENT.*absent\.arrow/);
  });
});

describe('reads that return fewer bytes than asked', () => {
  test('a short read is not the end of the file: readv goes on until the views are full', async () => {
    const content = pattern(10_000);
    let calls = 0;
    // A handle whose every readv fills at most 777 bytes (a network file system, a signal).
    const file = {
      readv: (views: Uint8Array[], position: number) => {
        calls++;
        let at = position;
        let left = 777;
        for (const v of views) {
          const n = Math.min(v.length, left, Math.max(0, content.length - at));
          v.set(content.subarray(at, at + n));
          at += n;
          left -= n;
          if (n < v.length) break;
        }
        return Promise.resolve({ bytesRead: at - position, buffers: views });
      },
    } as unknown as FileHandle;
    const into = new Uint8Array(9_000);
    const views = [into.subarray(0, 0), into.subarray(0, 5_000), into.subarray(5_000)];
    expect(await readvFully(file, views, 1_000)).toBe(9_000);
    expect(into).toEqual(content.subarray(1_000));
    expect(calls).toBeGreaterThan(10);
    // At the end of the file it stops with what there was.
    const tail = new Uint8Array(500);
    expect(await readvFully(file, [tail], 9_800)).toBe(200);
    expect(tail.subarray(0, 200)).toEqual(content.subarray(9_800));
  });

  test('viewsAfter: the views left once n bytes were filled', () => {
    const a = new Uint8Array(4);
    const b = new Uint8Array(6);
    expect(viewsAfter([a, b], 0).map((v) => v.length)).toEqual([4, 6]);
    expect(viewsAfter([a, b], 4).map((v) => v.length)).toEqual([6]);
    expect(viewsAfter([a, b], 7).map((v) => v.length)).toEqual([3]);
    expect(viewsAfter([a, b], 10)).toEqual([]);
  });
});

describe('where a scattered read puts the bytes', () => {
  test('every byte of the file once: the float32 pieces to the region, the rest in place', () => {
    const layout = {
      rows: 5,
      columns: [
        {
          field: 0,
          pieces: [
            [100, 2],
            [300, 3],
          ] as [number, number][],
        },
      ],
    };
    const segments = scatteredSegments(layout, 400, 448)!;
    expect(segments).toEqual([
      { from: 0, bytes: 100, to: 0 },
      { from: 100, bytes: 8, to: 448 },
      { from: 108, bytes: 192, to: 108 },
      { from: 300, bytes: 12, to: 456 },
      { from: 312, bytes: 88, to: 312 },
    ]);
  });

  test('overlapping pieces (a batch listed twice, two fields on one buffer) are not read scattered', () => {
    const twice = [
      [100, 2],
      [100, 2],
    ] as [number, number][];
    expect(
      scatteredSegments({ rows: 4, columns: [{ field: 0, pieces: twice }] }, 400, 448),
    ).toBeUndefined();
    const shared = [
      { field: 0, pieces: [[100, 4]] as [number, number][] },
      { field: 1, pieces: [[104, 4]] as [number, number][] },
    ];
    expect(scatteredSegments({ rows: 4, columns: shared }, 400, 448)).toBeUndefined();
  });
});
