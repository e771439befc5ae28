/**
 * What the synthetic-customer benches share (track-overhead.ts, report-time.ts): their flags, the
 * fit they make of `gpuseg generate`'s customers, a temporary folder removed at the end, the CPU
 * workers and the GPU released, and the result printed as a line or as JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  closeSharedGpu,
  parseCount,
  shutdownCpuWorkers,
  type BackendChoice,
  type FitOptions,
} from '../src/index.js';

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

/** --rows (default 10M), --k (7), --backend (cpu), --json, and the bench's own `switches` and `strings`. */
export function benchArgs(switches: string[] = [], strings: string[] = []): BenchArgs {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '10M' },
      k: { type: 'string', default: '7' },
      backend: { type: 'string', default: 'cpu' },
      json: { type: 'boolean', default: false },
      ...Object.fromEntries(switches.map((s) => [s, { type: 'boolean' as const, default: false }])),
      ...Object.fromEntries(strings.map((s) => [s, { type: 'string' as const }])),
    },
  });
  const flags = values as Record<string, string | boolean | undefined>;
  return {
    rows: parseCount(values.rows!, '--rows'),
    k: Number(values.k),
    backend: values.backend as BackendChoice,
    json: values.json === true,
    switches: Object.fromEntries(switches.map((s) => [s, flags[s] === true])),
    strings: Object.fromEntries(
      strings.map((s) => [s, typeof flags[s] === 'string' ? (flags[s] as string) : undefined]),
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
