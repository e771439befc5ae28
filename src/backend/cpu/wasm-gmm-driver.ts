import { addCentredMoments, gmmDiagRow } from './generic-kernels.js';
import type { GmmKernel } from './kernel-types.js';
import type { gmmWasmLayout } from './wasm-gmm.js';

interface GmmExports {
  gmm_estep(
    nb: number,
    x: number,
    first: number,
    quads: number,
    mp: number,
    b: number,
    lp: number,
    r: number,
    rs: number,
    stats: number,
    minr: number,
  ): void;
  gmm_acc(
    nb: number,
    x: number,
    first: number,
    quads: number,
    r: number,
    rs: number,
    acc: number,
  ): void;
}

/**
 * The JavaScript around the SIMD E-step (wasm-gmm.ts): a function with the JavaScript kernel's
 * contract (kernel-source.ts, gmmKernelSource, form 'diag'): per piece of `rowsPerPiece` rows,
 * the SIMD E-step, then per row one log (log p(x) = max + log Σ) and the outputs, then the SIMD
 * moments; the last rows of a block (fewer than four) go through the scalar E-step
 * (generic-kernels.ts, gmmDiagRow) in float64. Moments are raw sums, centred on the means at the
 * end, as the JavaScript kernel does.
 */
export function makeWasmGmm(
  module: WebAssembly.Module,
  k: number,
  d: number,
  memory: WebAssembly.Memory,
  base: number,
  layout: ReturnType<typeof gmmWasmLayout>,
  rowsPerPiece: number,
  minResponsibility: number,
): GmmKernel {
  const ex = new WebAssembly.Instance(module, { env: { mem: memory } })
    .exports as unknown as GmmExports;
  const f32 = new Float32Array(memory.buffer);
  const i32 = new Int32Array(memory.buffer);
  const f64 = new Float64Array(memory.buffer);
  const mp = base + layout.mp;
  const bOff = base + layout.b;
  const lpOff = base + layout.lp;
  const rOff = base + layout.r;
  const stOff = base + layout.stats;
  const accOff = base + layout.acc;
  const S = rowsPerPiece;
  const kd = k * d;
  const accWords = k + 2 * kd;
  const lp = new Float64Array(k);
  const e = new Float64Array(k);
  return (X, n, i0, i1, M, P, B, acc, labels, maxProb, probs, out) => {
    f32.set(M, mp / 4);
    f32.set(P, mp / 4 + kd);
    f32.set(B, bOff / 4);
    const a0 = accOff / 8;
    const r0 = rOff / 4;
    const st0 = stOff / 4;
    f64.fill(0, a0, a0 + accWords);
    const minr = acc !== null ? minResponsibility : 0;
    let ll = 0;
    for (let s0 = i0; s0 < i1; s0 += S) {
      const rows = Math.min(S, i1 - s0);
      const quads = rows >> 2;
      const vec = quads * 4;
      ex.gmm_estep(n, X.byteOffset, s0, quads, mp, bOff, lpOff, rOff, S, stOff, minr);
      for (let t = 0; t < vec; t++) {
        const st = st0 + (t >> 2) * 12 + (t & 3);
        const sum = f32[st + 4];
        ll += f32[st] + Math.log(sum);
        if (labels !== null && maxProb !== null) {
          labels[s0 + t] = i32[st + 8];
          maxProb[s0 + t] = 1 / sum;
        }
        if (probs !== null) for (let c = 0; c < k; c++) probs[c * n + s0 + t] = f32[r0 + c * S + t];
      }
      if (acc !== null) ex.gmm_acc(n, X.byteOffset, s0, quads, rOff, S, accOff);
      for (let t = vec; t < rows; t++)
        ll += gmmDiagRow(
          X,
          n,
          s0 + t,
          k,
          d,
          M,
          P,
          B,
          lp,
          e,
          labels,
          maxProb,
          probs,
          acc !== null ? f64 : null,
          a0,
          minr,
        );
    }
    if (acc !== null) addCentredMoments(f64, a0, k, d, M, acc);
    out[0] += ll;
  };
}
