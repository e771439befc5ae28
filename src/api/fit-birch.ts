import type { Vector } from 'apache-arrow';
import { runBirch, type BirchSubclusters } from '../algo/birch.js';
import { SegmentMeans } from '../algo/birch-means.js';
import { openBackend } from '../backend/select.js';
import type { BirchModel } from '../model/birch-model.js';
import { ownAssignmentsTable } from './assignments.js';
import { describeSegments, segmentNameColumn } from './describe.js';
import type { FitOptions } from './fit.js';
import { fitResult, singlePassStats, type FitResult } from './fit-result.js';
import { FIT_PARAMETERS, modelBase } from './fit-settings.js';
import type { TableInput } from './input.js';
import { noticeCollector, type NoticeSink } from './notices.js';
import { resolveParameters } from './parameters.js';
import { excludedNotices, prepareData, prepNotices } from './prepare.js';

/**
 * fit() with `algorithm: 'birch'` (algo/birch.ts): the CF-tree over the rows in order, its leaf
 * subclusters joined into `k` segments by Ward or k-means (`birchGlobal`; without k: a segment per subcluster), each row in
 * the segment of its nearest subcluster centroid; `distance` is to that centroid.
 */
export async function fitBirch(input: TableInput, options: FitOptions): Promise<FitResult> {
  const { notices, notice } = noticeCollector(options.onNotice);
  const {
    k: kOption,
    threshold,
    branchingFactor,
    birchGlobal,
    seed,
    backend: backendChoice,
  } = resolveParameters(FIT_PARAMETERS, options, 'birch');
  const data = await prepareData(input, options, options.frozenPreprocessing);
  const { matrix, prep, roles, table } = data;
  excludedNotices(roles).forEach(notice);
  prepNotices(data.report).forEach(notice);
  const backend = await openBackend(backendChoice, notice, options);
  try {
    const started = performance.now();
    const handle = await backend.attach(matrix);
    const run = await runBirch(backend, handle, {
      threshold,
      branchingFactor,
      k: kOption,
      global: birchGlobal,
      seed,
    });
    await backend.detach(handle);
    fewSubclusters(run.subclusters, kOption, notice);
    const k = run.clusters;
    const means = new SegmentMeans(k, matrix.dims);
    means.add(matrix.data, matrix.rows, run.labels);
    const seconds = (performance.now() - started) / 1000;
    const { profiles, names } = describeSegments(table, roles, run.labels, k, options);
    const sizes = new Array<number>(k).fill(0);
    for (const l of run.labels) sizes[l]++;
    const model = birchModel(
      { prep, id: roles.id, rows: matrix.rows, backend, seed, names },
      { threshold, branchingFactor, global: birchGlobal },
      run,
      means.centres(),
    );
    const named: Record<string, Vector> = names
      ? { segment_name: segmentNameColumn(run.labels, names) }
      : {};
    const distances = Float32Array.from(run.sqDistances, Math.sqrt);
    return fitResult(
      {
        labels: run.labels,
        assignments: ownAssignmentsTable(table, roles.id, run.labels, run.sqDistances, named),
        names,
        sizes,
        data,
        stats: singlePassStats('birch', k, backend, data, seconds, notices, {
          birch: { threshold, branchingFactor, subclusters: run.subclusters },
        }),
      },
      () => profiles,
      'birch',
      model,
      { inertia: undefined, distances, probability: undefined, probabilities: undefined },
    );
  } finally {
    await backend.dispose();
  }
}

/** The notice when the tree has fewer subclusters than k segments were asked for. */
export function fewSubclusters(
  subclusters: number,
  k: number | undefined,
  notice: NoticeSink,
): void {
  if (k !== undefined && subclusters < k)
    notice(
      (opt) =>
        `birch: ${subclusters} subclusters for ${opt('k')} ${k}: each subcluster is a segment; lower ${opt('threshold')} for more`,
    );
}

/**
 * The BIRCH model (the in-memory fit's and the out-of-core one's): `centres` are the segments'
 * means in the clustering space (SegmentMeans), scoring goes by the leaf subclusters.
 */
export function birchModel(
  fit: Pick<Parameters<typeof modelBase>[0], 'prep' | 'id' | 'rows' | 'backend' | 'seed' | 'names'>,
  settings: Pick<BirchModel, 'threshold' | 'branchingFactor' | 'global'>,
  run: BirchSubclusters,
  centres: Float32Array,
): BirchModel {
  const d = fit.prep.outputs.length;
  const base = modelBase({
    ...fit,
    k: run.clusters,
    centres,
    iterations: 1,
    converged: true,
    init: 'random',
    nInit: 1,
    maxIter: 1,
    tol: 0,
  });
  return {
    ...base,
    init: 'none',
    algorithm: 'birch',
    ...settings,
    subclusterCentres: Array.from({ length: run.subclusters }, (_, s) =>
      Array.from(run.subclusterCentres.subarray(s * d, (s + 1) * d)),
    ),
    subclusterLabels: Array.from(run.subclusterLabels),
  };
}
