/**
 * The measuring stages of the device check (bench/device-check.ts lists them with their limits).
 * Timing reuses the bench harness (runBench: Lloyd and EM iterations, the read floor, the
 * scikit-learn and PyTorch anchors on the same data), bench/lloyd-variants, bench/gen-features and
 * the CLI; only the k-means‖ seeding stage times a call itself.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kmeansParallel } from '../src/algo/kmeans-init.js';
import { GpuBackend } from '../src/backend/gpu/gpu-backend.js';
import { closeSharedGpu } from '../src/backend/gpu/gpu-context.js';
import { runBench, type BenchOptions, type BenchResult } from '../src/bench/bench.js';
import { allocateMatrix } from '../src/data/matrix.js';
import { packageRoot } from '../src/util/package-root.js';
import { Rng } from '../src/util/rng.js';
import {
  fmt,
  ITERATIONS,
  M,
  n,
  quick,
  readResults,
  shape,
  table,
  type Stage,
  type StageOutput,
} from './device-check-common.js';

async function bench(o: Partial<BenchOptions>): Promise<BenchResult> {
  return runBench({
    algorithm: 'kmeans',
    covariance: 'diag',
    rows: n(10 * M, 4096),
    dims: n(16, 8),
    k: n(8, 4),
    iterations: ITERATIONS,
    backends: ['gpu'],
    seed: 0,
    sklearn: false,
    ...o,
  });
}

/** The fp32 rate PyTorch measured in the anchors stage, TFLOP/s, if it ran. */
function measuredPeak(outDir: string): number | undefined {
  const stages = readResults(outDir).stages as { name: string; result?: { fp32Tflops?: number } }[];
  return stages.find((s) => s.name === 'anchors')?.result?.fp32Tflops;
}

/** The H200's plain fp32 rate by datasheet, when PyTorch did not measure one. */
const DATASHEET_FP32_TFLOPS = 67;

function gpuRow(r: BenchResult) {
  const g = r.rows.find((row) => row.backend === 'gpu');
  if (!g) throw new Error(r.notes.join('; ') || 'no GPU row');
  return g;
}

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
  const floorRows = [
    ['read floor (WGSL sweep)', `${fmt(g.floorGbps, 3)} GB/s`, fmt(g.floorMs, 3), '1.0'],
    ['gpuseg Lloyd (GPU)', g.device, fmt(g.msPerIteration), fmt(g.ratioToFloor, 1)],
  ];
  const rows = [
    ...floorRows,
    ...anchorCells(r, 'pytorch', 'PyTorch'),
    ...anchorCells(r, 'scikit-learn', 'scikit-learn'),
  ];
  // Against gpuseg's floor: the anchors' × floor is their ms over the same read floor.
  for (const row of rows.slice(2))
    if (row[2] !== '–' && g.floorMs) row[3] = fmt(Number(row[2]) / g.floorMs, 1);
  return {
    result: { ...r, floorGbps: g.floorGbps, floorMs: g.floorMs },
    markdown: [
      `${shape(g.rows, g.dims, g.k)}, ${ITERATIONS} iterations, the same data for every row; ` +
        `fp32 matrix product (PyTorch): ${r.fp32Tflops ? `${fmt(r.fp32Tflops, 1)} TFLOP/s` : 'not measured'}.`,
      '',
      table(['what', 'device / rate', 'ms/iter', '× floor'], rows),
      ...[...new Set(r.notes)].map((note) => `\nnote: ${note}`),
    ].join('\n'),
  };
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
      computeMs,
      fp32Tflops: tflops,
      targetMs,
      meetsTarget: g.msPerIteration <= targetMs,
    };
    return {
      result,
      markdown: table(
        [
          'shape',
          'ms/iter',
          'read floor ms',
          '× floor',
          `compute ms (${fmt(tflops, 1)} TFLOP/s${peak ? '' : ', datasheet'})`,
          'target ms',
          'meets',
        ],
        [
          [
            shape(rows, dims, k),
            fmt(g.msPerIteration),
            fmt(g.floorMs, 3),
            fmt(g.ratioToFloor, 1),
            fmt(computeMs, 3),
            fmt(targetMs, 3),
            result.meetsTarget ? 'yes' : 'no',
          ],
        ],
      ),
    };
  };
}

export function emStage(covariance: 'diag' | 'full'): Stage['run'] {
  return async () => {
    const r = await bench({ algorithm: 'gmm', covariance, ...(quick ? { dims: 4, k: 3 } : {}) });
    const g = gpuRow(r);
    const target = covariance === 'diag' ? 3 : null;
    return {
      result: { ...g, covariance, targetRatio: target },
      markdown: table(
        [
          'shape',
          'covariance',
          'ms/iter (E-step pass + host M-step)',
          'read floor ms',
          '× floor',
          'target',
        ],
        [
          [
            shape(g.rows, g.dims, g.k),
            covariance,
            fmt(g.msPerIteration),
            fmt(g.floorMs, 3),
            fmt(g.ratioToFloor, 1),
            target ? `≤ ${target}× floor` : '–',
          ],
        ],
      ),
    };
  };
}

/** The node binary running this (the bundle's on the GPU machine). */
function node(script: string, scriptArgs: string[], timeoutMs?: number) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [join(packageRoot(), script), ...scriptArgs], {
    encoding: 'utf8',
    maxBuffer: 16 << 20,
    timeout: timeoutMs,
  });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0)
    throw new Error(
      `${script} ${scriptArgs.join(' ')}: ${(r.stderr || r.error?.message || 'failed').trim().split('\n').pop()}`,
    );
  return { stdout: r.stdout, seconds };
}

export function variantsStage(rows: number, dims: number, k: number): Stage['run'] {
  return async () => {
    const { stdout } = node('dist/bench/lloyd-variants.js', [
      '--rows',
      String(rows),
      '--dims',
      String(dims),
      '--k',
      String(k),
      '--iterations',
      String(ITERATIONS),
      '--json',
    ]);
    const r = JSON.parse(stdout.trim().split('\n').pop()!) as {
      device: string;
      variants: { name: string; msPerIteration: number; gbPerSecond: number }[];
    };
    return {
      result: r,
      markdown: [
        `${shape(rows, dims, k)} on ${r.device}`,
        '',
        table(
          ['variant', 'ms/iter', 'GB/s of X'],
          r.variants.map((v) => [v.name, fmt(v.msPerIteration), fmt(v.gbPerSecond, 1)]),
        ),
      ].join('\n'),
    };
  };
}

export async function seedingStage(): Promise<StageOutput> {
  const rows = n(10 * M, 4096);
  const dims = n(16, 8);
  const k = n(8, 4);
  const rng = new Rng(7);
  const matrix = allocateMatrix(
    rows,
    Array.from({ length: dims }, (_, j) => `f${j}`),
  );
  for (let i = 0; i < matrix.data.length; i++) matrix.data[i] = rng.nextDouble() * 10;
  const backend = await GpuBackend.create({ allowFallback: true });
  try {
    const handle = await backend.attach(matrix);
    const times: number[] = [];
    for (let run = 0; run < 2; run++) {
      const started = performance.now();
      await kmeansParallel(backend, handle, k, new Rng(run + 1));
      times.push(performance.now() - started);
    }
    const result = {
      rows,
      dims,
      k,
      device: backend.deviceName,
      firstMs: times[0],
      warmMs: times[1],
    };
    return {
      result,
      markdown: table(
        ['shape', 'device', 'k-means‖ ms (first, with shader compiles)', 'k-means‖ ms (warm)'],
        [[shape(rows, dims, k), backend.deviceName, fmt(times[0], 1), fmt(times[1], 1)]],
      ),
    };
  } finally {
    await backend.dispose();
    await closeSharedGpu();
  }
}

/** Generates a features file and fits it with the CLI; wall time split into generate / fit / host. */
export function fitStage(outOfCore: boolean): Stage['run'] {
  return async () => {
    const rows = outOfCore ? n(50 * M, 8192) : n(10 * M, 4096);
    const dir = mkdtempSync(join(tmpdir(), 'gpuseg-device-check-'));
    try {
      const input = join(dir, outOfCore ? 'features.arrows' : 'features.arrow');
      const gen = node('dist/bench/gen-features.js', [
        '--rows',
        String(rows),
        '--output',
        input,
        '--batch-rows',
        String(n(M, 2048)),
        '--dims',
        String(n(16, 8)),
      ]);
      const fitArgs = outOfCore
        ? ['--out-of-core', '--max-iter', String(n(10, 3)), '--chunk-rows', String(n(4 * M, 4096))]
        : ['--max-iter', String(n(100, 5)), '--output', join(dir, 'segments.arrow')];
      const fit = node('dist/src/cli/bin.js', [
        'fit',
        input,
        '--k',
        '8',
        '--backend',
        'gpu',
        '--json',
        ...fitArgs,
      ]);
      const summary = JSON.parse(fit.stdout) as {
        seconds: number;
        iterations: number;
        device: string;
        out_of_core?: { passes: number };
      };
      const hostSeconds = fit.seconds - summary.seconds;
      const result = {
        rows,
        dims: n(16, 8),
        k: 8,
        generateSeconds: gen.seconds,
        wallSeconds: fit.seconds,
        fitSeconds: summary.seconds,
        hostSeconds,
        iterations: summary.iterations,
        passes: summary.out_of_core?.passes,
        device: summary.device,
      };
      const perPass = summary.out_of_core
        ? (summary.seconds * 1000) / summary.out_of_core.passes
        : null;
      return {
        result,
        markdown: table(
          [
            `rows × ${n(16, 8)}`,
            'device',
            'generate s',
            'gpuseg fit wall s',
            outOfCore
              ? 'fit s (passes over the file)'
              : 'fit s (seeding + iterations, data in memory)',
            'process start + read + prepare + write s',
            'iterations',
            ...(outOfCore ? ['passes', 'ms/pass'] : []),
          ],
          [
            [
              String(rows),
              summary.device,
              fmt(gen.seconds, 1),
              fmt(fit.seconds, 2),
              fmt(summary.seconds, 2),
              fmt(hostSeconds, 2),
              String(summary.iterations),
              ...(outOfCore ? [String(summary.out_of_core?.passes), fmt(perPass, 0)] : []),
            ],
          ],
        ),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
      ...[...new Set(r.notes)].map((note) => `\nnote: ${note}`),
    ].join('\n'),
  };
}
