import { runDbscan } from '../algo/dbscan.js';
import { openBackend } from '../backend/select.js';
import { InputError } from '../errors.js';
import type { DbscanModel } from '../model/dbscan-model.js';
import {
  clusterMeans,
  densityTable,
  markNoiseProfile,
  namesWithNoise,
  noiseAsLastSegment,
} from './dbscan-outputs.js';
import { describeSegments } from './describe.js';
import type { FitOptions } from './fit.js';
import { fitResult, singlePassStats, type FitResult } from './fit-result.js';
import { FIT_PARAMETERS, modelBase } from './fit-settings.js';
import type { TableInput } from './input.js';
import { noticeCollector } from './notices.js';
import { resolveParameters } from './parameters.js';
import { excludedNotices, prepareData, prepNotices } from './prepare.js';

/**
 * fit() with `algorithm: 'dbscan'` (algo/dbscan.ts): no k — the clusters are the data's dense
 * regions at `eps` (a number, or 'auto': the k-distance knee) and `minSamples`. Noise rows are
 * segment −1 "Unusual" with a null distance in the outputs, and a profile of their own (segment
 * −1); `sizes` and the model's centres (cluster means) cover the k clusters only.
 */
export async function fitDbscan(input: TableInput, options: FitOptions): Promise<FitResult> {
  const { notices, notice } = noticeCollector(options.onNotice);
  const {
    eps,
    minSamples,
    seed,
    backend: backendChoice,
  } = resolveParameters(FIT_PARAMETERS, options, 'dbscan');
  const data = await prepareData(input, options, options.frozenPreprocessing);
  const { matrix, prep, roles, table } = data;
  excludedNotices(roles).forEach(notice);
  prepNotices(data.report).forEach(notice);
  const backend = await openBackend(backendChoice, notice, options);
  try {
    const started = performance.now();
    const run = await runDbscan(backend, matrix, { eps, minSamples, seed });
    const k = run.clusters;
    if (k === 0)
      throw new InputError(
        (opt) =>
          `dbscan found no cluster: every row is noise at eps=${run.eps.toPrecision(4)}, min-samples=${minSamples}; raise ${opt('eps')} or lower ${opt('minSamples')}`,
      );
    const { centres, distances } = clusterMeans(
      matrix.data,
      matrix.rows,
      matrix.dims,
      run.labels,
      k,
    );
    const seconds = (performance.now() - started) / 1000;
    const withNoise = run.noise > 0;
    const profileLabels = withNoise ? noiseAsLastSegment(run.labels, k) : run.labels;
    const { profiles, names } = describeSegments(
      table,
      roles,
      profileLabels,
      withNoise ? k + 1 : k,
      options,
    );
    if (withNoise) markNoiseProfile(profiles, k);
    const clusterNames = names?.slice(0, k);
    const sizes = new Array<number>(k).fill(0);
    for (const l of run.labels) if (l >= 0) sizes[l]++;
    const d = matrix.dims;
    const corePoints: number[][] = [];
    const coreLabels: number[] = [];
    for (let i = 0; i < matrix.rows; i++) {
      if (!run.core[i]) continue;
      corePoints.push(Array.from({ length: d }, (_, f) => matrix.data[f * matrix.rows + i]));
      coreLabels.push(run.labels[i]);
    }
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
      names: clusterNames,
    });
    const model: DbscanModel = {
      ...base,
      init: 'none',
      algorithm: 'dbscan',
      eps: run.eps,
      minSamples,
      noise: run.noise,
      corePoints,
      coreLabels,
    };
    return fitResult(
      {
        labels: run.labels,
        assignments: densityTable(
          table,
          roles.id,
          run.labels,
          distances,
          namesWithNoise(clusterNames, k),
        ),
        names: clusterNames,
        sizes,
        data,
        stats: singlePassStats('dbscan', k, backend, data, seconds, notices, {
          dbscan: { eps: run.eps, minSamples, noise: run.noise, corePoints: corePoints.length },
        }),
      },
      () => profiles,
      'dbscan',
      model,
      { inertia: undefined, distances, probability: undefined, probabilities: undefined },
    );
  } finally {
    await backend.dispose();
  }
}
