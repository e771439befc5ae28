/**
 * A Markov chain over published segments, estimated from consecutive periods: counts[i][j] is how
 * many customers went from state i to state j (customers present in both periods of a pair), the
 * transition matrix its row-normalised form (a row with no customers stays in place: P[i][i] = 1).
 * States are indices 0..s−1 into the caller's list of segment keys.
 */
export interface MarkovChain {
  states: number;
  counts: Float64Array;
  matrix: Float64Array;
}

export function markovChain(states: number, counts: Float64Array): MarkovChain {
  const matrix = new Float64Array(states * states);
  for (let i = 0; i < states; i++) {
    let row = 0;
    for (let j = 0; j < states; j++) row += counts[i * states + j];
    for (let j = 0; j < states; j++)
      matrix[i * states + j] = row > 0 ? counts[i * states + j] / row : i === j ? 1 : 0;
  }
  return { states, counts, matrix };
}

/** Solves A x = b (A n×n row-major, copied) by Gaussian elimination with partial pivoting. */
export function solve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[p * n + c])) p = r;
    if (Math.abs(m[p * n + c]) < 1e-12) throw new RangeError('singular system');
    if (p !== c) {
      for (let j = 0; j < n; j++) [m[c * n + j], m[p * n + j]] = [m[p * n + j], m[c * n + j]];
      [x[c], x[p]] = [x[p], x[c]];
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r * n + c] / m[c * n + c];
      if (f === 0) continue;
      for (let j = c; j < n; j++) m[r * n + j] -= f * m[c * n + j];
      x[r] -= f * x[c];
    }
  }
  for (let r = 0; r < n; r++) x[r] /= m[r * n + r];
  return x;
}

/**
 * The steady-state shares π (π P = π, Σ π = 1), by solving (Pᵀ − I) π = 0 with the last equation
 * replaced by Σ π = 1. For a chain with several closed classes this picks one stationary vector;
 * it falls back to the limit of power iteration when the system is singular.
 */
export function steadyState(chain: MarkovChain): Float64Array {
  const n = chain.states;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) a[i * n + j] = chain.matrix[j * n + i] - (i === j ? 1 : 0);
  for (let j = 0; j < n; j++) a[(n - 1) * n + j] = 1;
  const b = new Float64Array(n);
  b[n - 1] = 1;
  try {
    return solve(a, b, n);
  } catch {
    let pi: Float64Array = new Float64Array(n).fill(1 / n);
    for (let t = 0; t < 10_000; t++) pi = project(chain, pi, 1)[0];
    return pi;
  }
}

/**
 * Expected number of periods until a customer now in each state first reaches `target` (0 for the
 * target itself; Infinity where the target cannot be reached): h = (I − Q)⁻¹ 1 over the other states.
 */
export function expectedHittingTimes(chain: MarkovChain, target: number): Float64Array {
  const n = chain.states;
  const reach = new Uint8Array(n);
  reach[target] = 1;
  for (let changed = true; changed;) {
    changed = false;
    for (let i = 0; i < n; i++)
      if (!reach[i])
        for (let j = 0; j < n; j++)
          if (reach[j] && chain.matrix[i * n + j] > 0) {
            reach[i] = 1;
            changed = true;
            break;
          }
  }
  const others = [...Array(n).keys()].filter((i) => i !== target && reach[i]);
  const out = new Float64Array(n).fill(Infinity);
  out[target] = 0;
  const m = others.length;
  if (m === 0) return out;
  const a = new Float64Array(m * m);
  for (let r = 0; r < m; r++)
    for (let c = 0; c < m; c++)
      a[r * m + c] = (r === c ? 1 : 0) - chain.matrix[others[r] * n + others[c]];
  const h = solve(a, new Float64Array(m).fill(1), m);
  others.forEach((s, r) => (out[s] = h[r]));
  return out;
}

/** Segment sizes for the next `horizon` periods: sizes_{t+1} = sizes_t · P. */
export function project(chain: MarkovChain, sizes: Float64Array, horizon: number): Float64Array[] {
  const n = chain.states;
  const out: Float64Array[] = [];
  let cur = sizes;
  for (let t = 0; t < horizon; t++) {
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) next[j] += cur[i] * chain.matrix[i * n + j];
    out.push(next);
    cur = next;
  }
  return out;
}
