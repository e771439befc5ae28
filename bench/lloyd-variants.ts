/**
 * The GPU Lloyd kernel's variants side by side (shaders/lloyd.wgsl; they give the same bits, see
 * test/gpu-kernel-variants.test.ts): statistics through row masks built a subgroup at a time or
 * one atomic per row, or by scanning the tile; labels by the expanded form against centre tiles
 * (K ≥ 32) or the direct form. For choosing the defaults on a real GPU (bench/device-check.sh runs
 * it at the shapes).
 *
 *   node dist/bench/lloyd-variants.js [--rows 1000000] [--dims 16] [--k 8] [--iterations 10] [--json]
 *
 * Prints a Markdown table, or with --json one JSON object (the device and each variant's ms/iter).
 */
import { parseArgs } from 'node:util';
import { closeSharedGpu } from '../src/index.js';
import { GpuBackend, type GpuBackendOptions } from '../src/backend/gpu/gpu-backend.js';
import { allocateMatrix } from '../src/data/matrix.js';
import { Rng } from '../src/util/rng.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    dims: { type: 'string', default: '16' },
    k: { type: 'string', default: '8' },
    iterations: { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
  },
});
const rows = Number(values.rows);
const dims = Number(values.dims);
const k = Number(values.k);
const iterations = Number(values.iterations);

const variants: { name: string; options: Partial<GpuBackendOptions> }[] = [
  { name: 'default (masks, subgroups where present, expanded form for K ≥ 32)', options: {} },
  { name: 'masks, no subgroups', options: { subgroups: false } },
  { name: 'masks, direct form', options: { gemm: false } },
  { name: 'masks, centres in registers (K·D ≤ 128)', options: { registerCentres: true } },
  {
    name: 'scan, direct form (the first kernel)',
    options: { rowMasks: false, gemm: false, subgroups: false },
  },
];

const rng = new Rng(7);
const matrix = allocateMatrix(
  rows,
  Array.from({ length: dims }, (_, j) => `f${j}`),
);
for (let i = 0; i < matrix.data.length; i++) matrix.data[i] = rng.nextDouble() * 10;
const centres = new Float32Array(k * dims);
for (let c = 0; c < k; c++)
  for (let j = 0; j < dims; j++) centres[c * dims + j] = matrix.data[j * rows + rng.nextInt(rows)];

const results: { name: string; msPerIteration: number; gbPerSecond: number }[] = [];
let device = '';
for (const v of variants) {
  const backend = await GpuBackend.create({ allowFallback: true, ...v.options });
  device = backend.deviceName;
  const handle = await backend.attach(matrix);
  await backend.lloydStep(handle, centres, k); // compiles the programs
  const started = performance.now();
  for (let i = 0; i < iterations; i++) await backend.lloydStep(handle, centres, k);
  const ms = (performance.now() - started) / iterations;
  const gbs = (rows * dims * 4) / (ms * 1e6);
  results.push({ name: v.name, msPerIteration: ms, gbPerSecond: gbs });
  await backend.detach(handle);
  await backend.dispose();
}
if (values.json) {
  console.log(JSON.stringify({ rows, dims, k, iterations, device, variants: results }));
} else {
  console.log(`${rows} × ${dims}, K=${k}, ${iterations} Lloyd steps on ${device}`);
  console.log('| variant | ms/iter | GB/s of X |');
  console.log('| --- | --- | --- |');
  for (const r of results)
    console.log(`| ${r.name} | ${r.msPerIteration.toFixed(2)} | ${r.gbPerSecond.toPrecision(3)} |`);
}
await closeSharedGpu();
