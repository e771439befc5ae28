/**
 * One gpuseg case of bench/algorithms-vs-sklearn.ts, in a process of its own so that the harness
 * can stop it at its timeout: reads the data file, opens the CPU backend, runs the same fit on the
 * first 2,000 rows 3 times untimed (a warm-up), times the fit (the fastest of `repeat`; what
 * algorithm-cases.ts runs: attach, fit, detach; not the file's reading), writes the labels (int32)
 * and prints one JSON line: { seconds, note }, or { refused } where gpuseg refuses the case (a
 * usage or input error: too many rows, too many subclusters).
 *
 *   node dist/bench/algorithm-case.js '{"name":"kmeans","data":"x.f32","rows":N,"dims":D,"params":{…},"labels":"l.i32","repeat":1}'
 */
import { writeFileSync } from 'node:fs';
import { openBackend } from '../src/backend/select.js';
import { allocateMatrix, type DataMatrix } from '../src/data/matrix.js';
import { GpusegError } from '../src/errors.js';
import { shutdownCpuWorkers } from '../src/index.js';
import { CASES, type CaseParams } from './algorithm-cases.js';
import { readMatrix } from './algorithm-data.js';

export interface CaseRequest {
  name: string;
  data: string;
  rows: number;
  dims: number;
  params: CaseParams;
  labels: string;
  /** Timed fits; the fastest is reported (each fit is the same: the same seed). */
  repeat: number;
}

export type CaseOutcome = { seconds: number; note: string } | { refused: string };

/**
 * The untimed warm-up fits (both sides) and their rows: one fit leaves the first full fit about
 * 3 times slower than the next (V8 has not optimised the host code yet); three do not.
 */
const WARM_UP_FITS = 3;
const WARM_UP_ROWS = 2000;

/** The first `rows` rows of a column-major matrix, as a matrix of their own. */
function firstRows(m: DataMatrix, rows: number): DataMatrix {
  const n = Math.min(rows, m.rows);
  const out = allocateMatrix(n, m.features);
  for (let f = 0; f < m.dims; f++) out.data.set(m.data.subarray(f * m.rows, f * m.rows + n), f * n);
  return out;
}

async function runCase(request: CaseRequest): Promise<CaseOutcome> {
  const spec = CASES.find((c) => c.name === request.name);
  if (!spec) throw new Error(`no case '${request.name}'`);
  const m = readMatrix(request.data, request.rows, request.dims);
  const backend = await openBackend('cpu', () => undefined);
  try {
    // Warm-up, untimed, as scikit-learn's side does: the same fit on the first rows, where the
    // case's WebAssembly kernels compile and V8 optimises the host code, and one pass over enough
    // values (2^19 and more) that the worker threads start.
    const few = firstRows(m, WARM_UP_ROWS);
    for (let i = 0; i < WARM_UP_FITS; i++)
      await spec.fit(backend, few, request.params).catch(() => undefined);
    const warm = await backend.attach(firstRows(m, 131_072));
    await backend.assign(warm, warm.matrix.data.slice(0, m.dims), 1);
    await backend.detach(warm);
    let seconds = Infinity;
    let fit;
    for (let run = 0; run < request.repeat; run++) {
      const started = performance.now();
      try {
        fit = await spec.fit(backend, m, request.params);
      } catch (error) {
        if (error instanceof GpusegError && (error.kind === 'usage' || error.kind === 'input'))
          return { refused: error.message };
        throw error;
      }
      seconds = Math.min(seconds, (performance.now() - started) / 1000);
    }
    if (!fit) throw new Error(`repeat ${request.repeat}: no fit`);
    writeFileSync(request.labels, fit.labels);
    return { seconds, note: fit.note };
  } finally {
    await backend.dispose();
  }
}

try {
  console.log(JSON.stringify(await runCase(JSON.parse(process.argv[2]) as CaseRequest)));
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await shutdownCpuWorkers();
}
