import { BOUND_MARGIN, type KernelSource } from './kernel-source.js';

/**
 * The Yinyang step (yinyang-kernel.ts, yinyangBlock: the contract and the reasoning) as JavaScript
 * generated per (K, D): the row's features in locals and every distance unrolled, the same float64
 * operations in the same order, hence the same bits (yinyangBlock is its twin where code cannot be
 * generated from strings). The kernel is `(a, i0, i1, acc)` with a: YinyangArgs.
 */
export function yinyangKernelSource(k: number, d: number): KernelSource {
  const kd = k * d;
  const xs = Array.from({ length: d }, (_, j) => `x${j}`);
  // Σ_j (x_j − c_j)² from j = 0 (0 + v² is v² exactly: the generic loop's bits).
  const distance = (q: string, o: string): string =>
    xs.map((x, j) => `v = ${x} - C[${o} + ${j}]; ${q} ${j === 0 ? '=' : '+='} v * v;`).join(' ');
  const m = BOUND_MARGIN;
  const up = (u: string, s: string) => `${u} - ${s} + ${m} * (${u} + ${s})`;
  const down = (l: string, s: string) =>
    `(${l} === Infinity ? ${l} : ${l} + ${s} - ${m} * (Math.abs(${l}) + ${s}))`;
  const body = `
const { X, n, t, C, labels, U, Lo, G, fresh, groupOf, groupStart, members, cumC, cumG, cumMax, half } = a;
const lb = new Float64Array(t), bq = new Float64Array(t), sq = new Float64Array(t), bc = new Int32Array(t);
let changed = 0, recomputed = 0, v = 0;
for (let i = i0; i < i1; i++) {
  const own = labels[i];
  const base = i * t;
  if (fresh) G.fill(Lo[i], base, base + t);
  const h = half[own];
  let u = U[i] + cumC[own];
  const glob = Lo[i] - cumMax;
  if (u < (h > glob ? h : glob)) continue;
  ${xs.map((x, j) => `const ${x} = X[${j === 0 ? 'i' : `${j} * n + i`}];`).join(' ')}
  let qa = 0;
  { const o = own * ${d}; ${distance('qa', 'o')} }
  u = Math.sqrt(qa);
  let low = Infinity;
  for (let g = 0; g < t; g++) { const w = G[base + g] - cumG[g]; lb[g] = w; if (w < low) low = w; }
  if (u < (h > low ? h : low)) { U[i] = ${up('u', 'cumC[own]')}; Lo[i] = ${down('low', 'cumMax')}; continue; }
  recomputed++;
  const ownGroup = groupOf[own];
  let best = -1, bd = Infinity;
  if (u < lb[ownGroup]) { best = own; bd = qa; }
  for (let g = 0; g < t; g++) {
    bq[g] = -1;
    if (u < lb[g]) continue;
    let b1 = Infinity, b2 = Infinity, c1 = -1;
    for (let p = groupStart[g], e = groupStart[g + 1]; p < e; p++) {
      const c = members[p], o = c * ${d};
      let q = 0;
      ${distance('q', 'o')}
      if (q < b1) { b2 = b1; b1 = q; c1 = c; } else if (q < b2) b2 = q;
    }
    bq[g] = b1; sq[g] = b2; bc[g] = c1;
    if (b1 < bd || (b1 === bd && c1 < best)) { bd = b1; best = c1; }
  }
  low = Infinity;
  for (let g = 0; g < t; g++) {
    if (bq[g] >= 0) lb[g] = Math.sqrt(bc[g] === best ? sq[g] : bq[g]);
    else if (g === ownGroup && best !== own) lb[g] = u;
    else { if (lb[g] < low) low = lb[g]; continue; }
    G[base + g] = ${down('lb[g]', 'cumG[g]')};
    if (lb[g] < low) low = lb[g];
  }
  const ub = Math.sqrt(bd);
  U[i] = ${up('ub', 'cumC[best]')};
  Lo[i] = ${down('low', 'cumMax')};
  if (best !== own) {
    labels[i] = best; changed++;
    const oa = own * ${d}, ob = best * ${d};
    ${xs.map((x, j) => `acc[oa + ${j}] -= ${x}; acc[ob + ${j}] += ${x};`).join(' ')}
    acc[${kd} + own] -= 1; acc[${kd} + best] += 1;
  }
}
acc[${kd + k}] += changed; acc[${kd + k + 1}] += recomputed;`;
  return {
    key: `yinyang:${k}:${d}`,
    body: `return function yinyang(a, i0, i1, acc) {${body}\n};`,
  };
}
