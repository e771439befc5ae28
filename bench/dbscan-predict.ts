/**
 * DBSCAN predict, its two paths side by side on the same rows (algo/dbscan-predict.ts): the host's
 * direct search over the core rows within eps, and the backend's assignment passes against the
 * core rows (with the rows they cannot settle decided by the direct search). Prints each path's
 * seconds, the rows the backend path certified and left to the direct search, which path
 * predict would take, and whether the labels are identical (they must be).
 *
 *   npm run build && node dist/bench/dbscan-predict.js --model dbscan.json --input rows.arrow \
 *     [--backend cpu] [--rows 20000] [--repeat 2]
 *
 * --rows scores only the first rows of the input (the direct search is slow on big core sets).
 * Timings under load mean little alone: compare the ratio, and give `uptime` with it.
 */
import { existsSync } from 'node:fs';
import { coreRows } from '../src/algo/dbscan-cores.js';
import {
  backendCores,
  backendDbscanLabels,
  backendPays,
  hostDbscanLabels,
  type DbscanPredictStats,
} from '../src/algo/dbscan-predict.js';
import { featureMatrix, loadInput } from '../src/api/input.js';
import { openBackend, type BackendChoice } from '../src/backend/select.js';
import { allocateMatrix, type DataMatrix } from '../src/data/matrix.js';
import { loadModel } from '../src/model/model.js';
import { applyPreprocessing } from '../src/prep/preprocess.js';
import { shutdownCpuWorkers } from '../src/index.js';
import { benchCount, benchFlags, usageExit } from './bench-flags.js';

const values = benchFlags(
  'dbscan-predict',
  "DBSCAN predict's two paths (the host's direct search, the backend's passes) side by side.",
  {
    model: { type: 'string' },
    input: { type: 'string' },
    backend: { type: 'string', default: 'cpu' },
    rows: { type: 'string' },
    repeat: { type: 'string', default: '1' },
  },
  {
    model: 'the DBSCAN model (JSON, from gpuseg fit --algorithm dbscan); required',
    input: 'the rows to score (a file gpuseg reads); required',
    backend: 'cpu, gpu or auto',
    rows: 'score only the first rows of the input',
    repeat: 'runs of both paths; the best time of each is printed',
  },
);
if (!values.model || !values.input) usageExit('dbscan-predict', '--model and --input are required');
for (const [flag, file] of [
  ['--model', values.model],
  ['--input', values.input],
])
  if (!existsSync(file)) usageExit('dbscan-predict', `${flag}: no file '${file}'`);
if (!['cpu', 'gpu', 'auto'].includes(values.backend))
  usageExit('dbscan-predict', `--backend: expected cpu, gpu or auto, got '${values.backend}'`);
const firstCount = values.rows ? benchCount('dbscan-predict', values.rows, '--rows') : undefined;
const repeat = benchCount('dbscan-predict', values.repeat, '--repeat');
const model = loadModel(values.model);
if (model.algorithm !== 'dbscan') throw new Error(`${values.model} is not a DBSCAN model`);
const table = await loadInput(values.input);
const { matrix: raw } = featureMatrix(table, { features: model.features });
const all = model.preprocessing ? applyPreprocessing(model.preprocessing, raw) : raw;
const X = firstCount ? firstRows(all, Math.min(all.rows, firstCount)) : all;
const features = model.preprocessing?.outputs ?? model.features;
const cores = coreRows(model.corePoints, model.coreLabels, features, model.eps);
const backend = await openBackend(values.backend as BackendChoice, () => undefined);
try {
  let hostSeconds = Infinity;
  let backendSeconds = Infinity;
  let prepareSeconds = 0;
  let host: Int32Array | undefined;
  let viaBackend: Int32Array | undefined;
  const stats: DbscanPredictStats = { certified: 0, direct: 0 };
  for (let t = 0; t < repeat; t++) {
    // Alternated, so that both see the same load.
    let started = performance.now();
    host = hostDbscanLabels(cores, X);
    hostSeconds = Math.min(hostSeconds, (performance.now() - started) / 1000);
    started = performance.now();
    const prepared = backendCores(cores);
    prepareSeconds = (performance.now() - started) / 1000;
    stats.certified = stats.direct = 0;
    viaBackend = await backendDbscanLabels(backend, X, prepared, stats);
    backendSeconds = Math.min(backendSeconds, (performance.now() - started) / 1000);
  }
  let differ = 0;
  for (let i = 0; i < X.rows; i++) if (host![i] !== viaBackend![i]) differ++;
  let noise = 0;
  for (const l of host!) if (l < 0) noise++;
  console.log(
    JSON.stringify({
      rows: X.rows,
      dims: X.dims,
      coreRows: cores.matrix.rows,
      clusters: model.k,
      eps: model.eps,
      device: backend.deviceName,
      hostSeconds: Number(hostSeconds.toFixed(3)),
      backendSeconds: Number(backendSeconds.toFixed(3)),
      foreignReachSeconds: Number(prepareSeconds.toFixed(3)),
      ratio: Number((hostSeconds / backendSeconds).toFixed(2)),
      certified: stats.certified,
      direct: stats.direct,
      noise,
      predictTakes: backendPays(cores, X, backend.kind) ? 'backend' : 'host',
      labelsDiffer: differ,
    }),
  );
} finally {
  await backend.dispose();
  await shutdownCpuWorkers();
}

function firstRows(m: DataMatrix, rows: number): DataMatrix {
  const out = allocateMatrix(rows, m.features);
  for (let f = 0; f < m.dims; f++)
    out.data.set(m.data.subarray(f * m.rows, f * m.rows + rows), f * rows);
  return out;
}
