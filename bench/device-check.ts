/**
 * The stages of bench/device-check.sh (issue 17), one process per stage so that each has its own
 * timeout; the measuring stages are in device-check-stages.ts.
 *
 *   node dist/bench/device-check.js list [--quick]              stage names and time limits (s)
 *   node dist/bench/device-check.js stage NAME OUT_DIR [--quick] runs a stage and records it
 *   node dist/bench/device-check.js record OUT_DIR NAME STATUS SECONDS LIMIT REASON
 *                                   records a stage that did not finish (timed out, failed, skipped)
 *
 * Each record rewrites OUT_DIR/device-results.json (valid JSON after every stage) and appends a
 * section to OUT_DIR/device-results.md. --quick runs the same stages at small sizes (CI, lavapipe).
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { closeSharedGpu, listAdapters } from '../src/backend/gpu/gpu-context.js';
import {
  M,
  progress,
  QUICK_LIMIT_S,
  quick,
  readResults,
  record,
  table,
  type Stage,
  type StageOutput,
} from './device-check-common.js';
import { fitStage, seedingStage, variantsStage } from './device-check-processes.js';
import { anchorsStage, cpuStage, emStage, lloydStage } from './device-check-stages.js';

const positional = process.argv.slice(2).filter((a) => a !== '--quick');

async function deviceStage(): Promise<StageOutput> {
  const { adapters, note } = await listAdapters();
  const python = process.env.GPUSEG_PYTHON ?? '/usr/bin/python3';
  const version = (module: string): string => {
    const r = spawnSync(python, ['-c', `import ${module}; print(${module}.__version__)`], {
      encoding: 'utf8',
    });
    return r.status === 0
      ? r.stdout.trim()
      : `missing (${(r.stderr || r.error?.message || '').trim().split('\n').pop()})`;
  };
  const smi = spawnSync(
    'nvidia-smi',
    ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'],
    {
      encoding: 'utf8',
    },
  );
  const result = {
    adapters,
    note,
    node: process.version,
    cpu: `${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}`,
    nvidiaSmi: smi.status === 0 ? smi.stdout.trim() : null,
    python,
    torch: version('torch'),
    sklearn: version('sklearn'),
  };
  const a = adapters[0];
  return {
    result,
    markdown: table(
      ['item', 'value'],
      [
        [
          'WebGPU adapter',
          a
            ? `${a.description || a.device} (${a.vendor}${a.isFallback ? ', software' : ''})`
            : `none: ${note}`,
        ],
        ['subgroups', a ? String(a.features.includes('subgroups')) : '–'],
        ['maxStorageBufferBindingSize', a ? String(a.maxStorageBufferBindingSize) : '–'],
        ['nvidia-smi', result.nvidiaSmi ?? 'not found'],
        ['node', process.version],
        ['host', result.cpu],
        ['PyTorch', result.torch],
        ['scikit-learn', result.sklearn],
      ],
    ),
  };
}

/** The Lloyd shapes (rows, D, K), and what --quick runs in their place on a software GPU. */
const LLOYD_SHAPES: readonly [number, number, number][] = [
  [10 * M, 16, 8],
  [10 * M, 16, 64],
  [10 * M, 32, 256],
  [50 * M, 16, 8],
];
const QUICK_SHAPES: readonly [number, number, number][] = [
  [4096, 8, 4],
  [4096, 4, 33], // the expanded form (K ≥ 32), at a size lavapipe compiles quickly
  [2048, 8, 8],
  [8192, 8, 4],
];

/**
 * In order of priority: what a cut-short run must not miss comes first. Limits on the H200, from
 * the first run (2026-11-30: generating the bench's data took ~36 s of every 10M×16 stage, now
 * ~1 s; what is left is node and device start-up ~2 s, the upload, the iterations and the
 * timings): expected device 8 s, anchors ~25 (Python, scikit-learn's fits, PyTorch's), Lloyd 10M
 * ~4-6 each, 50M ~12, EM ~5-10 each, variants ~5 / 5 / 15 (the scan variant at K=256: 0.4 s a
 * step), seeding ~3, CPU ~25, fit ~7, out of core ~80: ~215 s in all, against the 450 s budget;
 * each limit is 2-3× its estimate, and the budget cuts the tail (out of core) should they add up.
 */
const STAGES: Stage[] = [
  { name: 'device', title: 'Device and software', limit: 30, run: deviceStage },
  {
    name: 'anchors',
    title: 'Read floor, PyTorch and scikit-learn on the same data',
    limit: 60,
    run: anchorsStage,
  },
  ...LLOYD_SHAPES.map(([rows, dims, k], i) => ({
    name: `lloyd-${rows / M}Mx${dims}-k${k}`,
    title: `Lloyd ms/iteration, ${rows / M}M×${dims} K=${k}`,
    limit: rows > 10 * M ? 40 : k > 64 ? 30 : 20,
    run: lloydStage(...(quick ? QUICK_SHAPES[i] : LLOYD_SHAPES[i])),
  })),
  {
    name: 'em-diag',
    title: 'EM ms/iteration, diag, 10M×16 K=8',
    limit: 30,
    run: emStage('diag'),
  },
  {
    name: 'em-full',
    title: 'EM ms/iteration, full, 10M×16 K=8',
    limit: 30,
    run: emStage('full'),
  },
  ...LLOYD_SHAPES.slice(0, 3).map(([rows, dims, k], i) => ({
    name: `variants-${rows / M}Mx${dims}-k${k}`,
    title: `Lloyd kernel variants, ${rows / M}M×${dims} K=${k}`,
    limit: k > 64 ? 45 : 25,
    run: variantsStage(...(quick ? QUICK_SHAPES[i] : LLOYD_SHAPES[i])),
  })),
  {
    name: 'seeding',
    title: 'k-means‖ seeding, 10M×16 K=8',
    limit: 20,
    run: seedingStage,
  },
  {
    name: 'cpu',
    title: 'CPU path against scikit-learn, 10M×16 K=8',
    limit: 45,
    run: cpuStage,
  },
  {
    name: 'fit',
    title: 'End to end: gpuseg fit of a 10M×16 Arrow file',
    limit: 30,
    run: fitStage(false),
  },
  {
    name: 'out-of-core',
    title: 'Out of core: 50M×16 Arrow stream on the GPU',
    limit: 120,
    run: fitStage(true),
  },
];

function stageNamed(name: string): Stage {
  const stage = STAGES.find((s) => s.name === name);
  if (!stage) throw new Error(`unknown stage '${name}' (${STAGES.map((s) => s.name).join(', ')})`);
  return stage;
}

const [command, ...rest] = positional;
if (command === 'list') {
  for (const s of STAGES) console.log(`${s.name} ${quick ? QUICK_LIMIT_S : s.limit}`);
} else if (command === 'stage') {
  const [name, outDir] = rest;
  const stage = stageNamed(name);
  const limit = quick ? QUICK_LIMIT_S : stage.limit;
  progress(`${name}: started (at most ${limit} s)`);
  const started = performance.now();
  const output = await stage.run(outDir);
  progress(`${name}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  record(outDir, stage, {
    status: 'ok',
    seconds: (performance.now() - started) / 1000,
    limit,
    output,
  });
  await closeSharedGpu();
} else if (command === 'record') {
  const [outDir, name, status, seconds, limit, reason] = rest;
  // A stage that recorded itself and then hung on the way out keeps its own record.
  if (readResults(outDir).stages.some((s) => s.name === name)) process.exit(0);
  record(outDir, stageNamed(name), {
    status,
    seconds: Number(seconds),
    limit: Number(limit),
    reason: reason || status,
  });
} else {
  console.error(
    'usage: device-check.js list|stage NAME OUT_DIR|record OUT_DIR NAME STATUS SECONDS LIMIT REASON [--quick]',
  );
  process.exit(2);
}
