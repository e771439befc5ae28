import { afterAll, describe, expect, test } from 'vitest';
import { runKMeans } from '../src/algo/kmeans.js';
import { centreGeometry } from '../src/backend/cpu/bounded-state.js';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import {
  addDrift,
  groupCentres,
  groupCount,
  type YinyangState,
} from '../src/backend/cpu/yinyang-groups.js';
import { yinyangBlock, type YinyangArgs } from '../src/backend/cpu/yinyang-kernel.js';
import { yinyangKernelSource } from '../src/backend/cpu/yinyang-source.js';
import { allocateMatrix, type DataMatrix } from '../src/data/matrix.js';
import { compileJsKernel } from '../src/util/compile-kernel.js';
import { Rng } from '../src/util/rng.js';
import { relativeError } from './helpers/reference.js';

/**
 * Yinyang steps (bounded-steps.ts, yinyang-kernel.ts) against full passes only (`bounded: false`)
 * on the worker path (≥ 131,072 rows): the same changed counts, counts and centres step by step
 * (sums kept up to date by the moving rows, as Hamerly's steps keep them), and a whole fit with
 * the same labels, centres, inertia and history. The data are overlapping blobs (rows keep moving
 * for many steps) with near-tied rows at midpoints between neighbouring centres, and the steps go
 * through a centre jumping onto another one (exact ties, across groups) and an assignment pass in
 * between. The kernel itself: a broken drift update gives wrong labels, and the generated kernel
 * and its plain twin give the same bits.
 */

const ROWS = 140_000;
const DIMS = 16;
// Yinyang steps from 32 centres, taken even where they would not pay (off by default: YINYANG_MIN_K).
const YINYANG = { yinyangMinK: 32, yinyangMaxShare: 0.5 };

function blobsWithTies(k: number, seed: number): { matrix: DataMatrix; init: Float32Array } {
  const rng = new Rng(seed);
  const centres = Float32Array.from({ length: k * DIMS }, () => rng.nextDouble() * 20 - 10);
  const matrix = allocateMatrix(
    ROWS,
    Array.from({ length: DIMS }, (_, j) => `f${j}`),
  );
  const x = matrix.data;
  for (let i = 0; i < ROWS; i++) {
    const c = rng.nextInt(k);
    for (let j = 0; j < DIMS; j++)
      x[j * ROWS + i] =
        centres[c * DIMS + j] + (rng.nextDouble() + rng.nextDouble() + rng.nextDouble() - 1.5) * 8;
  }
  // Near ties: a hair off the midpoint of two centres.
  for (let i = 0; i < ROWS; i += 50) {
    const a = rng.nextInt(k);
    const b = (a + 1) % k;
    for (let j = 0; j < DIMS; j++)
      x[j * ROWS + i] =
        (centres[a * DIMS + j] + centres[b * DIMS + j]) / 2 + (rng.nextDouble() - 0.5) * 1e-6;
  }
  const init = new Float32Array(k * DIMS);
  for (let c = 0; c < k; c++)
    for (let j = 0; j < DIMS; j++) init[c * DIMS + j] = x[j * ROWS + ((c * 7919) % ROWS)];
  return { matrix, init };
}

function nextCentres(s: { sums: Float64Array; counts: Float64Array }, c: Float32Array, k: number) {
  const next = new Float32Array(k * DIMS);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < DIMS; j++)
      next[i * DIMS + j] = s.counts[i] > 0 ? s.sums[i * DIMS + j] / s.counts[i] : c[i * DIMS + j];
  return next;
}

/** The centre farthest from centre a (in another group of any sensible grouping). */
function farthest(c: Float32Array, k: number, a: number): number {
  let best = a;
  let bd = -1;
  for (let b = 0; b < k; b++) {
    let s = 0;
    for (let j = 0; j < DIMS; j++) s += (c[a * DIMS + j] - c[b * DIMS + j]) ** 2;
    if (s > bd) [bd, best] = [s, b];
  }
  return best;
}

const backends: CpuBackend[] = [];
afterAll(async () => {
  for (const b of backends) await b.dispose();
});

describe.each([{ k: 64 }, { k: 256 }])('K = $k, 140,000 × 16 on the worker threads', ({ k }) => {
  test('Yinyang steps give the full passes’ changed counts, counts and centres', async () => {
    const { matrix, init } = blobsWithTies(k, k + 1);
    const yinyang = new CpuBackend(2, true, undefined, YINYANG);
    const full = new CpuBackend(2, true, undefined, { bounded: false });
    backends.push(yinyang, full);
    const hy = await yinyang.attach(matrix);
    const hf = await full.attach(matrix);
    let centres = init;
    let twin = -1;
    for (let step = 0; step < 24; step++) {
      // From step 14 centre 3 sits on the centre that was farthest from it (another group): every
      // row of either is an exact tie, step after step.
      if (step === 14) twin = farthest(centres, k, 3);
      if (twin >= 0) centres.copyWithin(3 * DIMS, twin * DIMS, (twin + 1) * DIMS);
      // An assignment pass in between writes over the bounds' bytes (matrix.ts).
      if (step === 18) await yinyang.assign(hy, centres, k);
      const y = await yinyang.lloydStep(hy, centres, k);
      const f = await full.lloydStep(hf, centres, k);
      expect([step, y.changed, Array.from(y.counts)]).toEqual([
        step,
        f.changed,
        Array.from(f.counts),
      ]);
      expect(nextCentres(y, centres, k)).toEqual(nextCentres(f, centres, k));
      for (let o = 0; o < y.sums.length; o++)
        expect(Math.abs(y.sums[o] - f.sums[o])).toBeLessThan(1e-9 * (1 + Math.abs(f.sums[o])));
      expect(relativeError(y.inertia, f.inertia)).toBeLessThan(1e-6);
      centres = nextCentres(f, centres, k);
    }
    expect(yinyang.yinyangSteps).toBeGreaterThanOrEqual(5);
    expect(full.boundedSteps).toBe(0);
    const ly = await yinyang.assign(hy, centres, k);
    const lf = await full.assign(hf, centres, k);
    expect(ly.labels).toEqual(lf.labels);
  }, 300_000);
});

test('a whole fit with Yinyang steps gives the full passes’ labels, centres and inertia', async () => {
  const k = 64;
  const { matrix, init } = blobsWithTies(k, 7);
  const settings = { k, init, nInit: 1, maxIter: 40, tol: 0, seed: 1 };
  const yinyang = new CpuBackend(2, true, undefined, YINYANG);
  const full = new CpuBackend(2, true, undefined, { bounded: false });
  backends.push(yinyang, full);
  const y = await runKMeans(yinyang, await yinyang.attach(matrix), settings, 1);
  const f = await runKMeans(full, await full.attach(matrix), settings, 1);
  expect(yinyang.yinyangSteps).toBeGreaterThanOrEqual(5);
  expect(y.labels).toEqual(f.labels);
  expect(y.centres).toEqual(f.centres);
  expect(y.inertia).toBe(f.inertia);
  expect(y.iterations).toBe(f.iterations);
  expect(y.history.map((s) => s.changed)).toEqual(f.history.map((s) => s.changed));
}, 300_000);

/** Nearest centre in float64, direct form, lowest index on ties; distances to it and the next. */
function nearest(X: Float32Array, n: number, C: Float32Array, k: number, i: number) {
  let best = 0;
  let bd = Infinity;
  let sd = Infinity;
  for (let c = 0; c < k; c++) {
    let q = 0;
    for (let j = 0; j < DIMS; j++) {
      const v = X[j * n + i] - C[c * DIMS + j];
      q += v * v;
    }
    if (q < bd) [sd, bd, best] = [bd, q, c];
    else if (q < sd) sd = q;
  }
  return { best, u: Math.sqrt(bd) * 1.001, l: Math.sqrt(sd) * 0.999 };
}

describe('the kernel', () => {
  const k = 64;
  const n = 8192;
  const rng = new Rng(3);
  const X = Float32Array.from({ length: n * DIMS }, () => rng.nextDouble() * 20 - 10);
  const C0 = Float32Array.from({ length: k * DIMS }, () => rng.nextDouble() * 20 - 10);
  const groups = groupCentres(C0, k, DIMS, groupCount(k, DIMS));
  // Centre 0 (group 0) and a centre of the last group; from step 2 the second sits on the first.
  const twin = groups.members[groups.groupStart[groups.t - 1]];
  const stepCentres = (step: number, ties = false) => {
    const C = C0.map((v, o) => v + Math.sin(o * 0.7 + step) * 0.8 * step);
    if (ties && step >= 2) C.copyWithin(twin * DIMS, 0, DIMS);
    return C;
  };
  /** Three steps from exact bounds at C0, centres moving; labels after each (drift as given). */
  function run(kernel: typeof yinyangBlock, breakDrift: boolean, ties = false) {
    const labels = new Int32Array(n);
    const U = new Float32Array(n);
    const Lo = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const r = nearest(X, n, C0, k, i);
      [labels[i], U[i], Lo[i]] = [r.best, r.u, r.l];
    }
    const y: YinyangState = {
      k,
      groups,
      G: new Float32Array(n * groups.t),
      fresh: true,
      cumC: new Float64Array(k),
      cumG: new Float64Array(groups.t),
      cumMax: 0,
    };
    const out: { labels: Int32Array; acc: Float64Array; U: Float32Array; G: Float32Array }[] = [];
    let previous = C0;
    for (let step = 1; step <= 3; step++) {
      const C = stepCentres(step, ties);
      const g = centreGeometry(C, previous, k, DIMS);
      addDrift(y, breakDrift ? new Float64Array(k) : g.shift);
      const acc = new Float64Array(k * DIMS + k + 2);
      const args: YinyangArgs = {
        X,
        n,
        d: DIMS,
        k,
        C: Float64Array.from(C),
        labels,
        U,
        Lo,
        G: y.G,
        fresh: y.fresh,
        ...groups,
        cumC: y.cumC,
        cumG: y.cumG,
        cumMax: y.cumMax,
        half: g.half,
      };
      kernel(args, 0, n, acc);
      y.fresh = false;
      out.push({ labels: labels.slice(), acc, U: U.slice(), G: y.G.slice() });
      previous = C;
    }
    const wrong = out.map((o, s) => {
      const C = stepCentres(s + 1, ties);
      return Array.from(o.labels).filter((l, i) => l !== nearest(X, n, C, k, i).best).length;
    });
    return { out, wrong };
  }

  test('with the drift its labels are the nearest centres; without it they are not', () => {
    for (const withTies of [false, true]) {
      expect(run(yinyangBlock, false, withTies).wrong).toEqual([0, 0, 0]);
      const broken = run(yinyangBlock, true, withTies).wrong;
      expect(broken.reduce((a, b) => a + b, 0)).toBeGreaterThan(20);
    }
  });

  const generated = () =>
    compileJsKernel<typeof yinyangBlock>(yinyangKernelSource(k, DIMS), () => {
      throw new Error('this test needs code generation from strings');
    });

  test('exact ties across groups go to the lowest index', () => {
    expect(groups.groupOf[twin]).not.toBe(groups.groupOf[0]);
    const C = stepCentres(3, true);
    let tied = 0;
    for (let i = 0; i < n; i++) if (nearest(X, n, C, k, i).best === 0) tied++;
    expect(tied).toBeGreaterThan(20);
    for (const kernel of [generated(), yinyangBlock])
      expect(run(kernel, false, true).wrong).toEqual([0, 0, 0]);
  });

  test('the generated kernel and its plain twin give the same bits', () => {
    for (const ties of [false, true])
      expect(run(generated(), false, ties).out).toEqual(run(yinyangBlock, false, ties).out);
  });
});
