import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend } from '../backend/backend.js';
import { CpuBackend } from '../backend/cpu/cpu-backend.js';
import { GpuBackend } from '../backend/gpu/gpu-backend.js';
import type { CovarianceType } from '../algo/gmm-math.js';
import type { DataMatrix } from '../data/matrix.js';
import { UsageError } from '../errors.js';
import { packageRoot } from '../util/package-root.js';
import { argumentError, checkFunctionArgument, checkObjectArgument } from '../util/arguments.js';
import { benchBlobs } from './bench-data.js';
import { timeIterations } from './bench-timing.js';

/**
 * The benchmark harness behind `gpuseg bench`: synthetic blobs of any N × D with K centres,
 * generated in memory from a seed (bench-data.ts); on each backend, one Lloyd iteration = the
 * assign + accumulate pass and the centre update, timed over `iterations` after a warm-up
 * (bench-timing.ts). Each figure is set against the memory floor — one read of the N·D·4 bytes at
 * the device's read bandwidth (on a GPU: read sweeps of the same resident buffers, many in one
 * submission, so the round trip is not in it) or at a given --peak-gbps — and against the CPU
 * backend and, with --sklearn, scikit-learn's Lloyd on the same data and initial centres. On a GPU
 * the iteration is also split: its kernels alone, and the round trip of a pass.
 */
export interface BenchOptions {
  /** 'kmeans' (a Lloyd iteration) or 'gmm' (an EM iteration: E-step pass + host M-step). */
  algorithm: 'kmeans' | 'gmm';
  covariance: CovarianceType;
  rows: number;
  dims: number;
  k: number;
  iterations: number;
  backends: ('cpu' | 'gpu')[];
  seed: number;
  /** Bandwidth for the floor, GB/s; default: measured (GPU) or none (CPU). */
  peakGbps?: number;
  sklearn: boolean;
  /** Also time PyTorch's Lloyd iteration on its CUDA device (bench/torch_lloyd.py; k-means only). */
  torch?: boolean;
  /** Called as each phase ends (generating, a backend's upload, ...), with its seconds. */
  onPhase?: (phase: string, seconds: number) => void;
}

export interface BenchRow {
  backend: string;
  device: string;
  rows: number;
  dims: number;
  k: number;
  iterations: number;
  msPerIteration: number;
  /** Bytes of X read per second, GB/s. */
  gbPerSecond: number;
  /** One read of X at the floor bandwidth, ms; null when no bandwidth is known. */
  floorMs: number | null;
  /** The floor bandwidth: measured without the round trip (GPU), or --peak-gbps. */
  floorGbps: number | null;
  /** GPU: the iteration's kernels alone (the pass repeated in one submission), ms. */
  kernelMs: number | null;
  /** GPU: the round trip a pass pays besides its kernels (submit, error scopes, readback), ms. */
  roundTripMs: number | null;
  /** The host's own work per iteration (centre update; EM: M-step and kernel parameters), ms. */
  hostMs: number | null;
  /** ms per iteration / floor ms. */
  ratioToFloor: number | null;
  /** CPU backend ms / this ms. */
  speedupVsCpu: number | null;
  /** Attaching the data (upload to the GPU), ms. */
  attachMs: number;
  /** The whole fit of iterations + 1 steps (the warm-up one included; scikit-learn: its fit's seconds), s. */
  fitSeconds: number | null;
}

export interface BenchResult {
  algorithm: string;
  rows: BenchRow[];
  host: string;
  /** Peak resident memory of this process, MiB. */
  peakRssMb: number;
  /** The float32 matrix-product rate PyTorch measured on its device, TFLOP/s (with torch). */
  fp32Tflops?: number;
  /** PyTorch's read bandwidth of the same X (a sum over it), GB/s (with torch). */
  torchReadGbps?: number;
  /** Seconds of each phase, in order (generate, then each backend's upload, iterations, ...). */
  phases: Record<string, number>;
  notes: string[];
}

/** '10M', '1e6', '250k' → numbers. */
export function parseCount(value: string, flag: string): number {
  // The CLI passes text; anything else is an argument of the wrong type.
  const m =
    typeof value === 'string' ? /^\s*([\d.]+(?:e\d+)?)\s*([kKmMgG]?)\s*$/.exec(value) : null;
  const scale = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6, g: 1e9, G: 1e9 }[m?.[2] ?? ''] ?? 1;
  const n = m ? Number(m[1]) * scale : Number.NaN;
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(
      `${flag}: expected a positive integer (10M, 1e6 and 250k work), got '${String(value)}'`,
    );
  return n;
}

export async function runBench(
  o: BenchOptions,
  onRow?: (row: BenchRow) => void,
): Promise<BenchResult> {
  checkObjectArgument(o, 'options');
  if (onRow !== undefined) checkFunctionArgument(onRow, 'onRow');
  if (o.onPhase !== undefined) checkFunctionArgument(o.onPhase, 'onPhase');
  const notes: string[] = [];
  const phases: Record<string, number> = {};
  const phase = (name: string, seconds: number): void => {
    phases[name] = seconds;
    o.onPhase?.(name, seconds);
  };
  const generating = performance.now();
  const { matrix, init } = await benchBlobs(o.rows, o.dims, o.k, o.seed);
  phase('generate', (performance.now() - generating) / 1000);
  const bytes = o.rows * o.dims * 4;
  const rows: BenchRow[] = [];
  let cpuMs: number | undefined;
  const row = (
    backend: string,
    device: string,
    ms: number,
    attachMs: number,
    floorGbps: number | null,
    fitSeconds: number | null,
    gpu: { kernelMs: number | null; roundTripMs: number | null; hostMs: number | null } = {
      kernelMs: null,
      roundTripMs: null,
      hostMs: null,
    },
  ): BenchRow => {
    const floor = o.peakGbps ?? floorGbps;
    const floorMs = floor ? (bytes / (floor * 1e9)) * 1000 : null;
    return {
      backend,
      device,
      rows: o.rows,
      dims: o.dims,
      k: o.k,
      iterations: o.iterations,
      msPerIteration: ms,
      gbPerSecond: bytes / (ms / 1000) / 1e9,
      floorMs,
      floorGbps: floor,
      ...gpu,
      ratioToFloor: floorMs ? ms / floorMs : null,
      speedupVsCpu: cpuMs ? cpuMs / ms : null,
      attachMs,
      fitSeconds,
    };
  };
  for (const kind of o.backends) {
    let backend: Backend;
    try {
      backend =
        kind === 'cpu' ? new CpuBackend() : await GpuBackend.create({ allowFallback: true });
    } catch (error) {
      notes.push(`${kind}: ${(error as Error).message.split(';')[0]}`);
      continue;
    }
    try {
      const t = await timeIterations(backend, matrix, init, {
        ...o,
        onPhase: (name, seconds) => phase(`${kind} ${name}`, seconds),
      });
      if (kind === 'cpu') cpuMs = t.ms;
      const r = row(
        kind,
        backend.deviceName,
        t.ms,
        t.attachMs,
        t.floor ? t.floor.bytesPerSecond / 1e9 : null,
        t.fitSeconds,
        {
          kernelMs: t.kernel?.msPerRepetition ?? null,
          roundTripMs: t.roundTripMs ?? null,
          hostMs: t.hostMs,
        },
      );
      rows.push(r);
      onRow?.(r);
    } finally {
      await backend.dispose();
    }
  }
  if (o.sklearn) {
    // k-means: scikit-learn's Lloyd and its Elkan (which, like the CPU backend's bounded steps, skips work with bounds).
    for (const variant of o.algorithm === 'gmm' ? ['gmm'] : ['lloyd', 'elkan']) {
      const started = performance.now();
      const r = sklearnRow(matrix, init, o, notes, variant);
      phase(`scikit-learn ${variant}`, (performance.now() - started) / 1000);
      if (!r) continue;
      const br = row(
        'scikit-learn',
        `${o.algorithm === 'gmm' ? `GaussianMixture ${o.covariance}` : variant}, ${availableParallelism()} threads`,
        r.ms,
        0,
        null,
        r.seconds,
      );
      rows.push(br);
      onRow?.(br);
    }
  }
  let fp32Tflops: number | undefined;
  let torchReadGbps: number | undefined;
  if (o.torch && o.algorithm === 'kmeans') {
    const started = performance.now();
    const r = pythonScript(matrix, init, notes, 'PyTorch', (dir) => [
      join(packageRoot(), 'bench', 'torch_lloyd.py'),
      join(dir, 'x.f32'),
      String(o.rows),
      String(o.dims),
      String(o.k),
      String(o.iterations),
      join(dir, 'init.f32'),
    ]);
    phase('pytorch', (performance.now() - started) / 1000);
    if (r) {
      const br = row(
        'pytorch',
        `${String(r.device)}, torch ${String(r.torch)}`,
        Number(r.ms_per_iteration),
        0,
        null,
        null,
      );
      rows.push(br);
      onRow?.(br);
      fp32Tflops = Number(r.fp32_tflops);
      if (typeof r.read_gbps === 'number') torchReadGbps = r.read_gbps;
    }
  }
  return {
    algorithm: o.algorithm === 'gmm' ? `gmm (${o.covariance})` : 'kmeans (Lloyd)',
    rows,
    host: `${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}`,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    ...(fp32Tflops === undefined ? {} : { fp32Tflops }),
    ...(torchReadGbps === undefined ? {} : { torchReadGbps }),
    phases,
    notes,
  };
}

function sklearnRow(
  matrix: DataMatrix,
  init: Float32Array,
  o: BenchOptions,
  notes: string[],
  variant: string,
): { ms: number; seconds: number | null } | undefined {
  const r = pythonScript(matrix, init, notes, 'scikit-learn', (dir) =>
    o.algorithm === 'gmm'
      ? [
          join(packageRoot(), 'bench', 'sklearn_gmm.py'),
          join(dir, 'x.f32'),
          String(o.rows),
          String(o.dims),
          String(o.k),
          String(o.iterations),
          o.covariance,
          join(dir, 'init.f32'),
        ]
      : [
          join(packageRoot(), 'bench', 'sklearn_lloyd.py'),
          join(dir, 'x.f32'),
          String(o.rows),
          String(o.dims),
          String(o.k),
          String(o.iterations),
          join(dir, 'init.f32'),
          variant,
        ],
  );
  return r
    ? {
        ms: Number(r.ms_per_iteration),
        seconds: r.seconds === undefined ? null : Number(r.seconds),
      }
    : undefined;
}

/**
 * Runs a Python anchor (its arguments from `args`, given the folder where the data (x.f32,
 * column-major) and the initial centres (init.f32) are written) and parses its one JSON line;
 * undefined, with a note, when Python or the script fails. Python is GPUSEG_PYTHON, else
 * /usr/bin/python3.
 */
function pythonScript(
  matrix: DataMatrix,
  init: Float32Array,
  notes: string[],
  what: string,
  args: (dir: string) => string[],
): Record<string, unknown> | undefined {
  const python = process.env.GPUSEG_PYTHON ?? '/usr/bin/python3';
  if (!existsSync(python)) {
    notes.push(
      `${what}: ${python} not found (set GPUSEG_PYTHON, or apt-get install python3-sklearn)`,
    );
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'gpuseg-bench-'));
  try {
    writeFileSync(
      join(dir, 'x.f32'),
      new Uint8Array(matrix.data.buffer, matrix.data.byteOffset, matrix.data.byteLength),
    );
    writeFileSync(join(dir, 'init.f32'), new Uint8Array(init.buffer));
    const r = spawnSync(python, args(dir), { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) {
      notes.push(`${what}: ${(r.stderr || r.error?.message || 'failed').trim().split('\n').pop()}`);
      return undefined;
    }
    return JSON.parse(r.stdout) as Record<string, unknown>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function benchTable(result: BenchResult): string {
  if (typeof result !== 'object' || result === null || !Array.isArray(result.rows))
    throw argumentError('result', "runBench's result", result);
  const head = [
    'backend',
    'device',
    'N×D',
    'K',
    'ms/iter',
    'GB/s',
    'floor ms',
    '× floor',
    'kernel ms',
    'rtt ms',
    'host ms',
    'vs cpu',
    'fit s',
  ];
  const fmt = (v: number | null, digits = 2) => (v === null ? '–' : v.toFixed(digits));
  const lines = result.rows.map((r) => [
    r.backend,
    r.device.length > 40 ? r.device.slice(0, 39) + '…' : r.device,
    `${r.rows}×${r.dims}`,
    String(r.k),
    fmt(r.msPerIteration),
    fmt(r.gbPerSecond, 1),
    fmt(r.floorMs, 3),
    fmt(r.ratioToFloor, 1),
    fmt(r.kernelMs),
    fmt(r.roundTripMs),
    fmt(r.hostMs, 3),
    r.speedupVsCpu === null ? '–' : `${r.speedupVsCpu.toFixed(1)}×`,
    fmt(r.fitSeconds),
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c].length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [
    `${result.algorithm} on ${result.host}; peak RSS ${result.peakRssMb} MiB`,
    line(head),
    ...lines.map(line),
    ...result.notes.map((n) => `note: ${n}`),
  ].join('\n');
}
