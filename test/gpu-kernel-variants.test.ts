import { describe, expect, test } from 'vitest';
import type { LloydSummary } from '../src/backend/backend.js';
import { GpuBackend, type GpuBackendOptions } from '../src/backend/gpu/gpu-backend.js';
import { hasGpu } from './helpers/backends.js';
import { blobs } from './helpers/reference.js';

/**
 * The Lloyd kernel's variants give the same bits: its statistics accumulated through per-cluster
 * row masks (built one atomic per row, or a subgroup at a time where the device has subgroups)
 * or by scanning every row of a tile for every output (shaders/lloyd.wgsl). Each adds a cluster's
 * rows in row order, so only the work differs; a variant that lost, doubled or reordered a row
 * would show here. K from 1 to past the subgroup variant's limit (32) and past what workgroup
 * memory holds masks for; chunks whose rows are not a multiple of the 256-row tile.
 */
const variants: { name: string; options: Partial<GpuBackendOptions> }[] = [
  { name: 'row masks, subgroups', options: {} },
  { name: 'row masks, portable', options: { subgroups: false } },
  { name: 'scan', options: { rowMasks: false, subgroups: false } },
];

async function steps(options: Partial<GpuBackendOptions>, k: number, rows: number, dims: number): Promise<LloydSummary[]> {
  const { matrix } = blobs(rows, dims, Math.min(k, 12), rows + k, 2);
  const backend = await GpuBackend.create({ allowFallback: true, maxChunkRows: 5000, ...options });
  const handle = await backend.attach(matrix);
  let centres = new Float32Array(k * dims);
  for (let c = 0; c < k; c++) for (let j = 0; j < dims; j++) centres[c * dims + j] = matrix.data[j * rows + ((c * 7919) % rows)];
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
  return out;
}

describe.skipIf(!hasGpu)('Lloyd kernel variants', () => {
  test('the subgroup programs are the ones run where the adapter has subgroups', async () => {
    const backend = await GpuBackend.create({ allowFallback: true });
    const has = backend.ctx.description.features.includes('subgroups') && process.env.GPUSEG_NO_SUBGROUPS !== '1';
    expect(backend.usesSubgroups).toBe(has);
    expect((await GpuBackend.create({ allowFallback: true, subgroups: false })).usesSubgroups).toBe(false);
    if (!has) console.warn('\n*** this adapter has no subgroups: the subgroup variants are not exercised here ***\n');
    await backend.dispose();
  });

  test.each([
    { k: 1, rows: 777, dims: 3 },
    { k: 5, rows: 12_345, dims: 7 },
    { k: 33, rows: 9_001, dims: 4 },
    { k: 300, rows: 6_000, dims: 2 },
    { k: 1500, rows: 4_000, dims: 2 },
  ])('k=$k, $rows × $dims: every variant gives the same bits', async ({ k, rows, dims }) => {
    const results = [];
    for (const v of variants) results.push({ name: v.name, steps: await steps(v.options, k, rows, dims) });
    const [first, ...rest] = results;
    for (const other of rest) {
      for (let s = 0; s < first.steps.length; s++) {
        const a = first.steps[s];
        const b = other.steps[s];
        expect([other.name, s, Array.from(b.sums)]).toEqual([other.name, s, Array.from(a.sums)]);
        expect(Array.from(b.counts)).toEqual(Array.from(a.counts));
        expect(b.inertia).toBe(a.inertia);
        expect(b.changed).toBe(a.changed);
      }
    }
    // The rows are all there: counts add up to N at every step.
    for (const s of first.steps) expect(s.counts.reduce((x, y) => x + y, 0)).toBe(rows);
  });
});
