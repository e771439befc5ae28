import type { SeedMinDistKernel, SeedPotentialsKernel } from './kernel-types.js';

/**
 * The JavaScript around the seeding kernel (wasm-seed.ts), for the worker threads and the calling
 * thread alike. makeWasmSeed(module, d, memory, base, slotBytes, maxRows) returns
 * { seedMinDist, seedPotentials } with the JavaScript kernels' signatures and results: a thread's
 * scratch slot at `base` holds the call's minimum distances, then the candidates as float64 (in
 * batches that fit), then their sums. Rows past the last whole quad go through the same
 * arithmetic here.
 */
export interface WasmSeedDriver {
  seedMinDist: SeedMinDistKernel;
  seedPotentials: SeedPotentialsKernel;
}

interface SeedExports {
  min_dist(
    nb: number,
    x: number,
    first: number,
    quads: number,
    c: number,
    count: number,
    md: number,
  ): void;
  potentials(
    nb: number,
    x: number,
    first: number,
    quads: number,
    c: number,
    count: number,
    md: number,
    s: number,
  ): void;
}

export function makeWasmSeed(
  module: WebAssembly.Module,
  d: number,
  memory: WebAssembly.Memory,
  base: number,
  slotBytes: number,
  maxRows: number,
): WasmSeedDriver {
  const ex = new WebAssembly.Instance(module, { env: { mem: memory } })
    .exports as unknown as SeedExports;
  const f32 = new Float32Array(memory.buffer);
  const f64 = new Float64Array(memory.buffer);
  const mdOff = base;
  const cOff = base + maxRows * 4;
  // Candidates (D values) and their sums (one value) per batch entry, float64.
  const batch = Math.floor((slotBytes - maxRows * 4) / ((d + 1) * 8));
  if (batch < 1)
    throw new Error(`the seeding kernel has no room for one candidate of ${d} features`);
  function load(C: Float32Array, from: number, count: number): number {
    const c0 = cOff / 8;
    for (let t = 0; t < count * d; t++) f64[c0 + t] = C[from * d + t];
    return cOff + count * d * 8;
  }
  function dist(X: Float32Array, n: number, i: number, C: Float32Array, l: number): number {
    let t = 0;
    let s = 0;
    for (let j = 0; j < d; j++) {
      t = X[j * n + i] - C[l * d + j];
      s += t * t;
    }
    return Math.fround(s);
  }
  const seedMinDist: SeedMinDistKernel = (
    X,
    n,
    i0,
    i1,
    C,
    count,
    minDist,
    reset,
    blockSums,
    blockRows,
  ) => {
    const m0 = mdOff / 4;
    for (let p0 = i0; p0 < i1; p0 += maxRows) {
      const rows = Math.min(maxRows, i1 - p0);
      const quads = rows >> 2;
      if (reset) f32.fill(Infinity, m0, m0 + rows);
      else f32.set(minDist.subarray(p0, p0 + rows), m0);
      for (let from = 0; from < count; from += batch) {
        const b = Math.min(batch, count - from);
        load(C, from, b);
        ex.min_dist(n, X.byteOffset, p0, quads, cOff, b, mdOff);
        for (let t = quads * 4; t < rows; t++) {
          let v = f32[m0 + t];
          for (let l = from; l < from + b; l++) {
            const f = dist(X, n, p0 + t, C, l);
            if (f < v) v = f;
          }
          f32[m0 + t] = v;
        }
      }
      minDist.set(f32.subarray(m0, m0 + rows), p0);
    }
    for (let b0 = i0; b0 < i1; b0 += blockRows) {
      const b1 = Math.min(i1, b0 + blockRows);
      let s = 0;
      for (let i = b0; i < b1; i++) s += minDist[i];
      blockSums[b0 / blockRows] = s;
    }
  };
  const seedPotentials: SeedPotentialsKernel = (X, n, i0, i1, cands, L, minDist, out) => {
    const m0 = mdOff / 4;
    for (let from = 0; from < L; from += batch) {
      const b = Math.min(batch, L - from);
      const sOff = load(cands, from, b);
      const s0 = sOff / 8;
      f64.fill(0, s0, s0 + b);
      for (let p0 = i0; p0 < i1; p0 += maxRows) {
        const rows = Math.min(maxRows, i1 - p0);
        const quads = rows >> 2;
        f32.set(minDist.subarray(p0, p0 + rows), m0);
        ex.potentials(n, X.byteOffset, p0, quads, cOff, b, mdOff, sOff);
        for (let t = quads * 4; t < rows; t++) {
          const m = f32[m0 + t];
          for (let l = 0; l < b; l++) {
            const f = dist(X, n, p0 + t, cands, from + l);
            f64[s0 + l] += f < m ? f : m;
          }
        }
      }
      for (let l = 0; l < b; l++) out[from + l] += f64[s0 + l];
    }
  };
  return { seedMinDist, seedPotentials };
}
