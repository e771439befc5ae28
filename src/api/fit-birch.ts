import type { Vector } from 'apache-arrow';
import { runBirch } from '../algo/birch.js';
import { openBackend } from '../backend/select.js';
import type { BirchModel } from '../model/birch-model.js';
import { ownAssignmentsTable } from './assignments.js';
import { clusterMeans } from './dbscan-outputs.js';
import { describeSegments, segmentNameColumn } from './describe.js';
import type { FitOptions } from './fit.js';
import { fitResult, singlePassStats, type FitResult } from './fit-result.js';
import { FIT_PARAMETERS, modelBase } from './fit-settings.js';
import type { TableInput } from './input.js';
import { noticeCollector } from './notices.js';
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
    if (kOption !== undefined && run.subclusters < kOption)
      notice(
        (opt) =>
          `birch: ${run.subclusters} subclusters for ${opt('k')} ${kOption}: each subcluster is a segment; lower ${opt('threshold')} for more`,
      );
    const k = run.clusters;
    const { centres } = clusterMeans(matrix.data, matrix.rows, matrix.dims, run.labels, k);
    const seconds = (performance.now() - started) / 1000;
    const { profiles, names } = describeSegments(table, roles, run.labels, k, options);
    const sizes = new Array<number>(k).fill(0);
    for (const l of run.labels) sizes[l]++;
    const d = matrix.dims;
    const base = modelBase({
      prep,
      id: roles.id,
      k,
      centres,
      iterations: 1,
      converged: true,
      rows: matrix.rows,
      backend,
      seed,
      init: 'random',
      nInit: 1,
      maxIter: 1,
      tol: 0,
      names,
    });
    const model: BirchModel = {
      ...base,
      init: 'none',
      algorithm: 'birch',
      threshold,
      branchingFactor,
      global: birchGlobal,
      subclusterCentres: Array.from({ length: run.subclusters }, (_, s) =>
        Array.from(run.subclusterCentres.subarray(s * d, (s + 1) * d)),
      ),
      subclusterLabels: Array.from(run.subclusterLabels),
    };
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
