import { expect, test } from 'vitest';
import { benchBlobs, BlobGenerator } from '../src/bench/bench-data.js';

/**
 * The bench's synthetic data (src/bench/bench-data.ts): the same arguments give the same bits —
 * `gpuseg bench --seed` and the device check's stages compare figures across runs and backends on
 * it — with overlapping blobs of the first generator's spread, fast enough that generating never
 * dominates a stage again (the first generator took ~36 s for 10M×16).
 */
const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

test('the same seed gives the same bits, on any number of threads; another seed, other data', async () => {
  const a = await benchBlobs(10_001, 5, 7, 3, 1);
  const b = await benchBlobs(10_001, 5, 7, 3, 1);
  expect(bits(a.matrix.data).equals(bits(b.matrix.data))).toBe(true);
  expect(Array.from(a.init)).toEqual(Array.from(b.init));
  // Features split among 3 threads (two worker threads: blob-worker.ts) and 5.
  for (const threads of [3, 5]) {
    const t = await benchBlobs(10_001, 5, 7, 3, threads);
    expect([threads, bits(t.matrix.data).equals(bits(a.matrix.data))]).toEqual([threads, true]);
  }
  const c = await benchBlobs(10_001, 5, 7, 4, 1);
  const same = a.matrix.data.filter((v, i) => v === c.matrix.data[i]).length;
  expect(same).toBeLessThan(a.matrix.data.length / 100);
});

test('batch by batch (bench/gen-features.ts), any start, the same bits as the whole', () => {
  const noise = (rng: { nextDouble(): number }) => rng.nextDouble() - 0.5;
  const rows = 1001;
  const dims = 3;
  const whole = new Float32Array(rows * dims);
  BlobGenerator.seeded(dims, 5, 9, noise).fill(whole, 0, rows);
  const generator = BlobGenerator.seeded(dims, 5, 9, noise);
  for (const [start, n] of [
    [0, 1],
    [1, 2],
    [3, 300],
    [303, 697],
    [1000, 1],
  ]) {
    const batch = new Float32Array(n * dims);
    generator.fill(batch, start, n);
    for (let j = 0; j < dims; j++)
      expect(bits(batch.subarray(j * n, (j + 1) * n))).toEqual(
        bits(whole.subarray(j * rows + start, j * rows + start + n)),
      );
  }
});

test('overlapping blobs: noise of sd 6 within ±18 around centres, independent across features', async () => {
  const rows = 200_000;
  const dims = 4;
  const k = 8;
  const { matrix, init } = await benchBlobs(rows, dims, k, 0);
  // Rows i and i + k belong to the same cluster (row i's cluster: i · 2654435761 mod K).
  const col = (j: number) => matrix.data.subarray(j * rows, (j + 1) * rows);
  for (let j = 0; j < dims; j++) {
    const x = col(j);
    const mean = new Float64Array(k);
    for (let i = 0; i < rows; i++) mean[i % k] += x[i] / (rows / k);
    let sq = 0;
    let max = 0;
    for (let i = 0; i < rows; i++) {
      const e = x[i] - mean[i % k];
      sq += e * e;
      max = Math.max(max, Math.abs(e));
    }
    const sd = Math.sqrt(sq / rows);
    expect(sd).toBeGreaterThan(5.9);
    expect(sd).toBeLessThan(6.1);
    expect(max).toBeLessThan(18.1);
    expect(max).toBeGreaterThan(15); // the tails are there
    // Centres in [−10, 10] (the cluster means, within their noise).
    for (const m of mean) expect(Math.abs(m)).toBeLessThan(10.2);
  }
  // The noise of two features of a row is not the same draw.
  const a = col(0);
  const b = col(1);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = k; i < rows; i++) {
    const da = a[i] - a[i - k];
    const db = b[i] - b[i - k];
    ab += da * db;
    aa += da * da;
    bb += db * db;
  }
  expect(Math.abs(ab / Math.sqrt(aa * bb))).toBeLessThan(0.02);
  // Initial centres are rows (c · 7919) mod N.
  for (let c = 0; c < k; c++)
    for (let j = 0; j < dims; j++)
      expect(init[c * dims + j]).toBe(matrix.data[j * rows + ((c * 7919) % rows)]);
});
