import type { Vector } from 'apache-arrow';
import { runBirch } from '../algo/birch.js';
import { SegmentMeans } from '../algo/birch-means.js';
import { openBackend } from '../backend/select.js';
import { ownAssignmentsTable } from './assignments.js';
import { birchModel, birchParameters, birchStats, fewSubclusters } from './birch-fit-setup.js';
import { describeSegments, segmentNameColumn } from './describe.js';
import type { FitOptions } from './fit.js';
import { fitResult, type FitResult } from './fit-result.js';
import type { TableInput } from './input.js';
import { noticeCollector } from './notices.js';
import { excludedNotices, prepareData, prepNotices } from './prepare.js';

/**
 * fit() with `algorithm: 'birch'` (algo/birch.ts): the CF-tree over the rows in order, its leaf
 * subclusters joined into `k` segments by Ward or k-means (`birchGlobal`; without k: a segment per subcluster), each row in
 * the segment of its nearest subcluster centroid; `distance` is to that centroid.
 */
export async function fitBirch(input: TableInput, options: FitOptions): Promise<FitResult> {
  const { notices, notice } = noticeCollector(options.onNotice);
  const { settings, backend: backendChoice } = birchParameters(options);
  const data = await prepareData(input, options, options.frozenPreprocessing);
  const { matrix, prep, roles, table } = data;
  excludedNotices(roles).forEach(notice);
  prepNotices(data.report).forEach(notice);
  const backend = await openBackend(backendChoice, notice, options);
  try {
    const started = performance.now();
    const handle = await backend.attach(matrix);
    const run = await runBirch(backend, handle, settings);
    await backend.detach(handle);
    fewSubclusters(run.subclusters, settings.k, notice);
    const k = run.clusters;
    const means = new SegmentMeans(k, matrix.dims);
    means.add(matrix.data, matrix.rows, run.labels);
    const seconds = (performance.now() - started) / 1000;
    const { profiles, names } = describeSegments(table, roles, run.labels, k, options);
    const sizes = new Array<number>(k).fill(0);
    for (const l of run.labels) sizes[l]++;
    const model = birchModel(
      { prep, id: roles.id, rows: matrix.rows, backend, names },
      settings,
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
        stats: birchStats(run, settings, backend, data, seconds, notices),
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
