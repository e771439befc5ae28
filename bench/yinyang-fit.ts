/**
 * Whole Lloyd fits on the CPU backend with and without Yinyang steps, side by side in one process:
 * the blobs and initial centres of `gpuseg bench` (same seed), `--iterations` steps from the
 * initial centres (tol 0, as the bench times them), for each K:
 * - yinyang: bounded steps are Yinyang steps (yinyangMinK 1, whatever K);
 * - hamerly: bounded steps are Hamerly's (yinyangMinK Infinity: the backend before Yinyang);
 * - full: every step a full SIMD pass.
 * Each fit must give the same changed count and counts at every step (checked, reported). Times
 * are the whole fit's CPU time of this process (all threads, process.cpuUsage: less distorted
 * than wall time on a busy shared machine) and wall time, and the steps of each kind; for choosing
 * YINYANG_MIN_K and YINYANG_MAX_SHARE.
 *
 *   node dist/bench/yinyang-fit.js [--rows 1M] [--dims 16] [--k 16,32,64,256] [--iterations 30]
 *     [--spread 12] [--max-share S] [--variants yinyang,hamerly,full]
 */
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import { allocateMatrix } from '../src/data/matrix.js';
import { Rng } from '../src/util/rng.js';
import { benchCount, benchFlags, usageExit } from './bench-flags.js';

const values = benchFlags(
  'yinyang-fit',
  'Whole Lloyd fits on the CPU backend with Yinyang, Hamerly or no bounded steps, side by side.',
  {
    rows: { type: 'string', default: '1M' },
    dims: { type: 'string', default: '16' },
    k: { type: 'string', default: '16,32,64,256' },
    iterations: { type: 'string', default: '30' },
    variants: { type: 'string', default: 'yinyang,hamerly,full' },
    'max-share': { type: 'string' },
    spread: { type: 'string', default: '12' },
  },
  {
    rows: 'rows of the blobs',
    dims: 'features of the blobs',
    k: 'cluster counts K, comma-separated',
    iterations: 'Lloyd steps of each fit',
    variants: 'which fits, comma-separated, among yinyang, hamerly and full',
    'max-share': "the yinyang fit's YINYANG_MAX_SHARE (a number > 0; default: the backend's)",
    spread: 'noise of the blobs (a number > 0)',
  },
);
const n = benchCount('yinyang-fit', values.rows, '--rows');
const d = benchCount('yinyang-fit', values.dims, '--dims');
const iterations = benchCount('yinyang-fit', values.iterations, '--iterations');
const ks = values.k.split(',').map((k) => benchCount('yinyang-fit', k, '--k'));
const variants = values.variants.split(',');
for (const variant of variants)
  if (!['yinyang', 'hamerly', 'full'].includes(variant))
    usageExit('yinyang-fit', `--variants: expected yinyang, hamerly or full, got '${variant}'`);
const spread = Number(values.spread);
if (!(spread > 0))
  usageExit('yinyang-fit', `--spread: expected a number > 0, got '${values.spread}'`);
const maxShare = values['max-share'] === undefined ? undefined : Number(values['max-share']);
if (maxShare !== undefined && !(maxShare > 0))
  usageExit('yinyang-fit', `--max-share: expected a number > 0, got '${values['max-share']}'`);

/**
 * The blobs of src/bench/bench.ts (seed 0): overlapping clusters (noise of spread 12, --spread),
 * initial centres from rows.
 */
function blobs(k: number) {
  const rng = new Rng(0);
  const truth = Float32Array.from({ length: k * d }, () => rng.nextDouble() * 20 - 10);
  const matrix = allocateMatrix(
    n,
    Array.from({ length: d }, (_, j) => `f${j}`),
  );
  for (let i = 0; i < n; i++) {
    const c = (i * 2654435761) % k;
    for (let j = 0; j < d; j++)
      matrix.data[j * n + i] =
        truth[c * d + j] + (rng.nextDouble() + rng.nextDouble() + rng.nextDouble() - 1.5) * spread;
  }
  const init = new Float32Array(k * d);
  for (let c = 0; c < k; c++)
    for (let j = 0; j < d; j++) init[c * d + j] = matrix.data[j * n + ((c * 7919) % n)];
  return { matrix, init };
}

const settings: Record<string, { bounded?: boolean; yinyangMinK?: number }> = {
  yinyang: {
    yinyangMinK: 1,
    ...(maxShare !== undefined ? { yinyangMaxShare: maxShare } : {}),
  },
  hamerly: { yinyangMinK: Infinity },
  full: { bounded: false },
};

for (const k of ks) {
  const { matrix, init } = blobs(k);
  const trace: Record<string, string[]> = {};
  const lines: string[] = [];
  for (const variant of variants) {
    const backend = new CpuBackend(undefined, true, undefined, settings[variant]);
    const handle = await backend.attach(matrix);
    let centres = Float32Array.from(init);
    trace[variant] = [];
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    for (let it = 0; it < iterations; it++) {
      const s = await backend.lloydStep(handle, centres, k);
      trace[variant].push(`${s.changed}:${Array.from(s.counts).join(',')}`);
      const next = new Float32Array(k * d);
      for (let c = 0; c < k; c++)
        for (let j = 0; j < d; j++)
          next[c * d + j] = s.counts[c] > 0 ? s.sums[c * d + j] / s.counts[c] : centres[c * d + j];
      centres = next;
    }
    const wall = performance.now() - wall0;
    const cpu = process.cpuUsage(cpu0);
    const same = trace[variant].every((t, i) => t === trace[variants[0]][i]);
    lines.push(
      `${variant.padEnd(8)} cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2).padStart(7)} s  wall ${(wall / 1000).toFixed(2).padStart(6)} s  bounded ${backend.boundedSteps} (yinyang ${backend.yinyangSteps})  ${same ? 'same steps' : 'DIFFERS'}`,
    );
    await backend.dispose();
  }
  console.log(`${n} × ${d}, K = ${k}, ${iterations} steps`);
  for (const line of lines) console.log('  ' + line);
}
