/**
 * JavaScript source of the CPU kernels, specialised for (K, D): the centres and the row are held in
 * local variables and the loops unrolled, which DESIGN.md measured ~3× faster than generic loops.
 * Sources are compiled once per shape and thread by util/compile-kernel.ts (run-block.ts asks).
 * Past UNROLL_LIMIT centre values the generic loop form is used instead (too many locals).
 *
 * Every kernel works on rows [i0, i1) of a column-major float32 matrix X with n rows; distances
 * are computed in float64 from the float32 values.
 */
const UNROLL_LIMIT = 1024;

export interface KernelSource {
  key: string;
  body: string;
}

const ARGS_LLOYD = 'X, n, i0, i1, C, labels, sqd, acc, ub, lb';

/**
 * Bounds are stored in float32, widened by this relative margin so that rounding can never make
 * an upper bound too small or a lower bound too large.
 */
export const BOUND_MARGIN = 1e-6;

/**
 * lloyd(X, n, i0, i1, C, labels, sqd, acc, ub, lb)
 *   IN  C: Float32Array K×D centres; labels: Int32Array (the previous labels, overwritten)
 *   OUT labels[i] = nearest centre; sqd[i] = its squared distance when sqd is not null;
 *       acc (Float64Array K·D + K + 2, added to): sums K×D, counts K, inertia, changed;
 *       ub[i], lb[i] (when given): the distance to the nearest centre and to the second nearest,
 *       widened by BOUND_MARGIN — the bounds the next bounded steps start from.
 */
export function lloydKernelSource(k: number, d: number): KernelSource {
  const key = `lloyd:${k}:${d}`;
  const kd = k * d;
  const lines: string[] = [];
  if (kd <= UNROLL_LIMIT) {
    for (let c = 0; c < k; c++)
      for (let j = 0; j < d; j++) lines.push(`const c${c}_${j} = C[${c * d + j}];`);
  }
  lines.push('let inertia = 0, changed = 0;');
  lines.push('for (let i = i0; i < i1; i++) {');
  if (kd <= UNROLL_LIMIT) {
    for (let j = 0; j < d; j++) lines.push(`  const x${j} = X[${j === 0 ? 'i' : `${j} * n + i`}];`);
    lines.push('  let best = 0, bd = 0, sd = Infinity, d = 0, t = 0;');
    for (let c = 0; c < k; c++) {
      const terms: string[] = [];
      for (let j = 0; j < d; j++)
        terms.push(`t = x${j} - c${c}_${j}; d ${j === 0 ? '=' : '+='} t * t;`);
      lines.push('  ' + terms.join(' '));
      lines.push(
        c === 0
          ? '  bd = d;'
          : `  if (d < bd) { sd = bd; bd = d; best = ${c}; } else if (d < sd) sd = d;`,
      );
    }
    lines.push('  if (labels[i] !== best) { changed++; labels[i] = best; }');
    lines.push('  inertia += bd;');
    lines.push('  if (sqd !== null) sqd[i] = bd;');
    lines.push(
      `  if (ub) { ub[i] = Math.sqrt(bd) * ${1 + BOUND_MARGIN}; lb[i] = Math.sqrt(sd) * ${1 - BOUND_MARGIN}; }`,
    );
    lines.push('  if (acc !== null) {');
    lines.push(`    const o = best * ${d};`);
    for (let j = 0; j < d; j++) lines.push(`    acc[o + ${j}] += x${j};`);
    lines.push(`    acc[${kd} + best] += 1;`);
    lines.push('  }');
  } else {
    lines.push(`  let best = 0, bd = Infinity, sd = Infinity;`);
    lines.push(`  for (let c = 0; c < ${k}; c++) {`);
    lines.push(`    let d = 0; const o = c * ${d};`);
    lines.push(
      `    for (let j = 0; j < ${d}; j++) { const t = X[j * n + i] - C[o + j]; d += t * t; }`,
    );
    lines.push('    if (d < bd) { sd = bd; bd = d; best = c; } else if (d < sd) sd = d;');
    lines.push('  }');
    lines.push('  if (labels[i] !== best) { changed++; labels[i] = best; }');
    lines.push('  inertia += bd;');
    lines.push('  if (sqd !== null) sqd[i] = bd;');
    lines.push(
      `  if (ub) { ub[i] = Math.sqrt(bd) * ${1 + BOUND_MARGIN}; lb[i] = Math.sqrt(sd) * ${1 - BOUND_MARGIN}; }`,
    );
    lines.push('  if (acc !== null) {');
    lines.push(`    const o = best * ${d};`);
    lines.push(`    for (let j = 0; j < ${d}; j++) acc[o + j] += X[j * n + i];`);
    lines.push(`    acc[${kd} + best] += 1;`);
    lines.push('  }');
  }
  lines.push('}');
  lines.push(`if (acc !== null) { acc[${kd + k}] += inertia; acc[${kd + k + 1}] += changed; }`);
  lines.push('return inertia;');
  return { key, body: `return function lloyd(${ARGS_LLOYD}) {\n${lines.join('\n')}\n};` };
}

/**
 * seedMinDist(X, n, i0, i1, C, count, minDist, reset, blockSums, blockRows)
 *   IN  C: Float32Array count×D (the centres just chosen)
 *   OUT minDist[i] = min over them of ‖x_i − c‖², and of the old minDist[i] unless reset;
 *       blockSums[b] = Σ minDist over rows of block b (i0 and i1 are block-aligned).
 */
export function seedMinDistKernelSource(d: number): KernelSource {
  const lines: string[] = [];
  lines.push('for (let b0 = i0; b0 < i1; b0 += blockRows) {');
  lines.push('  const b1 = Math.min(i1, b0 + blockRows); let s = 0;');
  lines.push('  for (let i = b0; i < b1; i++) {');
  for (let j = 0; j < d; j++) lines.push(`    const x${j} = X[${j === 0 ? 'i' : `${j} * n + i`}];`);
  lines.push('    let v = reset ? Infinity : minDist[i];');
  lines.push('    for (let c = 0; c < count; c++) {');
  lines.push(`      const o = c * ${d}; let t = 0, d = 0;`);
  for (let j = 0; j < d; j++) lines.push(`      t = x${j} - C[o + ${j}]; d += t * t;`);
  lines.push('      const f = Math.fround(d); if (f < v) v = f;');
  lines.push('    }');
  lines.push('    minDist[i] = v; s += v;');
  lines.push('  }');
  lines.push('  blockSums[b0 / blockRows] = s;');
  lines.push('}');
  return {
    key: `seed-min:${d}`,
    body: `return function seedMinDist(X, n, i0, i1, C, count, minDist, reset, blockSums, blockRows) {\n${lines.join('\n')}\n};`,
  };
}

/**
 * The k-means‖ draw for one row, the same on both backends (shaders/seed_sample.wgsl): a 24-bit
 * uniform from the PCG hash of (seed, global row), kept when below factor · minDist in float32.
 */
export function pcgHash(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

export function sampleUniform(row: number, seed: number): number {
  return (pcgHash((pcgHash(row) ^ seed) >>> 0) >>> 8) / 16777216;
}

/** The rows k-means‖ keeps: those whose draw is below factor · minDist in float32. */
export function sampleRows(
  minDist: Float32Array,
  rows: number,
  factor: number,
  seed: number,
): Int32Array {
  const f = Math.fround(factor);
  const kept: number[] = [];
  for (let i = 0; i < rows; i++)
    if (sampleUniform(i, seed >>> 0) < Math.fround(f * minDist[i])) kept.push(i);
  return Int32Array.from(kept);
}

/**
 * seedPotentials(X, n, i0, i1, cands, L, minDist, out)
 *   IN  cands: Float32Array L×D candidate centres
 *   OUT out[l] += Σ_i min(minDist[i], ‖x_i − cand_l‖²)   (out: Float64Array L)
 */
export function seedPotentialsKernelSource(d: number): KernelSource {
  const lines: string[] = [];
  lines.push('for (let l = 0; l < L; l++) {');
  for (let j = 0; j < d; j++) lines.push(`  const c${j} = cands[l * ${d} + ${j}];`);
  lines.push('  let s = 0;');
  lines.push('  for (let i = i0; i < i1; i++) {');
  lines.push('    let t = 0, d = 0;');
  for (let j = 0; j < d; j++)
    lines.push(`    t = X[${j === 0 ? 'i' : `${j} * n + i`}] - c${j}; d += t * t;`);
  lines.push('    const m = minDist[i]; s += Math.fround(d) < m ? Math.fround(d) : m;');
  lines.push('  }');
  lines.push('  out[l] += s;');
  lines.push('}');
  return {
    key: `seed-pot:${d}`,
    body: `return function seedPotentials(X, n, i0, i1, cands, L, minDist, out) {\n${lines.join('\n')}\n};`,
  };
}

/** Responsibilities below this add nothing a float32 statistic could hold; their rows are skipped. */
export const GMM_MIN_RESPONSIBILITY = 1e-12;

/**
 * gmm(X, n, i0, i1, M, P, B, acc, labels, maxProb, probs, out) — one E-step over rows [i0, i1).
 *   IN  M: K×D means; P: precision factors (diag: K×D values 1/σ; full: K×D×D upper-triangular);
 *       B: K constants log w + log det P − D/2·log 2π
 *   OUT acc (Float64Array, added to): Nk (K), Σ r·d (K×D), Σ r·d·dᵀ (K×S; S = D, or D(D+1)/2 as
 *       the upper triangle by rows), with d = x − μ_k (statistics centred on the current means);
 *       labels[i] = most probable component, maxProb[i] = its probability, probs[c·n + i] =
 *       every responsibility (each output skipped when null); out[0] += Σ log p(x).
 * Log-probabilities go through log-sum-exp (one exp per component), so no component underflows
 * to a 0/0. The row and its difference from a mean are held in locals, loops over features
 * unrolled; responsibilities below GMM_MIN_RESPONSIBILITY add nothing to the statistics.
 */
export function gmmKernelSource(form: 'diag' | 'full', k: number, d: number): KernelSource {
  const s = form === 'diag' ? d : (d * (d + 1)) / 2;
  const kd = k * d;
  const L: string[] = [];
  const dv = (j: number) => `d${j}`;
  L.push(`const lp = new Float64Array(${k}); const e = new Float64Array(${k});`);
  if (form === 'diag') L.push(`const raw = new Float64Array(${k + kd + k * s});`);
  // Small diagonal mixtures: every mean and precision in a local, the component loop unrolled too.
  const unrollComponents = form === 'diag' && k * d <= 256;
  if (unrollComponents)
    for (let c = 0; c < k; c++)
      for (let j = 0; j < d; j++)
        L.push(`const m${c}_${j} = M[${c * d + j}], p${c}_${j} = P[${c * d + j}];`);
  L.push('let ll = 0;');
  L.push('for (let i = i0; i < i1; i++) {');
  for (let j = 0; j < d; j++) L.push(`  const x${j} = X[${j === 0 ? 'i' : `${j} * n + i`}];`);
  L.push('  let mx = -Infinity;');
  if (unrollComponents) {
    for (let c = 0; c < k; c++) {
      const terms = Array.from({ length: d }, (_, j) => `((x${j} - m${c}_${j}) * p${c}_${j}) ** 2`);
      L.push(
        `  { const v = B[${c}] - 0.5 * (${terms.join(' + ')}); lp[${c}] = v; if (v > mx) mx = v; }`,
      );
    }
  }
  L.push(`  for (let c = 0; c < ${unrollComponents ? 0 : k}; c++) {`);
  L.push(`    const mo = c * ${d};`);
  for (let j = 0; j < d; j++) L.push(`    const ${dv(j)} = x${j} - M[mo + ${j}];`);
  L.push('    let maha = 0;');
  if (form === 'diag') {
    for (let j = 0; j < d; j++) L.push(`    { const t = ${dv(j)} * P[mo + ${j}]; maha += t * t; }`);
  } else {
    L.push(`    const po = c * ${d * d};`);
    for (let b = 0; b < d; b++) {
      const terms = Array.from({ length: b + 1 }, (_, a) => `${dv(a)} * P[po + ${a * d + b}]`);
      L.push(`    { const y = ${terms.join(' + ')}; maha += y * y; }`);
    }
  }
  L.push('    const v = B[c] - 0.5 * maha; lp[c] = v; if (v > mx) mx = v;');
  L.push('  }');
  L.push('  let sum = 0, best = 0;');
  L.push(
    `  for (let c = 0; c < ${k}; c++) { const t = Math.exp(lp[c] - mx); e[c] = t; sum += t; if (lp[c] > lp[best]) best = c; }`,
  );
  L.push('  ll += mx + Math.log(sum);');
  L.push('  const inv = 1 / sum;');
  L.push('  if (labels !== null) { labels[i] = best; maxProb[i] = e[best] * inv; }');
  L.push(`  if (probs !== null) for (let c = 0; c < ${k}; c++) probs[c * n + i] = e[c] * inv;`);
  L.push('  if (acc !== null) {');
  L.push(`    for (let c = 0; c < ${k}; c++) {`);
  L.push('      const r = e[c] * inv;');
  L.push(`      if (r < ${GMM_MIN_RESPONSIBILITY}) continue;`);
  L.push(`      const mo = c * ${d}; const so = ${k + kd} + c * ${s};`);
  if (form === 'diag') {
    // Diagonal: raw moments Σr, Σr·x, Σr·x² (4 operations a feature instead of 6), centred on the
    // means once, at the end of the call, in float64.
    L.push('      raw[c] += r;');
    for (let j = 0; j < d; j++)
      L.push(
        `      { const rx = r * x${j}; raw[${k} + mo + ${j}] += rx; raw[so + ${j}] += rx * x${j}; }`,
      );
  } else {
    L.push('      acc[c] += r;');
    for (let j = 0; j < d; j++)
      L.push(`      const ${dv(j)} = x${j} - M[mo + ${j}]; acc[${k} + mo + ${j}] += r * ${dv(j)};`);
    let at = 0;
    for (let a = 0; a < d; a++) {
      L.push(`      { const ra = r * ${dv(a)};`);
      for (let b = a; b < d; b++) L.push(`        acc[so + ${at++}] += ra * ${dv(b)};`);
      L.push('      }');
    }
  }
  L.push('    }');
  L.push('  }');
  L.push('}');
  if (form === 'diag') {
    // Σr·d = Σr·x − Nk·μ;  Σr·d² = Σr·x² − 2μ·Σr·x + Nk·μ².
    L.push(`if (acc !== null) for (let c = 0; c < ${k}; c++) {`);
    L.push(
      `  const nk = raw[c]; acc[c] += nk; const mo = c * ${d}; const so = ${k + kd} + c * ${s};`,
    );
    L.push(
      `  for (let j = 0; j < ${d}; j++) { const mu = M[mo + j], s1 = raw[${k} + mo + j]; acc[${k} + mo + j] += s1 - nk * mu; acc[so + j] += raw[so + j] - 2 * mu * s1 + nk * mu * mu; }`,
    );
    L.push('}');
  }
  L.push('out[0] += ll;');
  L.push('return ll;');
  return {
    key: `gmm:${form}:${k}:${d}`,
    body: `return function gmm(X, n, i0, i1, M, P, B, acc, labels, maxProb, probs, out) {\n${L.join('\n')}\n};`,
  };
}

/**
 * boundedLloyd(X, n, i0, i1, C, labels, U, L, shift, far, nextFar, farthest, half, acc) — a Lloyd
 * step that skips rows whose label cannot change (Hamerly 2010), exact like the full step.
 *   IN  C: K×D new centres; shift[c] = ‖C_c − C_c(previous step)‖; far, nextFar: the largest and
 *       second largest shift, farthest: whose; half[c] = ½·min over c' ≠ c of ‖C_c − C_c'‖
 *   IN/OUT labels; U[i] ≥ distance to the assigned centre; L[i] ≤ distance to every other centre
 *   OUT acc (Float64Array K·D + K + 2, added to): the change of the per-cluster sums and counts
 *       caused by rows that moved, how many moved, and how many rows needed every distance.
 * A row is skipped when U < max(half[a], L) strictly (no other centre can be as close, so no tie
 * can change it either); else U is made exact and, if still not below, every distance is computed.
 */
export function boundedLloydKernelSource(k: number, d: number): KernelSource {
  const kd = k * d;
  const L: string[] = [];
  L.push('let changed = 0, recomputed = 0;');
  L.push('for (let i = i0; i < i1; i++) {');
  L.push('  const a = labels[i];');
  L.push('  let u = U[i] + shift[a];');
  L.push('  let l = Lo[i] - (a === farthest ? nextFar : far);');
  L.push('  const m = half[a] > l ? half[a] : l;');
  L.push(
    `  if (u < m) { U[i] = u * ${1 + BOUND_MARGIN}; Lo[i] = l * ${1 - BOUND_MARGIN}; continue; }`,
  );
  for (let j = 0; j < d; j++) L.push(`  const x${j} = X[${j === 0 ? 'i' : `${j} * n + i`}];`);
  L.push('  let t = 0, s = 0;');
  L.push(`  { const o = a * ${d};`);
  for (let j = 0; j < d; j++) L.push(`    t = x${j} - C[o + ${j}]; s += t * t;`);
  L.push('  }');
  L.push('  u = Math.sqrt(s);');
  L.push(
    `  if (u < m) { U[i] = u * ${1 + BOUND_MARGIN}; Lo[i] = l * ${1 - BOUND_MARGIN}; continue; }`,
  );
  L.push('  let best = 0, bd = Infinity, sd = Infinity; recomputed++;');
  L.push(`  for (let c = 0; c < ${k}; c++) {`);
  L.push(`    const o = c * ${d}; let q = 0;`);
  for (let j = 0; j < d; j++) L.push(`    t = x${j} - C[o + ${j}]; q += t * t;`);
  L.push('    if (q < bd) { sd = bd; bd = q; best = c; } else if (q < sd) sd = q;');
  L.push('  }');
  L.push(
    `  U[i] = Math.sqrt(bd) * ${1 + BOUND_MARGIN}; Lo[i] = Math.sqrt(sd) * ${1 - BOUND_MARGIN};`,
  );
  L.push('  if (best !== a) {');
  L.push('    labels[i] = best; changed++;');
  L.push(`    const oa = a * ${d}, ob = best * ${d};`);
  for (let j = 0; j < d; j++) L.push(`    acc[oa + ${j}] -= x${j}; acc[ob + ${j}] += x${j};`);
  L.push(`    acc[${kd} + a] -= 1; acc[${kd} + best] += 1;`);
  L.push('  }');
  L.push('}');
  L.push(`acc[${kd + k}] += changed; acc[${kd + k + 1}] += recomputed;`);
  return {
    key: `bounded:${k}:${d}`,
    body: `return function boundedLloyd(X, n, i0, i1, C, labels, U, Lo, shift, far, nextFar, farthest, half, acc) {\n${L.join('\n')}\n};`,
  };
}
