import { afterAll, describe, expect, test } from 'vitest';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import { genericLloyd } from '../src/backend/cpu/generic-kernels.js';
import { CPU_BLOCK_ROWS } from '../src/backend/cpu/wasm-specs.js';
import { GEMM_MIN_K, gemmTieTolerance, gemmWasmModule } from '../src/backend/cpu/wasm-gemm.js';
import { lloydWasmModule, ROW_TIE_TOLERANCE, wasmLayout } from '../src/backend/cpu/wasm-kernel.js';
import { makeWasmLloyd } from '../src/backend/cpu/wasm-lloyd-driver.js';
import { allocateMatrix, type DataMatrix } from '../src/data/matrix.js';
import { Rng } from '../src/util/rng.js';
import { gaussian } from './helpers/reference.js';

/**
 * The GEMM-form SIMD Lloyd kernel (wasm-gemm.ts, K ≥ GEMM_MIN_K) against the direct SIMD kernel
 * (wasm-kernel.ts) on the worker path at K = 64 and 256, and on the calling thread: the same
 * labels, changed counts, counts, sums, inertia and distances, bit for bit. The data holds
 * deliberately near-tied rows (midpoints of two neighbouring centres, a hair off), which the
 * expanded form cannot order: they are labelled right only through the direct-form re-decision,
 * and the last test shows that without it (τ = 0) their labels differ, so dropping the
 * re-decision fails the comparison.
 */

const DIMS = 16;
// Four blocks and a last one of 7 rows: one quad (the kernel's leftover-quad path) and 3 rows for
// the JavaScript tail.
const ROWS = 4 * CPU_BLOCK_ROWS + 7;
const NEAR_TIES = 3000;
// On the calling thread (rows × dims ≤ INLINE_MAX_VALUES): the same kernel, another slot.
const INLINE_ROWS = 20_003;

/** Blobs around k centres, with NEAR_TIES rows at midpoints between a centre and its nearest. */
function nearTiedData(
  k: number,
  seed: number,
  rows = ROWS,
): { matrix: DataMatrix; centres: Float32Array } {
  const rng = new Rng(seed);
  const centres = Float32Array.from({ length: k * DIMS }, () => rng.nextDouble() * 20 - 10);
  const matrix = allocateMatrix(
    rows,
    Array.from({ length: DIMS }, (_, j) => `f${j}`),
  );
  const x = matrix.data;
  for (let i = 0; i < rows; i++) {
    const c = rng.nextInt(k);
    for (let j = 0; j < DIMS; j++) x[j * rows + i] = centres[c * DIMS + j] + 3 * gaussian(rng);
  }
  const nearest = (a: number): number => {
    let best = -1;
    let bd = Infinity;
    for (let b = 0; b < k; b++) {
      if (b === a) continue;
      let s = 0;
      for (let j = 0; j < DIMS; j++) s += (centres[a * DIMS + j] - centres[b * DIMS + j]) ** 2;
      if (s < bd) [bd, best] = [s, b];
    }
    return best;
  };
  // Spread over every block, including the last quad.
  const ties = Math.min(NEAR_TIES, rows >> 3);
  for (let t = 0; t < ties; t++) {
    const i = t === 0 ? rows - 7 : Math.floor((t * rows) / ties);
    const a = rng.nextInt(k);
    const b = nearest(a);
    // The midpoint is equidistant in exact arithmetic; float32 rounding of it and an offset of a
    // few ulps leave a gap far below the expanded form's rounding.
    for (let j = 0; j < DIMS; j++) {
      const mid = (centres[a * DIMS + j] + centres[b * DIMS + j]) / 2;
      x[j * rows + i] = mid + (rng.nextDouble() - 0.5) * 1e-6;
    }
  }
  return { matrix, centres };
}

const backends: CpuBackend[] = [];
afterAll(async () => {
  for (const b of backends) await b.dispose();
});

describe.each([
  { k: 64, rows: ROWS, threads: 2, where: 'the worker threads' },
  { k: 256, rows: ROWS, threads: 2, where: 'the worker threads' },
  { k: 40, rows: INLINE_ROWS, threads: 1, where: 'the calling thread' },
])('K = $k, $rows rows × 16 on $where', ({ k, rows, threads }) => {
  test('the GEMM-form kernel gives the direct kernel’s labels, sums, counts and distances', async () => {
    expect(k).toBeGreaterThanOrEqual(GEMM_MIN_K);
    const { matrix, centres } = nearTiedData(k, k, rows);
    const gemm = new CpuBackend(threads, true); // GEMM-form from GEMM_MIN_K centres
    const direct = new CpuBackend(threads, true, Infinity); // the direct kernel at every K
    backends.push(gemm, direct);
    const hg = await gemm.attach(matrix);
    const hd = await direct.attach(matrix);
    let c = centres;
    for (let step = 0; step < 2; step++) {
      // Full passes each (resetLabels drops the bounds): both kernels label every row.
      await gemm.resetLabels(hg);
      await direct.resetLabels(hd);
      const g = await gemm.lloydStep(hg, c, k);
      const d = await direct.lloydStep(hd, c, k);
      expect(g.changed).toBe(rows);
      expect(Array.from(g.counts)).toEqual(Array.from(d.counts));
      expect(Array.from(g.sums)).toEqual(Array.from(d.sums));
      expect(g.inertia).toBe(d.inertia);
      const ga = await gemm.assign(hg, c, k);
      const da = await direct.assign(hd, c, k);
      expect(ga.labels).toEqual(da.labels);
      expect(ga.sqDistances).toEqual(da.sqDistances);
      const next = new Float32Array(k * DIMS);
      for (let i = 0; i < k; i++)
        for (let j = 0; j < DIMS; j++)
          next[i * DIMS + j] =
            g.counts[i] > 0 ? g.sums[i * DIMS + j] / g.counts[i] : c[i * DIMS + j];
      c = next;
    }
  }, 120_000);
});

test('the near-tied rows need the re-decision: without it (τ = 0) the GEMM-form labels differ', async () => {
  const k = 64;
  const { matrix, centres } = nearTiedData(k, 5);
  const n = matrix.rows;
  const labelsWith = async (module: WebAssembly.Module, tau: number): Promise<Int32Array> => {
    const run = makeWasmLloyd(
      module,
      k,
      DIMS,
      wasmLayout(CPU_BLOCK_ROWS, k, DIMS),
      CPU_BLOCK_ROWS,
      tau,
    );
    const labels = new Int32Array(n).fill(-1);
    run(matrix.data, n, 0, n, centres, labels, null, null, genericLloyd(k, DIMS), null, null);
    return labels;
  };
  const direct = await labelsWith(await lloydWasmModule(k, DIMS, false), ROW_TIE_TOLERANCE);
  const gemmModule = await gemmWasmModule(k, DIMS, false);
  expect(await labelsWith(gemmModule, gemmTieTolerance(DIMS))).toEqual(direct);
  const unchecked = await labelsWith(gemmModule, 0);
  let differ = 0;
  for (let i = 0; i < n; i++) if (unchecked[i] !== direct[i]) differ++;
  expect(differ).toBeGreaterThan(20);
}, 120_000);
