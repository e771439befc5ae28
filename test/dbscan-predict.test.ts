import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { coreRows, type CoreRows } from '../src/algo/dbscan-cores.js';
import {
  backendCores,
  backendDbscanLabels,
  backendPays,
  CORE_PASS_VALUES,
  hostDbscanLabels,
  TRUST,
  type DbscanPredictStats,
} from '../src/algo/dbscan-predict.js';
import { featureMatrix, loadInput } from '../src/api/input.js';
import { dbscanScorer } from '../src/api/predict-dbscan.js';
import type { Assignment, Backend, DatasetHandle } from '../src/backend/backend.js';
import { CpuBackend, INLINE_MAX_VALUES } from '../src/backend/cpu/cpu-backend.js';
import { allocateMatrix, type DataMatrix } from '../src/data/matrix.js';
import { fit, predict, predictOutOfCore, readTable } from '../src/index.js';
import { applyPreprocessing } from '../src/prep/preprocess.js';
import { writeCustomers } from '../src/synth/customers.js';
import { Rng } from '../src/util/rng.js';
import { backendCases } from './helpers/backends.js';
import { tempDir } from './helpers/cli.js';
import { MutatingBackend } from './helpers/mutating-backend.js';

/**
 * DBSCAN predict's backend path (assignment passes against the core rows, algo/dbscan-predict.ts)
 * gives the labels of the direct search (algo/dbscan-cores.ts) on every backend, on the CPU's
 * worker path too (rows × dims past INLINE_MAX_VALUES), on data made to be hard for it: every
 * value on a half-integer lattice, so that distances are exact and equal ones are common (rows
 * equidistant from core rows of different clusters, rows exactly eps away: eps² = 2.25), identical
 * core rows of different clusters in different passes, clusters side by side (core rows one
 * apart, each side its own label) and a region of clusters drawn at random, and noise. Real
 * backends return the exact nearest core row on this data (its distances are exact in float32),
 * so an adversarial backend also returns, of the core rows within TRUST/4 of the nearest
 * distance, the last: a backend's nearest is trusted only that far (a GPU's float32 direct form
 * may pick any of them), and the labels must still be the direct search's.
 */
const DIMS = 4;
const ROWS = 140_000;
const CORES = 3_000;
const EPS = 1.5;

function lattice(rng: Rng, half: boolean, lo: number, span: number): number {
  return half ? lo + rng.nextInt(span * 2) / 2 : lo + rng.nextInt(span);
}

function hardCase(): { cores: CoreRows; X: DataMatrix } {
  const rng = new Rng(20261130);
  const points: number[][] = [];
  const labels: number[] = [];
  for (let c = 0; c < CORES; c++) {
    const p = Array.from({ length: DIMS }, () => lattice(rng, false, 0, 10));
    points.push(p);
    // Slabs of x0 are clusters 0, 1, 2 side by side; where x1 < 2 the cluster is drawn at random.
    labels.push(p[1] < 2 ? rng.nextInt(4) : Math.floor(p[0] / 4));
  }
  // Identical core rows of another cluster, a pass or more later (ties across passes).
  const perPass = Math.floor(CORE_PASS_VALUES / DIMS);
  for (let t = 0; t < 300; t++) {
    const from = rng.nextInt(CORES - perPass - 1);
    const to = from + perPass + rng.nextInt(CORES - perPass - from);
    points[to] = [...points[from]];
    labels[to] = (labels[from] + 1 + rng.nextInt(3)) % 4;
  }
  const X = allocateMatrix(
    ROWS,
    Array.from({ length: DIMS }, (_, f) => `f${f}`),
  );
  for (let f = 0; f < DIMS; f++)
    for (let i = 0; i < ROWS; i++) X.data[f * ROWS + i] = lattice(rng, true, -1, 12);
  return { cores: coreRows(points, labels, X.features, EPS), X };
}

/** Brute force over every core row: nearest within eps (ties to the lower number); facts about the rows. */
function bruteForce(cores: CoreRows, X: DataMatrix, rows: number) {
  const { data: C, rows: nc } = cores.matrix;
  const squared = (i: number, c: number): number => {
    let s = 0;
    for (let f = 0; f < DIMS; f++) s += (X.data[f * X.rows + i] - C[f * nc + c]) ** 2;
    return s;
  };
  const labels = new Int32Array(rows).fill(-1);
  let atEps = 0;
  let tiedAcrossClusters = 0;
  for (let i = 0; i < rows; i++) {
    let best = -1;
    let bestS = Infinity;
    for (let c = 0; c < nc; c++) {
      const s = squared(i, c);
      if (s < bestS) [best, bestS] = [c, s];
    }
    if (bestS > cores.eps2) continue;
    labels[i] = cores.labels[best];
    if (bestS === cores.eps2) atEps++;
    const tied = new Set<number>();
    for (let c = 0; c < nc; c++) if (squared(i, c) === bestS) tied.add(cores.labels[c]);
    if (tied.size > 1) tiedAcrossClusters++;
  }
  return { labels, atEps, tiedAcrossClusters };
}

/** Of the centres within (1 + TRUST/4) of each row's nearest squared distance, the last one. */
class AdversarialBackend extends MutatingBackend {
  constructor(inner: Backend) {
    super(inner, {});
  }

  override async assign(
    handle: DatasetHandle,
    centres: Float32Array,
    k: number,
  ): Promise<Assignment> {
    const a = await super.assign(handle, centres, k);
    const { rows: n, data } = handle.matrix;
    const s = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      let min = Infinity;
      for (let c = 0; c < k; c++) {
        let t = 0;
        for (let f = 0; f < DIMS; f++) t += (data[f * n + i] - centres[c * DIMS + f]) ** 2;
        s[c] = t;
        if (t < min) min = t;
      }
      for (let c = k - 1; c >= 0; c--)
        if (s[c] <= min * (1 + TRUST / 4)) {
          a.labels[i] = c;
          break;
        }
    }
    return a;
  }
}

const { cores, X } = hardCase();
const direct = hostDbscanLabels(cores, X);

test('the case: worker-path size, the direct search agrees with brute force, and it has every hard row', () => {
  expect(ROWS * DIMS).toBeGreaterThan(INLINE_MAX_VALUES);
  const sample = 4_000;
  const brute = bruteForce(cores, X, sample);
  expect(Array.from(direct.subarray(0, sample))).toEqual(Array.from(brute.labels));
  // Rows where the tie rule and the ≤ eps rule decide the label, and noise.
  expect(brute.tiedAcrossClusters).toBeGreaterThan(50);
  expect(brute.atEps).toBeGreaterThan(50);
  const noise = direct.filter((l) => l < 0).length;
  expect(noise).toBeGreaterThan(ROWS / 20);
  expect(noise).toBeLessThan(ROWS * 0.75);
});

test('predict takes the backend where windows are wide, the host where they are narrow', () => {
  expect(backendPays(cores, X, 'cpu')).toBe(true);
  const far = coreRows(
    Array.from({ length: 2000 }, (_, c) => [c * 10, 0, 0, 0]),
    Array.from({ length: 2000 }, () => 0),
    X.features,
    EPS,
  );
  expect(backendPays(far, X, 'cpu')).toBe(false);
});

const cases = [
  ...backendCases,
  { name: 'adversarial (cpu)', make: async () => new AdversarialBackend(new CpuBackend()) },
];

describe.each(cases)('backend $name', ({ make }) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await make();
  });
  afterAll(async () => {
    await backend?.dispose();
  });

  test('the backend path gives the direct search’s label on every row', async () => {
    const stats: DbscanPredictStats = { certified: 0, direct: 0 };
    const labels = await backendDbscanLabels(backend, X, backendCores(cores), stats);
    let differ = 0;
    let first = -1;
    for (let i = 0; i < ROWS; i++)
      if (labels[i] !== direct[i]) {
        differ++;
        if (first < 0) first = i;
      }
    expect(differ, `first at row ${first}: ${labels[first]} vs ${direct[first]}`).toBe(0);
    // Both branches ran: rows certified from the backend's nearest core, and rows decided again.
    expect(stats.certified).toBeGreaterThan(ROWS / 4);
    expect(stats.direct).toBeGreaterThan(1000);
    expect(stats.certified + stats.direct).toBe(ROWS);
  }, 240_000);
});

test('predict and predict out of core take the backend path on one wide cluster: the direct search’s cells', async () => {
  const dir = tempDir();
  const train = join(dir, 'train.arrows');
  const rows = join(dir, 'rows.arrows');
  await writeCustomers(train, 3000, 1, 1000);
  await writeCustomers(rows, 9000, 2, 1000);
  const fitted = await fit(train, { algorithm: 'dbscan', backend: 'cpu', seed: 3 });
  const model = fitted.model;
  if (model.algorithm !== 'dbscan') throw new Error('not a DBSCAN model');
  // The rows as predict sees them: the backend path pays here.
  const table = await loadInput(rows);
  const raw = featureMatrix(table, { features: model.features }).matrix;
  const X = model.preprocessing ? applyPreprocessing(model.preprocessing, raw) : raw;
  const features = model.preprocessing?.outputs ?? model.features;
  expect(
    backendPays(coreRows(model.corePoints, model.coreLabels, features, model.eps), X, 'cpu'),
  ).toBe(true);
  const want = dbscanScorer(model, features)(X);
  const whole = await predict(rows, model, { backend: 'cpu' });
  expect(whole.device).toMatch(/^cpu: /); // a backend was opened: not "host"
  expect(Array.from(whole.labels)).toEqual(Array.from(want.labels));
  expect(Array.from(whole.distances!)).toEqual(Array.from(want.distances));
  const noise = want.labels.filter((l) => l < 0).length;
  expect(noise).toBeGreaterThan(0);
  expect(noise).toBeLessThan(9000 / 2);
  const out = join(dir, 'scored.arrows');
  const r = await predictOutOfCore(rows, model, { backend: 'cpu', chunkRows: 2000, output: out });
  expect(r.chunks).toBeGreaterThan(3);
  expect(r.device).toMatch(/^cpu: /);
  expect(r.noise).toBe(noise);
  const written = await readTable(out);
  for (const field of whole.assignments.schema.fields) {
    const got = written.getChild(field.name)!;
    const expected = whole.assignments.getChild(field.name)!;
    let differ = 0;
    for (let i = 0; i < 9000; i++) if (!Object.is(got.get(i), expected.get(i))) differ++;
    expect(differ, field.name).toBe(0);
  }
}, 120_000);
