/**
 * Every gpuseg algorithm on the CPU backend against its scikit-learn counterpart, side by side
 * (issue 18): for each --rows size, one dataset of blobs with a little noise (algorithm-data.ts)
 * is written once and read by both sides; each case (algorithm-cases.ts) runs gpuseg's fit in a
 * process of its own (algorithm-case.ts) and scikit-learn's (sklearn_algorithms.py), each timing
 * its fit only and stopped at --timeout; the labels are compared by the adjusted Rand index.
 * Prints a Markdown table — algorithm | rows | gpuseg s | scikit-learn s | ratio | agreement |
 * note — where a side that cannot run a case says why (refused, skipped, timed out), then the
 * parameter mappings.
 *
 *   npm run build && node dist/bench/algorithms-vs-sklearn.js --rows 100k,1M [--dims 8] [--k 8]
 *     [--timeout 300] [--repeat 1] [--only kmeans,dbscan] [--no-sklearn] [--python /usr/bin/python3]
 *
 * ratio = gpuseg s / scikit-learn s (below 1: gpuseg is faster). Timings under load mean little
 * alone: the ratio is what compares; the load average is printed with the table.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kDistanceKnee } from '../src/algo/kdistance.js';
import { sortRows } from '../src/algo/sorted-rows.js';
import { adjustedRandIndex } from '../src/eval/agreement.js';
import { benchCount, benchFlags, usageExit } from './bench-flags.js';
import { CASES, type AlgorithmCase, type BenchSettings } from './algorithm-cases.js';
import type { CaseOutcome, CaseRequest } from './algorithm-case.js';
import { blobMatrix, writeMatrix } from './algorithm-data.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (this file runs as dist/bench/algorithms-vs-sklearn.js). */
const root = join(here, '..', '..');

const values = benchFlags(
  'algorithms-vs-sklearn',
  'Every gpuseg algorithm on the CPU backend against scikit-learn, side by side (Markdown table).',
  {
    rows: { type: 'string', default: '100k,1M' },
    dims: { type: 'string', default: '8' },
    k: { type: 'string', default: '8' },
    noise: { type: 'string', default: '0.002' },
    seed: { type: 'string', default: '0' },
    eps: { type: 'string' },
    'min-samples': { type: 'string', default: '10' },
    'birch-threshold': { type: 'string', default: '2.5' },
    'sklearn-ward-max-rows': { type: 'string', default: '50000' },
    timeout: { type: 'string', default: '300' },
    repeat: { type: 'string', default: '1' },
    only: { type: 'string' },
    python: { type: 'string', default: '/usr/bin/python3' },
    'no-sklearn': { type: 'boolean', default: false },
  },
  {
    rows: 'dataset sizes, comma-separated',
    dims: 'features',
    k: 'clusters (centres of the blobs)',
    noise: 'share of uniform noise rows',
    seed: 'data seed',
    eps: 'DBSCAN radius (default: from the k-distance knee)',
    'min-samples': 'DBSCAN min_samples',
    'birch-threshold': 'BIRCH threshold',
    'sklearn-ward-max-rows':
      "largest size scikit-learn's exact Ward is run at (its memory is quadratic)",
    timeout: 'seconds per side and case',
    repeat: 'runs per case (the fastest is shown)',
    only: 'cases to run, comma-separated',
    python: 'the Python with scikit-learn',
    'no-sklearn': "gpuseg's side only",
  },
);

const script = 'algorithms-vs-sklearn';
const sizes = values.rows.split(',').map((r) => benchCount(script, r, '--rows'));
const dims = benchCount(script, values.dims, '--dims');
const k = benchCount(script, values.k, '--k');
const repeat = benchCount(script, values.repeat, '--repeat');
const timeoutMs = Number(values.timeout) * 1000;
if (!(timeoutMs > 0)) usageExit(script, `--timeout: expected seconds > 0, got '${values.timeout}'`);
const only = values.only?.split(',');
const unknown = only?.filter((name) => !CASES.some((c) => c.name === name)) ?? [];
if (unknown.length > 0)
  usageExit(
    script,
    `--only: no case ${unknown.join(', ')} (cases: ${CASES.map((c) => c.name).join(', ')})`,
  );
const cases = CASES.filter((c) => !only || only.includes(c.name));

/** One side's result of a case: seconds and a note, or why there are none. */
type Side = { seconds: number; note: string; labels: Int32Array } | { why: string };

/** scikit-learn's version, or why its column is skipped. */
function sklearnAvailable(): { version: string } | { why: string } {
  if (values['no-sklearn']) return { why: 'scikit-learn not run (--no-sklearn)' };
  const r = spawnSync(values.python, ['-c', 'import sklearn; print(sklearn.__version__)'], {
    encoding: 'utf8',
  });
  if (r.error) return { why: `no Python at ${values.python} (${r.error.message})` };
  if (r.status !== 0)
    return { why: `${values.python} has no scikit-learn (${lastLine(r.stderr)})` };
  return { version: r.stdout.trim() };
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((l) => l.trim())
      .pop() ?? 'no output'
  );
}

/** Runs one side of a case in its own process, stopped at the timeout. */
function runSide(command: string, script: string, request: CaseRequest): Side {
  rmSync(request.labels, { force: true });
  const r = spawnSync(command, [script, JSON.stringify(request)], {
    cwd: root,
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 64 << 20,
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT')
    return { why: `timed out: over the ${values.timeout} s timeout` };
  if (r.error) return { why: `failed: ${r.error.message}` };
  if (r.status !== 0) return { why: `failed: ${lastLine(r.stderr)}` };
  const outcome = JSON.parse(lastLine(r.stdout)) as CaseOutcome;
  if ('refused' in outcome) return { why: `refused: ${outcome.refused}` };
  const bytes = readFileSync(request.labels);
  const labels = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return { seconds: outcome.seconds, note: outcome.note, labels };
}

/** A table cell: no pipe or newline can break the row. */
const cell = (text: string): string => text.replace(/\|/g, '/').replace(/\s+/g, ' ').trim();

function row(c: AlgorithmCase, rows: number, ours: Side, theirs: Side): string {
  const seconds = (s: Side): string => ('why' in s ? s.why : s.seconds.toFixed(3));
  const both = !('why' in ours) && !('why' in theirs) ? { ours, theirs } : undefined;
  const ratio = both ? (both.ours.seconds / both.theirs.seconds).toFixed(2) : '–';
  const agreement = both ? adjustedRandIndex(both.ours.labels, both.theirs.labels).toFixed(3) : '–';
  const notes = [
    'why' in ours ? '' : `gpuseg: ${ours.note}`,
    'why' in theirs || !theirs.note ? '' : `scikit-learn: ${theirs.note}`,
  ].filter(Boolean);
  const cells = [
    c.name,
    rows.toLocaleString('en-US'),
    seconds(ours),
    seconds(theirs),
    ratio,
    agreement,
    notes.join('; '),
  ];
  return `| ${cells.map(cell).join(' | ')} |`;
}

const sklearn = sklearnAvailable();
const caseScript = join(here, 'algorithm-case.js');
const pythonScript = join(root, 'bench', 'sklearn_algorithms.py');
if (!existsSync(caseScript)) throw new Error(`${caseScript} is missing: npm run build first`);
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

console.log(
  `gpuseg (CPU backend, ${availableParallelism()} threads, ${cpus()[0]?.model ?? 'unknown CPU'}) against ${'why' in sklearn ? `scikit-learn: ${sklearn.why}` : `scikit-learn ${sklearn.version}`}; ` +
    `blobs: ${k} Gaussian blobs (σ 1, centres in [−10, 10]^${dims}) with ${Number(values.noise) * 100}% uniform noise, ${dims} dims, k ${k}, seed ${values.seed}; ` +
    `fit only (after 3 untimed warm-up fits on 2,000 rows), ${repeat === 1 ? 'one run' : `the fastest of ${repeat} runs`} per side, timeout ${values.timeout} s per side; load average at start ${load()}`,
);
console.log('');
console.log('| algorithm | rows | gpuseg s | scikit-learn s | ratio | agreement | note |');
console.log('|---|---:|---:|---:|---:|---:|---|');

const dir = mkdtempSync(join(tmpdir(), 'gpuseg-algorithms-bench-'));
const epsUsed: string[] = [];
try {
  for (const rows of sizes) {
    const m = blobMatrix({
      rows,
      dims,
      blobs: k,
      noise: Number(values.noise),
      seed: Number(values.seed),
    });
    const data = join(dir, `blobs-${rows}.f32`);
    writeMatrix(data, m);
    const minSamples = benchCount(script, values['min-samples'], '--min-samples');
    // Untimed: eps is a parameter both sides are given, the knee of gpuseg's --eps auto unless set.
    const eps = values.eps ? Number(values.eps) : kDistanceKnee(sortRows(m), minSamples, 0);
    epsUsed.push(`${rows.toLocaleString('en-US')} rows: ${eps.toPrecision(4)}`);
    const settings: BenchSettings = {
      rows,
      k,
      seed: Number(values.seed),
      eps,
      minSamples,
      birchThreshold: Number(values['birch-threshold']),
      sklearnWardMaxRows: benchCount(
        script,
        values['sklearn-ward-max-rows'],
        '--sklearn-ward-max-rows',
      ),
    };
    for (const c of cases) {
      const request = (side: string): CaseRequest => ({
        name: c.name,
        data,
        rows,
        dims,
        params: c.params(settings),
        labels: join(dir, `labels-${side}.i32`),
        repeat,
      });
      const ours = runSide(process.execPath, caseScript, request('gpuseg'));
      // Where gpuseg refuses there is nothing to set scikit-learn's time against (and at 1M rows
      // its DBSCAN's neighbourhoods alone take gigabytes and minutes): it is not run either.
      const refused =
        'why' in ours && ours.why.startsWith('refused') ? 'gpuseg refused the case' : undefined;
      const skip = 'why' in sklearn ? sklearn.why : (refused ?? c.sklearnSkip?.(settings));
      const theirs: Side = skip
        ? { why: `skipped: ${skip}` }
        : runSide(values.python, pythonScript, request('sklearn'));
      if ('why' in ours && ours.why.startsWith('failed')) process.exitCode = 1;
      console.log(row(c, rows, ours, theirs));
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log('');
console.log(
  `Load average at the end: ${load()}. DBSCAN eps (min_samples ${values['min-samples']}): ${epsUsed.join(', ')}${values.eps ? '' : " (the k-distance knee of gpuseg's --eps auto, found untimed)"}; BIRCH threshold ${values['birch-threshold']}.`,
);
console.log('');
console.log(
  'Parameters, gpuseg ↔ scikit-learn (same k, seed given to both; their generators differ):',
);
for (const c of cases) console.log(`- ${c.name}: ${c.mapping}`);
