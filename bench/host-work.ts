/**
 * Host work of a large in-memory fit against the floor, side by side (issue 16, part 1). Each
 * round runs two child processes one after the other on the same Arrow file:
 *   floor: a plain apache-arrow read of the file (readFileSync + tableFromIPC) and a write of an
 *          Arrow file of the fit's output size (row, segment_id: Int32; distance: Float32);
 *   fit:   what `gpuseg fit INPUT --scale none --init random --n-init 1 --max-iter 1 --output
 *          o.arrow` does, through the API: fit, then write the assignments.
 * Host work is the fit child's wall time less its passes (stats.seconds: from the data in memory
 * to the final labels). Both children load apache-arrow before their clock starts. Peak memory beyond the input is the child's peak RSS less its RSS before
 * reading and less the file's size, in units of N·D·4. Medians over the rounds.
 *
 *   npm run build && node dist/bench/gen-features.js --rows 10M --batch-rows 10M --output f.arrow
 *   node dist/bench/host-work.js --input f.arrow [--k 8] [--rounds 3] [--backend auto] [--json]
 *
 * Float32 columns without nulls are the matrix in place: where one record batch put them, or, for
 * a file of many batches, where the read put them (io/shared-read.ts). Other types (gen-features
 * --type float64 or mixed) are converted into the matrix by two threads (data/shared-convert.ts).
 * Timings mean something only on a quiet machine.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchCount, benchFlags, usageExit } from './bench-flags.js';

const values = benchFlags(
  'host-work',
  'Host work of a large in-memory fit against a plain apache-arrow read + write, side by side.',
  {
    input: { type: 'string' },
    k: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    backend: { type: 'string', default: 'auto' },
    json: { type: 'boolean', default: false },
    child: { type: 'string' },
    output: { type: 'string' },
  },
  {
    input: 'the Arrow file to fit (bench/gen-features.js writes one); required',
    k: 'clusters',
    rounds: 'rounds of the two children; medians are printed',
    backend: 'auto, cpu or gpu',
    json: 'print the summary as JSON',
    child: 'internal: floor or fit (one side of a round)',
    output: "internal: the child's output file",
  },
);
const k = benchCount('host-work', values.k, '--k');
const rounds = benchCount('host-work', values.rounds, '--rounds');
if (!['auto', 'cpu', 'gpu'].includes(values.backend))
  usageExit('host-work', `--backend: expected auto, cpu or gpu, got '${values.backend}'`);

/** What one child reports. */
interface ChildReport {
  side: 'floor' | 'fit';
  wallSeconds: number;
  /** fit: stats.seconds; floor: 0. */
  passSeconds: number;
  rows: number;
  dims: number;
  /** fit: the fit's own breakdown (stats.timing) and the output's write, seconds. */
  timing?: Record<string, number>;
  /** Peak RSS less the RSS before reading, less the input file's size, in bytes. */
  beyondInputBytes: number;
}

async function floorChild(input: string, output: string): Promise<ChildReport> {
  const { Float32, Int32, Table, makeVector, tableFromIPC, tableToIPC } =
    await import('apache-arrow');
  const before = process.memoryUsage().rss;
  const started = performance.now();
  const table = tableFromIPC(readFileSync(input));
  const rows = table.numRows;
  const row = new Int32Array(rows);
  for (let i = 0; i < rows; i++) row[i] = i;
  const out = new Table({
    row: makeVector(row),
    segment_id: makeVector({ type: new Int32(), data: new Int32Array(rows) }),
    distance: makeVector({ type: new Float32(), data: new Float32Array(rows) }),
  });
  writeFileSync(output, tableToIPC(out, 'file'));
  const wallSeconds = (performance.now() - started) / 1000;
  return {
    side: 'floor',
    wallSeconds,
    passSeconds: 0,
    rows,
    dims: table.numCols,
    beyondInputBytes: peakRss() - before - statSync(input).size,
  };
}

async function fitChild(input: string, output: string, k: number): Promise<ChildReport> {
  const api = await import('../src/index.js');
  // apache-arrow loaded before the clock starts, as the floor's is: the library's load (146
  // modules) is not host work of either side. gpuseg's own modules load inside the clock.
  await import('apache-arrow');
  const before = process.memoryUsage().rss;
  const started = performance.now();
  const r = await api.fit(input, {
    k,
    scale: 'none',
    init: 'random',
    nInit: 1,
    maxIter: 1,
    backend: values.backend as 'auto',
  });
  const writeStarted = performance.now();
  api.writeTable(output, r.assignments);
  const write = (performance.now() - writeStarted) / 1000;
  const wallSeconds = (performance.now() - started) / 1000;
  const report: ChildReport = {
    side: 'fit',
    wallSeconds,
    passSeconds: r.stats.seconds,
    timing: { ...r.stats.timing, write },
    rows: r.stats.rows,
    dims: r.model.features.length,
    beyondInputBytes: peakRss() - before - statSync(input).size,
  };
  await api.closeSharedGpu();
  await api.shutdownCpuWorkers();
  return report;
}

function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

function runChild(side: 'floor' | 'fit', input: string, output: string): ChildReport {
  const script = fileURLToPath(import.meta.url);
  const args = [script, '--child', side, '--input', input, '--output', output];
  args.push('--k', values.k, '--backend', values.backend);
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: 'pipe' });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildReport;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  if (!values.input) usageExit('host-work', '--input FILE is required');
  if (!existsSync(values.input)) usageExit('host-work', `--input: no file '${values.input}'`);
  if (values.child) {
    const report =
      values.child === 'floor'
        ? await floorChild(values.input, values.output!)
        : await fitChild(values.input, values.output!, k);
    console.log(JSON.stringify(report));
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'gpuseg-host-work-'));
  try {
    const floor: ChildReport[] = [];
    const fits: ChildReport[] = [];
    for (let round = 0; round < rounds; round++) {
      floor.push(runChild('floor', values.input, join(dir, 'floor.arrow')));
      fits.push(runChild('fit', values.input, join(dir, 'fit.arrow')));
      const f = floor[round];
      const g = fits[round];
      if (!values.json)
        console.log(
          `round ${round + 1}: floor ${f.wallSeconds.toFixed(3)} s | fit wall ${g.wallSeconds.toFixed(3)} s, passes ${g.passSeconds.toFixed(3)} s, host ${(g.wallSeconds - g.passSeconds).toFixed(3)} s ${JSON.stringify(g.timing, (_k, v: unknown) => (typeof v === 'number' ? Number(v.toFixed(3)) : v))}`,
        );
    }
    const matrixBytes = fits[0].rows * fits[0].dims * 4;
    const summary = {
      input: values.input,
      rows: fits[0].rows,
      dims: fits[0].dims,
      rounds,
      floorSeconds: median(floor.map((r) => r.wallSeconds)),
      fitWallSeconds: median(fits.map((r) => r.wallSeconds)),
      passSeconds: median(fits.map((r) => r.passSeconds)),
      hostSeconds: median(fits.map((r) => r.wallSeconds - r.passSeconds)),
      hostOverFloor: median(
        fits.map((r, i) => (r.wallSeconds - r.passSeconds) / floor[i].wallSeconds),
      ),
      floorBeyondInput: median(floor.map((r) => r.beyondInputBytes)) / matrixBytes,
      fitBeyondInput: median(fits.map((r) => r.beyondInputBytes)) / matrixBytes,
    };
    if (values.json) console.log(JSON.stringify(summary));
    else
      console.log(
        [
          `medians over ${rounds} rounds, ${summary.rows} × ${summary.dims}:`,
          `  floor (apache-arrow read + write)  ${summary.floorSeconds.toFixed(3)} s`,
          `  fit host work (wall − passes)      ${summary.hostSeconds.toFixed(3)} s  (${summary.hostOverFloor.toFixed(2)} × floor; passes ${summary.passSeconds.toFixed(3)} s)`,
          `  peak memory beyond the input       floor ${summary.floorBeyondInput.toFixed(2)}, fit ${summary.fitBeyondInput.toFixed(2)} × N·D·4`,
        ].join('\n'),
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
