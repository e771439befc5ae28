/**
 * DBSCAN on the CPU against scikit-learn's, side by side on the same float32 data (issue 18):
 * blobs in uniform noise, 2-D, 3-D and 8-D, at --rows (default 100k). For each shape it prints
 * gpuseg's fit seconds (runDbscan on the CPU backend, best of 2), scikit-learn's (best of 2,
 * bench/sklearn_dbscan.py), their ratio, whether the labels are the same, the ε-neighbour pairs,
 * and the pairs the grid's windows examine against what one sorted axis's strip would.
 *
 *   npm run build && node dist/bench/dbscan-time.js [--rows 100000] [--dims 2,3,8]
 *
 * Timings under load mean little alone: compare the ratio, and give `uptime` with it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDbscan } from '../src/algo/dbscan.js';
import { gridRows } from '../src/algo/grid-rows.js';
import { sortRows } from '../src/algo/sorted-rows.js';
import { openBackend } from '../src/backend/select.js';
import { allocateMatrix, type DataMatrix } from '../src/data/matrix.js';
import { shutdownCpuWorkers } from '../src/index.js';
import { Rng } from '../src/util/rng.js';
import { benchCount, benchFlags, usageExit } from './bench-flags.js';

const values = benchFlags(
  'dbscan-time',
  "DBSCAN on the CPU against scikit-learn's, side by side on the same float32 blobs in noise.",
  {
    rows: { type: 'string', default: '100000' },
    dims: { type: 'string', default: '2,3,8' },
  },
  {
    rows: 'rows of each data set',
    dims: 'the shapes to run, comma-separated, among 2, 3 and 8',
  },
);
const rows = benchCount('dbscan-time', values.rows, '--rows');
const dims = values.dims.split(',').map(Number);
for (const [i, d] of dims.entries())
  if (![2, 3, 8].includes(d))
    usageExit('dbscan-time', `--dims: expected 2, 3 or 8, got '${values.dims.split(',')[i]}'`);

/** 90% of the rows in 6 Gaussian blobs (σ 0.6 … 1.2) in a box of side 40, 10% uniform noise. */
function blobs(n: number, d: number, seed: number): DataMatrix {
  const rng = new Rng(seed);
  const m = allocateMatrix(
    n,
    Array.from({ length: d }, (_, f) => `f${f}`),
  );
  const centres = Array.from({ length: 6 }, () =>
    Array.from({ length: d }, () => rng.nextDouble() * 40 - 20),
  );
  const gauss = () =>
    Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
  for (let i = 0; i < n; i++) {
    const noise = rng.nextDouble() < 0.1;
    const c = rng.nextInt(6);
    const sigma = 0.6 + 0.1 * c;
    for (let f = 0; f < d; f++)
      m.data[f * n + i] = noise ? rng.nextDouble() * 40 - 20 : centres[c][f] + sigma * gauss();
  }
  return m;
}

/** Σ over rows of the rows in their grid windows: the pairs the grid's passes examine. */
function gridExamined(m: DataMatrix, eps: number): number {
  const g = gridRows(m, eps);
  let rows = 0;
  for (let w = 0; w < g.windows; w++) {
    const { lo, hi } = g.window(w, 0, m.rows);
    for (let r = 0; r < m.rows; r++) rows += hi[r] - lo[r];
  }
  return rows;
}

/** Σ over rows of the rows within eps on the widest axis: what one sorted axis's windows hold. */
function stripPairs(m: DataMatrix, eps: number): number {
  const { axisValues } = sortRows(m);
  let pairs = 0;
  let a = 0;
  let b = 0;
  for (let r = 0; r < axisValues.length; r++) {
    while (axisValues[a] < axisValues[r] - eps) a++;
    while (b < axisValues.length && axisValues[b] <= axisValues[r] + eps) b++;
    pairs += b - a;
  }
  return pairs;
}

const dir = mkdtempSync(join(tmpdir(), 'gpuseg-dbscan-bench-'));
try {
  const backend = await openBackend('cpu', () => undefined);
  try {
    for (const [d, eps] of [
      [2, 0.3],
      [3, 0.6],
      [8, 1.6],
    ] as const) {
      if (!dims.includes(d)) continue;
      const m = blobs(rows, d, 17 + d);
      const minSamples = 10;
      let ours = Infinity;
      let labels: Int32Array | undefined;
      let pairs = 0;
      for (let t = 0; t < 2; t++) {
        const started = performance.now();
        const r = await runDbscan(backend, m, { eps, minSamples, seed: 0 });
        ours = Math.min(ours, (performance.now() - started) / 1000);
        labels = r.labels;
        pairs = r.pairs;
      }
      const data = join(dir, 'x.f32');
      const out = join(dir, 'labels.i32');
      writeFileSync(data, m.data);
      const py = spawnSync(
        '/usr/bin/python3',
        [
          'bench/sklearn_dbscan.py',
          data,
          String(rows),
          String(d),
          String(eps),
          String(minSamples),
          out,
        ],
        { encoding: 'utf8' },
      );
      if (py.status !== 0) throw new Error(py.stderr);
      const sk = JSON.parse(py.stdout) as { seconds: number; core: number };
      const theirs = new Int32Array(readFileSync(out).buffer.slice(0));
      const same = labels!.every((l, i) => l === theirs[i]);
      console.log(
        JSON.stringify({
          rows,
          dims: d,
          eps,
          minSamples,
          gpusegSeconds: Number(ours.toFixed(3)),
          sklearnSeconds: Number(sk.seconds.toFixed(3)),
          ratio: Number((ours / sk.seconds).toFixed(2)),
          sameLabels: same,
          neighbourPairs: pairs,
          gridExamined: gridExamined(m, eps),
          stripExamined: stripPairs(m, eps),
        }),
      );
    }
  } finally {
    await backend.dispose();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  await shutdownCpuWorkers();
}
