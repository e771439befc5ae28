import { BOUND_MARGIN, type KernelSource } from './kernel-source.js';
import { yinyangKernel } from './yinyang-kernel.js';

/**
 * The Yinyang step (yinyang-kernel.ts: the contract and the reasoning) compiled per (K, D): the
 * step is yinyangKernel's own text — the one source of it, which names nothing outside itself —
 * applied to row distances generated here for D, with the row's features in locals and every
 * distance unrolled: the same float64 operations in the same order as the plain loops, hence the
 * same bits as yinyangBlock (its twin where code cannot be generated from strings). The kernel is
 * `(a, i0, i1, acc)` with a: YinyangArgs.
 */
export function yinyangKernelSource(k: number, d: number): KernelSource {
  return {
    key: `yinyang:${k}:${d}`,
    body: `${rowDistancesSource(d)}\nreturn (${yinyangKernel.toString()})(rowDistances, ${BOUND_MARGIN});`,
  };
}

/** RowDistances (yinyang-kernel.ts) for D features: Σ_j (x_j − c_j)² from j = 0, unrolled. */
function rowDistancesSource(d: number): string {
  const xs = Array.from({ length: d }, (_, j) => `x${j}`);
  // 0 + v² is v² exactly: the first term is assigned, as the plain loop's sum from 0 gives.
  const terms = xs.map((x, j) => `v = ${x} - C[o + ${j}]; q ${j === 0 ? '=' : '+='} v * v;`);
  return `function rowDistances(X, n, i, d, C, centres, p0, p1, out) {
  ${xs.map((x, j) => `const ${x} = X[${j === 0 ? 'i' : `${j} * n + i`}];`).join(' ')}
  for (let p = p0; p < p1; p++) {
    const o = centres[p] * ${d};
    let v = 0, q = 0;
    ${terms.join(' ')}
    out[p - p0] = q;
  }
}`;
}
