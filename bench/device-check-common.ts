/**
 * What the device check's stages share (bench/device-check.ts): the sizes (full on the GPU
 * machine, small with --quick), the stage type, Markdown helpers, and the two result files.
 */
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const quick = process.argv.includes('--quick');
export const M = 1_000_000;
/** A size: the full one on the GPU machine, a small one with --quick. */
export const n = (full: number, small: number): number => (quick ? small : full);
export const ITERATIONS = n(10, 1);
/** Each --quick stage's limit: small sizes, but shader compiles on a (loaded) software GPU. */
export const QUICK_LIMIT_S = 90;

export interface StageOutput {
  /** What was measured, for the JSON. */
  result: Record<string, unknown>;
  /** The Markdown body of the stage's section. */
  markdown: string;
}

export interface Stage {
  name: string;
  title: string;
  /** Seconds it may take on the H200 (full sizes); QUICK_LIMIT_S with --quick. */
  limit: number;
  run: (outDir: string) => Promise<StageOutput>;
}

export const fmt = (v: number | null | undefined, digits = 2): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);

export function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * One line of progress on stderr (the stage's log, OUT_DIR/NAME.log): seconds since the stage's
 * process started, then `message`. A stage cut short by its limit leaves where it was.
 */
export function progress(message: string): void {
  process.stderr.write(`[${(performance.now() / 1000).toFixed(1)} s] ${message}\n`);
}

/** A bench phase's end, as a progress line (runBench's onPhase). */
export const phaseProgress = (phase: string, seconds: number): void =>
  progress(`${phase}: ${seconds.toFixed(2)} s`);

/**
 * A stage's phases as they end: phase(name) records the seconds since the previous one (or since
 * the clock was made) under `name` and logs them (phaseProgress).
 */
export function phaseClock(): { phases: Record<string, number>; phase: (name: string) => void } {
  const phases: Record<string, number> = {};
  let mark = performance.now();
  return {
    phases,
    phase(name) {
      const now = performance.now();
      phases[name] = (now - mark) / 1000;
      mark = now;
      phaseProgress(name, phases[name]);
    },
  };
}

/** The phases of a stage (name → seconds), as one Markdown line. */
export const phasesLine = (phases: Record<string, number>): string =>
  `phases (s): ${Object.entries(phases)
    .map(([name, seconds]) => `${name} ${seconds.toFixed(2)}`)
    .join(' · ')}`;

export const shape = (rows: number, dims: number, k: number) =>
  `${rows >= M ? `${rows / M}M` : rows}×${dims} K=${k}`;

export interface Results {
  started: string;
  commit: string;
  quick: boolean;
  stages: Record<string, unknown>[];
}

export function readResults(outDir: string): Results {
  const path = join(outDir, 'device-results.json');
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as Results;
  return {
    started: new Date().toISOString(),
    commit: process.env.GPUSEG_COMMIT ?? 'unknown',
    quick,
    stages: [],
  };
}

/** Appends one stage to both files (the JSON rewritten whole through a rename, so it stays valid). */
export function record(
  outDir: string,
  stage: Pick<Stage, 'name' | 'title'>,
  entry: { status: string; seconds: number; limit: number; reason?: string; output?: StageOutput },
): void {
  const results = readResults(outDir);
  const mdPath = join(outDir, 'device-results.md');
  if (!existsSync(mdPath))
    writeFileSync(
      mdPath,
      `# gpuseg device check${results.quick ? ' (--quick)' : ''}\n\n` +
        `Started ${results.started}, commit ${results.commit}.\n`,
    );
  results.stages.push({
    name: stage.name,
    title: stage.title,
    status: entry.status,
    seconds: Math.round(entry.seconds * 10) / 10,
    limit: entry.limit,
    ...(entry.reason ? { reason: entry.reason } : {}),
    ...(entry.output ? { result: entry.output.result } : {}),
  });
  const path = join(outDir, 'device-results.json');
  writeFileSync(`${path}.tmp`, JSON.stringify(results, null, 2) + '\n');
  renameSync(`${path}.tmp`, path);
  const head = `\n## ${stage.title} — ${entry.status} (${entry.seconds.toFixed(1)} s of ${entry.limit} s)\n\n`;
  appendFileSync(mdPath, head + (entry.output?.markdown ?? entry.reason ?? '') + '\n');
}
