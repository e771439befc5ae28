import type { BoundedKernel } from './kernel-types.js';

type BoundedExport = (
  nb: number,
  x: number,
  i0: number,
  i1: number,
  lab: number,
  ub: number,
  lb: number,
  geo: number,
  c: number,
  acc: number,
  far: number,
  nextFar: number,
  farthest: number,
) => void;

/**
 * The JavaScript around the bounded kernel (wasm-bounded.ts), workers and the calling thread
 * alike: a function with the JavaScript kernel's signature and results, for labels and bounds
 * that live in `memory` (the matrix's kernel memory); its scratch slot at `base` takes the
 * centres, the geometry and the sums.
 */
export function makeWasmBounded(
  module: WebAssembly.Module,
  k: number,
  d: number,
  memory: WebAssembly.Memory,
  base: number,
): BoundedKernel {
  const bounded = new WebAssembly.Instance(module, { env: { mem: memory } }).exports
    .bounded as BoundedExport;
  const f64 = new Float64Array(memory.buffer);
  const kd = k * d;
  const accWords = kd + k + 2;
  const cOff = base;
  const geoOff = cOff + kd * 8;
  const accOff = geoOff + 2 * k * 8;
  return (X, n, i0, i1, C, labels, U, Lo, shift, far, nextFar, farthest, half, acc) => {
    for (let t = 0; t < kd; t++) f64[cOff / 8 + t] = C[t];
    f64.set(shift, geoOff / 8);
    f64.set(half, geoOff / 8 + k);
    f64.fill(0, accOff / 8, accOff / 8 + accWords);
    // X, labels and bounds are views on this memory (the backend passes them only where the
    // matrix has one), wherever in it they lie.
    bounded(
      n,
      X.byteOffset,
      i0,
      i1,
      labels.byteOffset,
      U.byteOffset,
      Lo.byteOffset,
      geoOff,
      cOff,
      accOff,
      far,
      nextFar,
      farthest,
    );
    for (let o = 0; o < accWords; o++) acc[o] += f64[accOff / 8 + o];
  };
}
