/**
 * The GPU Lloyd kernel's variants side by side (shaders/lloyd.wgsl; they give the same bits, see
 * test/gpu-kernel-variants.test.ts): statistics through row masks built one atomic per row or a
 * subgroup at a time, or by scanning the tile; labels by the expanded form against centre tiles
 * (K ≥ 32) or the direct form. For choosing the defaults on a real GPU (bench/device-check.sh runs
 * it at the issue's shapes). Each variant: ms per Lloyd step as a fit runs them, and its kernels
 * alone (the step's dispatches repeated in one submission: no round trip), on the bench's blobs.
 *
 *   node dist/bench/lloyd-variants.js [--rows 1000000] [--dims 16] [--k 8] [--iterations 10] [--json]
 *
 * Prints a Markdown table, or with --json one JSON object (the device, each variant's ms/iter and
 * kernel ms, the phases' seconds); a line of progress per phase on stderr.
 */
import { closeSharedGpu } from '../src/index.js';
import { GpuBackend, type GpuBackendOptions } from '../src/backend/gpu/gpu-backend.js';
import { benchBlobs } from '../src/bench/bench-data.js';
import { benchCount, benchFlags } from './bench-flags.js';
import { phaseClock } from './device-check-common.js';

const script = 'lloyd-variants';
const values = benchFlags(
  script,
  'Every GPU Lloyd kernel variant on the same data and centres: ms per iteration and kernels alone.',
  {
    rows: { type: 'string', default: '1000000' },
    dims: { type: 'string', default: '16' },
    k: { type: 'string', default: '8' },
    iterations: { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
  },
  {
    rows: 'rows (10M, 1e6, 250k)',
    dims: 'features',
    k: 'clusters',
    iterations: 'timed iterations per variant',
    json: 'print the results as JSON',
  },
);
const rows = benchCount(script, values.rows, '--rows');
const dims = benchCount(script, values.dims, '--dims');
const k = benchCount(script, values.k, '--k');
const iterations = benchCount(script, values.iterations, '--iterations');

const variants: { name: string; options: Partial<GpuBackendOptions> }[] = [
  { name: 'default (masks, no subgroups, expanded form for K ≥ 32)', options: {} },
  { name: 'masks, subgroups where present', options: { subgroups: true } },
  { name: 'masks, direct form', options: { gemm: false } },
  { name: 'masks, centres in registers (K·D ≤ 128)', options: { registerCentres: true } },
  { name: 'scan, direct form (the first kernel)', options: { rowMasks: false, gemm: false } },
];

const { phases, phase } = phaseClock();

const { matrix, init: centres } = await benchBlobs(rows, dims, k, 7);
phase('generate');
const bytes = rows * dims * 4;
const results: {
  name: string;
  msPerIteration: number;
  kernelMs: number;
  gbPerSecond: number;
  kernelGbPerSecond: number;
}[] = [];
let device = '';
for (const [v, { name, options }] of variants.entries()) {
  const backend = await GpuBackend.create({ allowFallback: true, ...options });
  device = backend.deviceName;
  const handle = await backend.attach(matrix);
  phase(`variant ${v} upload`);
  await backend.lloydStep(handle, centres, k); // compiles the programs
  const started = performance.now();
  for (let i = 0; i < iterations; i++) await backend.lloydStep(handle, centres, k);
  const ms = (performance.now() - started) / iterations;
  phase(`variant ${v} iterations`);
  const kernelMs = (await backend.timing.lloydKernel(handle, centres, k)).msPerRepetition;
  phase(`variant ${v} kernel timing`);
  results.push({
    name,
    msPerIteration: ms,
    kernelMs,
    gbPerSecond: bytes / (ms * 1e6),
    kernelGbPerSecond: bytes / (kernelMs * 1e6),
  });
  await backend.detach(handle);
  await backend.dispose();
}
if (values.json) {
  console.log(JSON.stringify({ rows, dims, k, iterations, device, variants: results, phases }));
} else {
  console.log(`${rows} × ${dims}, K=${k}, ${iterations} Lloyd steps on ${device}`);
  console.log('| variant | ms/iter | kernels ms | GB/s of X (kernels) |');
  console.log('| --- | --- | --- | --- |');
  for (const r of results)
    console.log(
      `| ${r.name} | ${r.msPerIteration.toFixed(2)} | ${r.kernelMs.toFixed(3)} | ${r.kernelGbPerSecond.toPrecision(3)} |`,
    );
}
await closeSharedGpu();
