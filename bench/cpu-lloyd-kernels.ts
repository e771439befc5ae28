/**
 * The CPU Lloyd kernels side by side on one thread: the direct SIMD kernel (wasm-kernel.ts) and
 * the GEMM-form one (wasm-gemm.ts) with a choice of register tiles, on the same blobs (those of
 * `gpuseg bench`) and centres; each labels every row and accumulates the statistics, and must give
 * the direct kernel's labels and statistics bit for bit (checked, reported). Times are CPU time of
 * this process (process.cpuUsage), median of the repeats, so that a busy shared machine distorts
 * them less than wall time; for choosing the tile and the K threshold (GEMM_MIN_K).
 *
 *   node dist/bench/cpu-lloyd-kernels.js [--rows 131072] [--dims 16] [--k 64] [--repeats 7]
 *     [--tiles 2x4,3x3] [--json]
 */
import { genericLloyd } from '../src/backend/cpu/generic-kernels.js';
import { gemmTieTolerance, gemmWasmModule } from '../src/backend/cpu/wasm-gemm.js';
import { lloydWasmModule, ROW_TIE_TOLERANCE, wasmLayout } from '../src/backend/cpu/wasm-kernel.js';
import { makeWasmLloyd } from '../src/backend/cpu/wasm-lloyd-driver.js';
import { CPU_BLOCK_ROWS } from '../src/backend/cpu/wasm-specs.js';
import { Rng } from '../src/util/rng.js';
import { benchCount, benchFlags, usageExit } from './bench-flags.js';

const values = benchFlags(
  'cpu-lloyd-kernels',
  'The CPU Lloyd kernels (direct SIMD and GEMM-form tiles) side by side on one thread, CPU ms.',
  {
    rows: { type: 'string', default: '131072' },
    dims: { type: 'string', default: '16' },
    k: { type: 'string', default: '64' },
    repeats: { type: 'string', default: '7' },
    tiles: { type: 'string', default: '2x4' },
    json: { type: 'boolean', default: false },
  },
  {
    rows: 'rows of the blobs',
    dims: 'features of the blobs',
    k: 'clusters (centres)',
    repeats: 'runs of each kernel; the median CPU time is printed',
    tiles: 'GEMM register tiles to compare, ROWQUADSxCENTRES, comma-separated (e.g. 2x4,3x3)',
    json: 'print the results as JSON',
  },
);
const n = benchCount('cpu-lloyd-kernels', values.rows, '--rows');
const d = benchCount('cpu-lloyd-kernels', values.dims, '--dims');
const k = benchCount('cpu-lloyd-kernels', values.k, '--k');
const repeats = benchCount('cpu-lloyd-kernels', values.repeats, '--repeats');
const tiles = values.tiles.split(',');
for (const tile of tiles)
  if (!/^[1-9]\d*x[1-9]\d*$/.test(tile))
    usageExit('cpu-lloyd-kernels', `--tiles: expected tiles like 2x4,3x3, got '${tile}'`);

// The blobs of src/bench/bench.ts: overlapping clusters, initial centres taken from rows.
const rng = new Rng(0);
const truth = Float32Array.from({ length: k * d }, () => rng.nextDouble() * 20 - 10);
const X = new Float32Array(n * d);
for (let i = 0; i < n; i++) {
  const c = (i * 2654435761) % k;
  for (let j = 0; j < d; j++)
    X[j * n + i] =
      truth[c * d + j] + (rng.nextDouble() + rng.nextDouble() + rng.nextDouble() - 1.5) * 12;
}
const C = new Float32Array(k * d);
for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) C[c * d + j] = X[j * n + ((c * 7919) % n)];

function time(module: WebAssembly.Module, tau: number) {
  const run = makeWasmLloyd(module, k, d, wasmLayout(CPU_BLOCK_ROWS, k, d), CPU_BLOCK_ROWS, tau);
  const tail = genericLloyd(k, d);
  const ms: number[] = [];
  let labels = new Int32Array(n);
  let acc = new Float64Array(k * d + k + 2);
  for (let r = 0; r < repeats; r++) {
    labels = new Int32Array(n).fill(-1);
    acc = new Float64Array(k * d + k + 2);
    const started = process.cpuUsage();
    run(X, n, 0, n, C, labels, null, acc, tail, null, null);
    const used = process.cpuUsage(started);
    ms.push((used.user + used.system) / 1000);
  }
  ms.sort((a, b) => a - b);
  return { ms: ms[ms.length >> 1], labels, acc };
}

const rows: { kernel: string; cpuMs: number; sameAsDirect: boolean }[] = [];
const direct = time(await lloydWasmModule(k, d, false), ROW_TIE_TOLERANCE);
rows.push({ kernel: 'direct', cpuMs: direct.ms, sameAsDirect: true });
for (const tile of tiles) {
  const [rowQuads, centreTile] = tile.split('x').map(Number);
  const g = time(await gemmWasmModule(k, d, false, { rowQuads, centreTile }), gemmTieTolerance(d));
  const same =
    g.labels.every((l, i) => l === direct.labels[i]) &&
    g.acc.every((v, i) => Object.is(v, direct.acc[i]));
  rows.push({ kernel: `gemm ${tile}`, cpuMs: g.ms, sameAsDirect: same });
}
if (values.json) console.log(JSON.stringify({ rows: n, dims: d, k, results: rows }));
else {
  console.log(`${n} rows × ${d}, K = ${k}, one thread, CPU ms (median of ${repeats})`);
  for (const r of rows)
    console.log(
      `${r.kernel.padEnd(10)} ${r.cpuMs.toFixed(1).padStart(8)}  ${r.sameAsDirect ? 'same bits' : 'DIFFERS'}`,
    );
}
