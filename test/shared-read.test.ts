import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { inputMemoryOf } from '../src/data/input-memory.js';
import { readShared, TWO_LANE_MIN_BYTES } from '../src/io/shared-read.js';
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
