/**
 * What the synthetic-customer benches share (track-overhead.ts, report-time.ts): their flags, the
 * fit they make of `gpuseg generate`'s customers, a temporary folder removed at the end, the CPU
 * workers and the GPU released, and the result printed as a line or as JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  closeSharedGpu,
  shutdownCpuWorkers,
  type BackendChoice,
  type FitOptions,
} from '../src/index.js';
import { benchCount, benchFlags, usageExit } from './bench-flags.js';

export interface BenchArgs {
  rows: number;
  k: number;
  backend: BackendChoice;
  json: boolean;
  /** The bench's own on/off flags, by name. */
  switches: Record<string, boolean>;
  /** The bench's own flags with a value, by name (undefined when not given). */
  strings: Record<string, string | undefined>;
}

/**
 * --rows (default 10M), --k (7), --backend (cpu), --json, and the bench's own `switches` and
 * `strings` (flag name → its line of help); `--help` lists them, a bad flag is a usage exit.
 */
export function benchArgs(
  script: string,
  summary: string,
  switches: Record<string, string> = {},
  strings: Record<string, string> = {},
): BenchArgs {
  const own = Object.keys(switches);
  const ownStrings = Object.keys(strings);
  const values = benchFlags(
    script,
    summary,
    {
      rows: { type: 'string', default: '10M' },
      k: { type: 'string', default: '7' },
      backend: { type: 'string', default: 'cpu' },
      json: { type: 'boolean', default: false },
      ...Object.fromEntries(own.map((s) => [s, { type: 'boolean' as const, default: false }])),
      ...Object.fromEntries(ownStrings.map((s) => [s, { type: 'string' as const }])),
    },
    {
      rows: 'synthetic customers (gpuseg generate)',
      k: 'segments',
      backend: 'cpu, gpu or auto',
      json: 'print the result as JSON',
      ...switches,
      ...strings,
    },
  ) as Record<string, string | boolean | undefined>;
  if (!['cpu', 'gpu', 'auto'].includes(values.backend as string))
    usageExit(script, `--backend: expected cpu, gpu or auto, got '${String(values.backend)}'`);
  return {
    rows: benchCount(script, values.rows as string, '--rows'),
    k: benchCount(script, values.k as string, '--k'),
    backend: values.backend as BackendChoice,
    json: values.json === true,
    switches: Object.fromEntries(own.map((s) => [s, values[s] === true])),
    strings: Object.fromEntries(
      ownStrings.map((s) => [s, typeof values[s] === 'string' ? (values[s] as string) : undefined]),
    ),
  };
}

/** The fit both benches make: k-means on the RFM columns (log of F and M), three profile columns. */
export function customerFitOptions(args: BenchArgs): FitOptions {
  return {
    k: args.k,
    seed: 0,
    backend: args.backend,
    features: ['recency_days', 'frequency', 'monetary'],
    log: ['frequency', 'monetary'],
    profile: ['avg_order_value', 'tenure_days', 'return_rate'],
  };
}

/** Runs `body` in a fresh temporary folder; removes it and releases workers and GPU, whatever happens. */
export function runBench(name: string, body: (dir: string) => Promise<void>): void {
  const dir = mkdtempSync(join(tmpdir(), `gpuseg-${name}-`));
  body(dir)
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    })
    .finally(async () => {
      rmSync(dir, { recursive: true, force: true });
      await shutdownCpuWorkers();
      await closeSharedGpu();
    });
}

/** The result as one JSON line (--json) or as the given sentence. */
export function printResult(args: BenchArgs, result: object, line: string): void {
  console.log(args.json ? JSON.stringify(result) : line);
}
