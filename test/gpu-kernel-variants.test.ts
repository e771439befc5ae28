import { describe, expect, test } from 'vitest';
import type { LloydSummary } from '../src/backend/backend.js';
import { GpuBackend, type GpuBackendOptions } from '../src/backend/gpu/gpu-backend.js';
import { hasGpu } from './helpers/backends.js';
import { blobs } from './helpers/reference.js';

/**
 * The Lloyd kernel's variants give the same bits (shaders/lloyd.wgsl): its statistics accumulated
 * through per-cluster row masks (built one atomic per row, or a subgroup at a time where the
 * device has subgroups) or by scanning every row of a tile for every output; its labels from the
 * expanded form against centre tiles (K ≥ 32) or the direct form, with few centres held in
 * registers or read from memory. Each adds a cluster's rows in row order and reports the
 * direct-form distance of the direct-form nearest centre, so only the work differs; a variant
 * that lost, doubled or reordered a row, or let the expanded form's rounding pick a different
 * centre, would show here. K from 1 to past the subgroup variant's limit (32) and past what
 * workgroup memory holds masks for; two coinciding centres (exact ties) and rows on the bisector
 * of two centres; feature counts that are not a multiple of four; chunks whose rows are not a
 * multiple of the 256-row tile; assignment passes too.
 */
const variants: { name: string; options: Partial<GpuBackendOptions> }[] = [
  { name: 'row masks, portable, expanded form (the default)', options: {} },
  { name: 'row masks, subgroups', options: { subgroups: true } },
  { name: 'scan', options: { rowMasks: false } },
  { name: 'direct form', options: { gemm: false } },
  { name: 'centres in registers', options: { registerCentres: true } },
];

interface Run {
  steps: LloydSummary[];
  labels: Int32Array;
  sqDistances: Float32Array;
}

async function steps(
  options: Partial<GpuBackendOptions>,
  k: number,
  rows: number,
  dims: number,
): Promise<Run> {
  const { matrix } = blobs(rows, dims, Math.min(k, 12), rows + k, 2);
  const tieRows = 50;
  let centres = new Float32Array(k * dims);
  for (let c = 0; c < k; c++)
    for (let j = 0; j < dims; j++)
      centres[c * dims + j] = matrix.data[j * rows + ((c * 7919) % (rows - tieRows))];
  if (k > 2) centres.copyWithin(2 * dims, dims, 2 * dims); // centres 1 and 2 coincide: exact ties
  if (k > 4 && dims > 1) {
    // The last rows lie far from the rest, on the bisector of centres 3 and 4, which differ in
    // feature 0 only: the same direct-form distance to both (the direct form picks 3), while
    // the expanded form's scores differ by rounding at this magnitude, so the row must be decided
    // again exactly.
    const x0 = Math.fround(1000.3); // ± 0.5 is exact at this magnitude: an exact tie
    for (let r = rows - tieRows; r < rows; r++) {
      matrix.data[r] = x0;
      for (let j = 1; j < dims; j++)
        matrix.data[j * rows + r] = Math.fround(1000 + 0.1 * ((r * 7 + j * 3) % 11) + 0.013 * j);
    }
    for (let j = 1; j < dims; j++)
      centres[3 * dims + j] = centres[4 * dims + j] = Math.fround(1000.37 + 0.011 * j);
    centres[3 * dims] = x0 + 0.5;
    centres[4 * dims] = x0 - 0.5;
  }
  const backend = await GpuBackend.create({ allowFallback: true, maxChunkRows: 5000, ...options });
  const handle = await backend.attach(matrix);
  const assigned = await backend.assign(handle, centres, k);
  const out: LloydSummary[] = [];
  for (let step = 0; step < 3; step++) {
    const s = await backend.lloydStep(handle, centres, k);
    out.push(s);
    centres = centres.map((v, o) => {
      const c = Math.floor(o / dims);
      return s.counts[c] > 0 ? s.sums[o] / s.counts[c] : v;
    });
  }
  await backend.detach(handle);
  await backend.dispose();
  return { steps: out, labels: assigned.labels, sqDistances: assigned.sqDistances };
}

describe.skipIf(!hasGpu)('Lloyd kernel variants', () => {
  test('the subgroup programs run where asked for and the adapter has subgroups', async () => {
    // Off by default: slower than the portable masks on an H200 at every shape measured.
    const backend = await GpuBackend.create({ allowFallback: true });
    expect(backend.usesSubgroups).toBe(false);
    const has =
      backend.ctx.description.features.includes('subgroups') &&
      process.env.GPUSEG_NO_SUBGROUPS !== '1';
    expect((await GpuBackend.create({ allowFallback: true, subgroups: true })).usesSubgroups).toBe(
      has,
    );
    if (!has)
      console.warn(
        '\n*** this adapter has no subgroups: the subgroup variants are not exercised here ***\n',
      );
    await backend.dispose();
  });

  test.each([
    { k: 1, rows: 777, dims: 3 },
    { k: 5, rows: 12_345, dims: 7 },
    { k: 33, rows: 5_001, dims: 4 },
    { k: 64, rows: 2_600, dims: 17 },
    { k: 40, rows: 1_200, dims: 64 }, // the widest rows the expanded form takes
    { k: 300, rows: 3_000, dims: 2 },
    { k: 1500, rows: 2_000, dims: 2 },
  ])('k=$k, $rows × $dims: every variant gives the same bits', async ({ k, rows, dims }) => {
    const results = [];
    for (const v of variants)
      results.push({ name: v.name, ...(await steps(v.options, k, rows, dims)) });
    const [first, ...rest] = results;
    for (const other of rest) {
      expect([other.name, Array.from(other.labels)]).toEqual([
        other.name,
        Array.from(first.labels),
      ]);
      expect(Array.from(other.sqDistances)).toEqual(Array.from(first.sqDistances));
      for (let s = 0; s < first.steps.length; s++) {
        const a = first.steps[s];
        const b = other.steps[s];
        expect([other.name, s, Array.from(b.sums)]).toEqual([other.name, s, Array.from(a.sums)]);
        expect(Array.from(b.counts)).toEqual(Array.from(a.counts));
        expect(b.inertia).toBe(a.inertia);
        expect(b.changed).toBe(a.changed);
      }
    }
    // The rows on the bisector went to the lower-numbered centre, as the direct form decides.
    if (k > 4 && dims > 1) expect(new Set(first.labels.slice(rows - 50))).toEqual(new Set([3]));
    // The rows are all there: counts add up to N at every step.
    for (const s of first.steps) expect(s.counts.reduce((x, y) => x + y, 0)).toBe(rows);
  });
});
