/**
 * The device check's stages that run other programs or time a call themselves: the Lloyd kernel
 * variants (bench/lloyd-variants.ts), k-means‖ seeding, and the end-to-end and out-of-core fits
 * (bench/gen-features.ts, then the CLI). bench/device-check.ts lists them with their limits.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kmeansParallel } from '../src/algo/kmeans-init.js';
import { GpuBackend } from '../src/backend/gpu/gpu-backend.js';
import { closeSharedGpu } from '../src/backend/gpu/gpu-context.js';
import { benchBlobs } from '../src/bench/bench-data.js';
import { packageRoot } from '../src/util/package-root.js';
import { Rng } from '../src/util/rng.js';
import {
  fmt,
  ITERATIONS,
  M,
  n,
  phaseClock,
  phasesLine,
  progress,
  shape,
  table,
  type Stage,
  type StageOutput,
} from './device-check-common.js';

/**
 * Runs a script of the package with the node binary running this (the bundle's on the GPU
 * machine). Its stderr goes to this stage's (the stage's log, where its progress lines land).
 */
function node(script: string, scriptArgs: string[]) {
  progress(`${script} ${scriptArgs.join(' ')}`);
  const started = performance.now();
  const r = spawnSync(process.execPath, [join(packageRoot(), script), ...scriptArgs], {
    encoding: 'utf8',
    maxBuffer: 16 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0)
    throw new Error(
      `${script} ${scriptArgs.join(' ')}: ${r.error?.message ?? `exit ${r.status ?? r.signal}`} (its stderr is above)`,
    );
  progress(`${script}: ${seconds.toFixed(2)} s`);
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
      variants: {
        name: string;
        msPerIteration: number;
        kernelMs: number;
        kernelGbPerSecond: number;
      }[];
      phases: Record<string, number>;
    };
    return {
      result: r,
      markdown: [
        `${shape(rows, dims, k)} on ${r.device}; kernels: the step's dispatches alone (no round trip)`,
        '',
        table(
          ['variant', 'ms/iter', 'kernels ms', 'GB/s of X (kernels)'],
          r.variants.map((v) => [
            v.name,
            fmt(v.msPerIteration),
            fmt(v.kernelMs, 3),
            fmt(v.kernelGbPerSecond, 1),
          ]),
        ),
        '',
        phasesLine(r.phases),
      ].join('\n'),
    };
  };
}

export async function seedingStage(): Promise<StageOutput> {
  const rows = n(10 * M, 4096);
  const dims = n(16, 8);
  const k = n(8, 4);
  const { phases, phase } = phaseClock();
  const { matrix } = await benchBlobs(rows, dims, k, 7);
  phase('generate');
  const backend = await GpuBackend.create({ allowFallback: true });
  try {
    const handle = await backend.attach(matrix);
    phase('open + upload');
    const times: number[] = [];
    for (let run = 0; run < 2; run++) {
      const started = performance.now();
      await kmeansParallel(backend, handle, k, new Rng(run + 1));
      times.push(performance.now() - started);
      phase(run === 0 ? 'k-means‖ (first)' : 'k-means‖ (warm)');
    }
    const result = {
      rows,
      dims,
      k,
      device: backend.deviceName,
      firstMs: times[0],
      warmMs: times[1],
      phases,
    };
    return {
      result,
      markdown: [
        table(
          ['shape', 'device', 'k-means‖ ms (first, with shader compiles)', 'k-means‖ ms (warm)'],
          [[shape(rows, dims, k), backend.deviceName, fmt(times[0], 1), fmt(times[1], 1)]],
        ),
        '',
        phasesLine(phases),
      ].join('\n'),
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
        phases: { generate: gen.seconds, 'gpuseg fit (wall)': fit.seconds },
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
