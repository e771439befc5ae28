/**
 * The device check's stages that time through the bench harness (runBench: Lloyd and EM
 * iterations, the read floor, the round trip, the kernels alone, the scikit-learn and PyTorch
 * anchors on the same data); the stages that run other programs are in device-check-processes.ts,
 * and bench/device-check.ts lists them all with their limits.
 *
 * On a GPU every iteration is split: its kernels alone (the same pass repeated in one
 * submission) and the rest — the round trip of a pass (submit, error scopes, readback), measured
 * on its own, and the host's work — against the read floor, which is a bandwidth (sweeps many to
 * a submission), not a round trip.
 */
import {
  runBench,
  type BenchOptions,
  type BenchResult,
  type BenchRow,
} from '../src/bench/bench.js';
import {
  fmt,
  ITERATIONS,
  M,
  n,
  phaseProgress,
  phasesLine,
  progress,
  quick,
  readResults,
  shape,
  table,
  type Stage,
  type StageOutput,
} from './device-check-common.js';

async function bench(o: Partial<BenchOptions>): Promise<BenchResult> {
  const options: BenchOptions = {
    algorithm: 'kmeans',
    covariance: 'diag',
    rows: n(10 * M, 4096),
    dims: n(16, 8),
    k: n(8, 4),
    iterations: ITERATIONS,
    backends: ['gpu'],
    seed: 0,
    sklearn: false,
    onPhase: phaseProgress,
    ...o,
  };
  progress(
    `${options.algorithm} ${shape(options.rows, options.dims, options.k)} on ${options.backends.join(', ')}`,
  );
  return runBench(options);
}

/** The fp32 rate PyTorch measured in the anchors stage, TFLOP/s, if it ran. */
function measuredPeak(outDir: string): number | undefined {
  const stages = readResults(outDir).stages as { name: string; result?: { fp32Tflops?: number } }[];
  return stages.find((s) => s.name === 'anchors')?.result?.fp32Tflops;
}

/** The H200's plain fp32 rate by datasheet, when PyTorch did not measure one. */
const DATASHEET_FP32_TFLOPS = 67;

function gpuRow(r: BenchResult): BenchRow {
  const g = r.rows.find((row) => row.backend === 'gpu');
  if (!g) throw new Error(r.notes.join('; ') || 'no GPU row');
  return g;
}

/** ms per iteration less its kernels: the round trip and the host's work. */
const restMs = (g: BenchRow): number | null =>
  g.kernelMs === null ? null : g.msPerIteration - g.kernelMs;

const ratio = (ms: number | null, floorMs: number | null): number | null =>
  ms === null || !floorMs ? null : ms / floorMs;

function anchorCells(r: BenchResult, backend: string, what: string): string[][] {
  const rows = r.rows.filter((row) => row.backend === backend);
  if (rows.length === 0) {
    const why = r.notes.find((note) => note.startsWith(`${what}:`)) ?? `${what}: not run`;
    return [[what, `skipped: ${why.slice(what.length + 2)}`, '–', '–']];
  }
  return rows.map((row) => [what, row.device, fmt(row.msPerIteration), fmt(row.ratioToFloor, 1)]);
}

export async function anchorsStage(): Promise<StageOutput> {
  const r = await bench({ sklearn: true, torch: true });
  const g = gpuRow(r);
  const bytes = g.rows * g.dims * 4;
  const torchReadMs = r.torchReadGbps ? (bytes / (r.torchReadGbps * 1e9)) * 1000 : null;
  const rows = [
    [
      'read floor (WGSL sweeps, many to a submission)',
      `${fmt(g.floorGbps, 2)} GB/s`,
      fmt(g.floorMs, 3),
      '1.0',
    ],
    [
      'round trip of a pass (submit, error scopes, readback)',
      g.device,
      fmt(g.roundTripMs, 3),
      fmt(ratio(g.roundTripMs, g.floorMs), 1),
    ],
    [
      'gpuseg Lloyd (GPU), whole iteration',
      g.device,
      fmt(g.msPerIteration),
      fmt(g.ratioToFloor, 1),
    ],
    [
      'gpuseg Lloyd (GPU), kernels alone',
      g.device,
      fmt(g.kernelMs, 3),
      fmt(ratio(g.kernelMs, g.floorMs), 1),
    ],
    [
      'PyTorch read of X (X.sum())',
      r.torchReadGbps ? `${fmt(r.torchReadGbps, 1)} GB/s` : 'skipped: no PyTorch',
      fmt(torchReadMs, 3),
      fmt(ratio(torchReadMs, g.floorMs), 2),
    ],
    ...anchorCells(r, 'pytorch', 'PyTorch'),
    ...anchorCells(r, 'scikit-learn', 'scikit-learn'),
  ];
  // Against gpuseg's floor: the anchors' × floor is their ms over the same read floor.
  for (const row of rows.slice(5))
    if (row[2] !== '–' && g.floorMs) row[3] = fmt(Number(row[2]) / g.floorMs, 1);
  return {
    result: {
      ...r,
      floorGbps: g.floorGbps,
      floorMs: g.floorMs,
      roundTripMs: g.roundTripMs,
      kernelMs: g.kernelMs,
    },
    markdown: [
      `${shape(g.rows, g.dims, g.k)}, ${ITERATIONS} iterations, the same data for every row; ` +
        `fp32 matrix product (PyTorch): ${r.fp32Tflops ? `${fmt(r.fp32Tflops, 1)} TFLOP/s` : 'not measured'}.`,
      '',
      table(['what', 'device / rate', 'ms', '× floor'], rows),
      '',
      phasesLine(r.phases),
      ...[...new Set(r.notes)].map((note) => `\nnote: ${note}`),
    ].join('\n'),
  };
}

/** The columns both Lloyd and EM stages show: the iteration split, and the floor. */
const SPLIT_HEAD = [
  'ms/iter',
  'kernels ms',
  'rest ms (round trip + host)',
  'round trip ms',
  'host ms (centre update / M-step)',
  'read floor GB/s',
  'read floor ms',
  '× floor',
  'kernels × floor',
];

function splitCells(g: BenchRow): string[] {
  return [
    fmt(g.msPerIteration),
    fmt(g.kernelMs, 3),
    fmt(restMs(g), 3),
    fmt(g.roundTripMs, 3),
    fmt(g.hostMs, 3),
    fmt(g.floorGbps, 2),
    fmt(g.floorMs, 3),
    fmt(g.ratioToFloor, 1),
    fmt(ratio(g.kernelMs, g.floorMs), 1),
  ];
}

export function lloydStage(rows: number, dims: number, k: number): Stage['run'] {
  return async (outDir) => {
    const r = await bench({ rows, dims, k });
    const g = gpuRow(r);
    const peak = measuredPeak(outDir);
    const tflops = peak ?? DATASHEET_FP32_TFLOPS;
    const computeMs = ((2 * rows * k * dims) / (tflops * 1e12)) * 1000;
    const targetMs = 2 * Math.max(g.floorMs ?? 0, computeMs);
    const result = {
      ...g,
      restMs: restMs(g),
      computeMs,
      fp32Tflops: tflops,
      targetMs,
      meetsTarget: g.msPerIteration <= targetMs,
      kernelsMeetTarget: g.kernelMs !== null && g.kernelMs <= targetMs,
      phases: r.phases,
    };
    return {
      result,
      markdown: [
        table(
          [
            'shape',
            ...SPLIT_HEAD,
            `compute ms (${fmt(tflops, 1)} TFLOP/s${peak ? '' : ', datasheet'})`,
            'target ms',
            'meets (iteration / kernels)',
          ],
          [
            [
              shape(rows, dims, k),
              ...splitCells(g),
              fmt(computeMs, 3),
              fmt(targetMs, 3),
              `${result.meetsTarget ? 'yes' : 'no'} / ${result.kernelsMeetTarget ? 'yes' : 'no'}`,
            ],
          ],
        ),
        '',
        phasesLine(r.phases),
      ].join('\n'),
    };
  };
}

export function emStage(covariance: 'diag' | 'full'): Stage['run'] {
  return async () => {
    const r = await bench({ algorithm: 'gmm', covariance, ...(quick ? { dims: 4, k: 3 } : {}) });
    const g = gpuRow(r);
    const target = covariance === 'diag' ? 3 : null;
    return {
      result: { ...g, restMs: restMs(g), covariance, targetRatio: target, phases: r.phases },
      markdown: [
        'ms/iter: the E-step pass and the host M-step; kernels: the E-step pass alone.',
        '',
        table(
          ['shape', 'covariance', ...SPLIT_HEAD, 'target'],
          [
            [
              shape(g.rows, g.dims, g.k),
              covariance,
              ...splitCells(g),
              target ? `≤ ${target}× floor` : '–',
            ],
          ],
        ),
        '',
        phasesLine(r.phases),
      ].join('\n'),
    };
  };
}

export async function cpuStage(): Promise<StageOutput> {
  const r = await bench({ backends: ['cpu'], sklearn: true });
  const cpu = r.rows.find((row) => row.backend === 'cpu');
  if (!cpu) throw new Error(r.notes.join('; ') || 'no CPU row');
  const rows = [
    ['gpuseg CPU (WebAssembly SIMD, workers)', cpu.device, fmt(cpu.msPerIteration)],
    ...anchorCells(r, 'scikit-learn', 'scikit-learn').map((c) => c.slice(0, 3)),
  ];
  return {
    result: { ...r },
    markdown: [
      `${shape(cpu.rows, cpu.dims, cpu.k)} on ${r.host}`,
      '',
      table(['what', 'device', 'ms/iter'], rows),
      '',
      phasesLine(r.phases),
      ...[...new Set(r.notes)].map((note) => `\nnote: ${note}`),
    ].join('\n'),
  };
}
