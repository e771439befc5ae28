import type { LloydKernel } from './kernel-types.js';
import type { wasmLayout } from './wasm-kernel.js';

/**
 * The JavaScript around the SIMD Lloyd kernel (wasm-kernel.ts). A driver has the JavaScript
 * kernel's contract (kernel-source.ts, lloyd) plus `tail`, the JavaScript kernel, which does the
 * last rows of a block (fewer than four): it runs the kernel over the block, then labels, distances
 * and bounds are where the caller wants them and the statistics are added to acc.
 */
export type WasmLloydDriver = (
  X: Float32Array,
  n: number,
  i0: number,
  i1: number,
  C: Float32Array,
  labels: Int32Array,
  sqd: Float32Array | null,
  acc: Float64Array | null,
  tail: LloydKernel,
  ub: Float32Array | null,
  lb: Float32Array | null,
) => void;

type Layout = ReturnType<typeof wasmLayout>;
/** Offsets of a thread's centres and statistics in a kernel memory. */
export type ScratchOffsets = Pick<Layout, 'c' | 'cm2' | 'q' | 'acc'>;

type LloydExport = (
  nb: number,
  quads: number,
  flags: number,
  x: number,
  lab: number,
  sqd: number,
  c: number,
  cm2: number,
  q: number,
  acc: number,
  tau: number,
  qmax: number,
  ub: number,
  lb: number,
) => void;

function lloydExport(module: WebAssembly.Module, memory: WebAssembly.Memory): LloydExport {
  return new WebAssembly.Instance(module, { env: { mem: memory } }).exports.lloyd as LloydExport;
}

/** Writes the centres (padded rows), −2·centres and ‖c‖²; returns max ‖c‖². */
function wasmCentres(
  f32: Float32Array,
  layout: ScratchOffsets,
  k: number,
  d: number,
  C: Float32Array,
): number {
  const dp = Math.ceil(d / 4) * 4;
  let qmax = 0;
  f32.fill(0, layout.c / 4, layout.c / 4 + k * dp);
  for (let c = 0; c < k; c++) {
    let q = 0;
    for (let j = 0; j < d; j++) {
      const v = C[c * d + j];
      f32[layout.c / 4 + c * dp + j] = v;
      f32[layout.cm2 / 4 + c * d + j] = -2 * v;
      q += v * v;
    }
    f32[layout.q / 4 + c] = q;
    if (q > qmax) qmax = q;
  }
  return qmax;
}

/** Sums come back K×Dp (padded); the callers' layout is K×D sums, K counts, inertia, changed. */
function wasmAddStatistics(
  f64: Float64Array,
  layout: ScratchOffsets,
  k: number,
  d: number,
  acc: Float64Array,
): void {
  const dp = Math.ceil(d / 4) * 4;
  const a0 = layout.acc / 8;
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) acc[c * d + j] += f64[a0 + c * dp + j];
  for (let t = 0; t < k + 2; t++) acc[k * d + t] += f64[a0 + k * dp + t];
}

function flagsOf(
  acc: Float64Array | null,
  sqd: Float32Array | null,
  ub: Float32Array | null,
): number {
  return (acc !== null ? 1 : 0) | (sqd !== null ? 2 : 0) | (ub !== null ? 4 : 0);
}

/** Blocks are copied into a private memory (matrices outside a WebAssembly memory). */
export function makeWasmLloyd(
  module: WebAssembly.Module,
  k: number,
  d: number,
  layout: Layout,
  maxRows: number,
  tau: number,
): WasmLloydDriver {
  const memory = new WebAssembly.Memory({ initial: Math.ceil(layout.bytes / 65536) + 1 });
  const run = lloydExport(module, memory);
  const f32 = new Float32Array(memory.buffer);
  const i32 = new Int32Array(memory.buffer);
  const f64 = new Float64Array(memory.buffer);
  const accWords = k * Math.ceil(d / 4) * 4 + k + 2;
  return (X, n, i0, i1, C, labels, sqd, acc, tail, ub, lb) => {
    const qmax = wasmCentres(f32, layout, k, d, C);
    const flags = flagsOf(acc, sqd, ub ?? null);
    for (let b0 = i0; b0 < i1; b0 += maxRows) {
      const nb = Math.min(maxRows, i1 - b0);
      const quads = nb >> 2;
      for (let j = 0; j < d; j++)
        f32.set(X.subarray(j * n + b0, j * n + b0 + nb), layout.x / 4 + j * nb);
      i32.set(labels.subarray(b0, b0 + nb), layout.lab / 4);
      f64.fill(0, layout.acc / 8, layout.acc / 8 + accWords);
      run(
        nb,
        quads,
        flags,
        layout.x,
        layout.lab,
        layout.sqd,
        layout.c,
        layout.cm2,
        layout.q,
        layout.acc,
        tau,
        qmax,
        layout.ub,
        layout.lb,
      );
      labels.set(i32.subarray(layout.lab / 4, layout.lab / 4 + quads * 4), b0);
      if (sqd !== null) sqd.set(f32.subarray(layout.sqd / 4, layout.sqd / 4 + quads * 4), b0);
      if (ub && lb) {
        ub.set(f32.subarray(layout.ub / 4, layout.ub / 4 + quads * 4), b0);
        lb.set(f32.subarray(layout.lb / 4, layout.lb / 4 + quads * 4), b0);
      }
      if (acc !== null) wasmAddStatistics(f64, layout, k, d, acc);
      if (quads * 4 < nb) tail(X, n, b0 + quads * 4, b0 + nb, C, labels, sqd, acc, ub, lb);
    }
  };
}

/** The matrix, labels and distances already live in `memory` (views on its buffer): no copies. */
export function makeWasmLloydInPlace(
  module: WebAssembly.Module,
  k: number,
  d: number,
  memory: WebAssembly.Memory,
  layout: ScratchOffsets,
  tau: number,
): WasmLloydDriver {
  const run = lloydExport(module, memory);
  const f32 = new Float32Array(memory.buffer);
  const f64 = new Float64Array(memory.buffer);
  const accWords = k * Math.ceil(d / 4) * 4 + k + 2;
  return (X, n, i0, i1, C, labels, sqd, acc, tail, ub, lb) => {
    const qmax = wasmCentres(f32, layout, k, d, C);
    const flags = flagsOf(acc, sqd, ub ?? null);
    const quads = (i1 - i0) >> 2;
    f64.fill(0, layout.acc / 8, layout.acc / 8 + accWords);
    run(
      n,
      quads,
      flags,
      X.byteOffset + i0 * 4,
      labels.byteOffset + i0 * 4,
      sqd !== null ? sqd.byteOffset + i0 * 4 : 0,
      layout.c,
      layout.cm2,
      layout.q,
      layout.acc,
      tau,
      qmax,
      ub ? ub.byteOffset + i0 * 4 : 0,
      lb ? lb.byteOffset + i0 * 4 : 0,
    );
    if (acc !== null) wasmAddStatistics(f64, layout, k, d, acc);
    if (i0 + quads * 4 < i1) tail(X, n, i0 + quads * 4, i1, C, labels, sqd, acc, ub, lb);
  };
}
