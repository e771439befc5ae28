import { Table, type Vector } from 'apache-arrow';
import type { KMeansInit } from '../algo/kmeans.js';
import type { GmmInit } from '../algo/gmm.js';
import { informationCriteria, parameterCount } from '../algo/gmm-math.js';
import { ResilientBackend } from '../backend/resilient-backend.js';
import { openBackend } from '../backend/select.js';
import { MatrixArena, meanFeatureVariance } from '../data/matrix.js';
import { RowReservoir } from '../data/row-sample.js';
import { resolveRoles } from '../data/schema.js';
import { excludedNotice, type ExcludedColumn } from '../data/column-types.js';
import { InputError, UsageError } from '../errors.js';
import { openChunkSource } from '../io/batch-reader.js';
import type { OutputSet } from '../util/atomic-write.js';
import { checkChunkOutputPath, openChunkWriter } from '../io/batch-writer.js';
import type { SegmentModel } from '../model/model.js';
import { fitPreprocessing } from '../prep/preprocess.js';
import { ProfileAccumulator, type Profiles } from '../segment/profile.js';
import { namesFromProfiles, segmentNameColumn, segmentNameDictionary } from './describe.js';
import type { FitOptions, FitStats } from './fit.js';
import { checkFitSettings, modelBase, resolveInitialisation } from './fit-settings.js';
import { FilePasses } from './file-passes.js';
import { featureMatrix } from './input.js';
import { countMissing, kmeansOutOfCore, mixtureOutOfCore, openSpill } from './out-of-core-runs.js';
import { OUT_OF_CORE_PARAMETERS, resolveParameters, type ParameterOptions } from './parameters.js';
import { checkDataOptions, prepNotices } from './prepare.js';
import { rejectCategoricalOutOfCore } from './categorical-data.js';
import { noticeCollector } from './notices.js';
import { checkObjectArgument, checkStringArgument } from '../util/arguments.js';

/**
 * fit's options, and the table's out-of-core ones: `chunkRows`, rows per chunk handed to the
 * backend (record batches and row groups are joined up to it), and `sampleRows`, rows of the
 * uniform sample kept in memory.
 */
export interface OutOfCoreOptions
  extends FitOptions, ParameterOptions<typeof OUT_OF_CORE_PARAMETERS> {
  /** Per-row output (.arrows, .arrow or .csv), written chunk by chunk; none when omitted. */
  output?: string;
  /** With `output`: the set whose commit renames it into place (with the model and profiles). */
  outputs?: OutputSet;
  /**
   * Where the Lloyd passes keep the prepared float32 chunks after the first one read them
   * (N·D·4 bytes, removed at the end): a folder, true for the system's temporary folder
   * (default), or false to read and convert the input on every pass.
   */
  spill?: boolean | string;
}

export interface OutOfCoreResult {
  model: SegmentModel;
  stats: FitStats & {
    outOfCore: {
      passes: number;
      chunks: number;
      sampleRows: number;
      chunkRows: number;
      spilled: boolean;
    };
  };
  profiles: Profiles;
  names: string[] | undefined;
  /** Rows per segment. */
  sizes: number[];
}

/** Why each algorithm that needs its rows in memory does; what to use instead is said after it. */
const IN_MEMORY_ONLY: Record<string, string> = {
  'minibatch-kmeans': 'samples its batches from the rows in memory',
  bisecting: 'splits clusters by revisiting their rows in memory',
  ward: 'agglomerates rows or micro-clusters held in memory (two-step Ward fits millions of rows there)',
  dbscan: 'compares rows with each other in memory (row limits in the README)',
  birch:
    'builds its CF-tree from the rows in memory (streaming the tree over file chunks is not implemented)',
  kprototypes: 'needs its categorical columns in memory',
};

/** A one-line UsageError for an algorithm that cannot run out of core, naming what can. */
function refuseInMemoryAlgorithm(algorithm: string | undefined): void {
  const why = algorithm === undefined ? undefined : IN_MEMORY_ONLY[algorithm];
  if (why !== undefined)
    throw new UsageError(
      (opt) =>
        `${opt('outOfCore')}: ${opt('algorithm')} ${algorithm} ${why}; leave out ${opt('outOfCore')}, or fit ${opt('algorithm')} kmeans or gmm out of core`,
    );
}

/**
 * k-means or a Gaussian mixture on a file larger than memory: the rows are read chunk by chunk
 * on every pass and never held together. What stays in memory: one chunk being prepared and one being clustered, a uniform
 * sample of `sampleRows` rows, and K×D numbers. The passes, in order:
 * 1. validation of every row (the same errors as in memory, with row numbers in the file), the row
 *    count, and the sample — the preprocessing (imputation values, quantiles, scales, PCA) is
 *    fitted on the sample, which is the whole table while it has at most `sampleRows` rows;
 * 2. seeding (a mixture: its initialisation) on the sample; then one pass per Lloyd (EM)
 *    iteration; the first also writes the prepared float32 chunks to a spill file that the next
 *    ones read back (`spill`);
 * 3. a profile pass (exact sizes and means; medians from the sample) that also names the segments;
 * 4. with `output`, a pass that writes each chunk's rows as it goes.
 * With the sample equal to the table, the result is the in-memory fit's (same centres, labels).
 */
export async function fitOutOfCore(
  path: string,
  options: OutOfCoreOptions,
): Promise<OutOfCoreResult> {
  checkStringArgument(path, 'path');
  checkObjectArgument(options, 'options');
  const { notices, notice } = noticeCollector(options.onNotice);
  refuseInMemoryAlgorithm(options.algorithm);
  const settings = checkFitSettings(options);
  refuseInMemoryAlgorithm(settings.algorithm);
  const gmm = settings.algorithm === 'gmm';
  const { chunkRows, sampleRows } = resolveParameters(OUT_OF_CORE_PARAMETERS, options);
  if (options.output !== undefined) checkChunkOutputPath(options.output, { option: 'output' });
  const dataOptions = checkDataOptions(options);
  rejectCategoricalOutOfCore(settings.algorithm, dataOptions.categorical);
  const { k, seed, maxIter, tol } = settings;

  const source = await openChunkSource(path, chunkRows);
  const roles = resolveRoles(new Table(source.schema), {
    id: dataOptions.id,
    features: dataOptions.features,
    profile: dataOptions.profile,
  });
  const allowMissing = dataOptions.impute !== 'none';
  const profileColumns = [
    ...roles.features.map((name) => ({ name, role: 'feature' as const })),
    ...roles.profile.map((name) => ({ name, role: 'profile' as const })),
  ];

  // Pass 1: validate, count, sample.
  const reservoir = new RowReservoir(
    profileColumns.map((c) => c.name),
    sampleRows,
    seed,
  );
  const missing = new Map<string, number>();
  const validation = new MatrixArena();
  // Text columns that look numeric show in their cells, not the schema: judged on the first chunk.
  let excludedColumns: ExcludedColumn[] = [];
  for await (const { table, firstRow } of source.chunks()) {
    if (firstRow === 0) {
      excludedColumns =
        resolveRoles(table, {
          id: dataOptions.id,
          features: dataOptions.features,
          profile: dataOptions.profile,
        }).excluded ?? [];
      excludedColumns.map(excludedNotice).forEach(notice);
    }
    const { matrix } = featureMatrix(table, roles, {
      allowMissing,
      firstRow,
      allocate: (r, f) => validation.take(r, f),
    });
    if (allowMissing) countMissing(matrix, missing);
    reservoir.add(table);
  }
  const rows = reservoir.rowsSeen;
  if (rows === 0) throw new InputError('the input has zero rows');
  if (k > rows) throw new InputError((opt) => `k=${k} exceeds rows=${rows}; lower ${opt('k')}`);
  const sampleTable = reservoir.table();
  if (
    dataOptions.pca !== undefined &&
    dataOptions.pca >= 1 &&
    dataOptions.pca > roles.features.length
  ) {
    throw new UsageError(
      (opt) =>
        `${opt('pca')}: ${dataOptions.pca} components asked, but there are only ${roles.features.length} features`,
    );
  }
  const { matrix: rawSample } = featureMatrix(
    sampleTable,
    { features: roles.features },
    { allowMissing },
  );
  const { prep, matrix: sample, report } = fitPreprocessing(rawSample, dataOptions);
  // The imputation values come from the sample; the counts reported are the whole file's.
  report.imputed = report.imputed.map((r) => ({ ...r, count: missing.get(r.column) ?? r.count }));
  prepNotices(report).forEach(notice);
  if (sample.rows < rows)
    notice(
      `out-of-core: preprocessing, seeding and medians from a uniform sample of ${sample.rows} of ${rows} rows (--sample-rows)`,
    );

  // Seeding runs on the sample, so its size decides 'auto'.
  const { init, nInit } = await resolveInitialisation(settings, sample.rows, prep, notice);
  const meanVariance = meanFeatureVariance(sample);

  const backend = await openBackend(settings.backendChoice, notice);
  let cleanup = (): void => undefined;
  try {
    const started = performance.now();
    const spill = openSpill(options.spill ?? true, rows, prep.outputs.length, notice);
    const passes = new FilePasses(source, backend, roles, prep, allowMissing, spill, notice);
    cleanup = () => passes.close();
    const sampleHandle = await backend.attach(sample);
    const run = gmm
      ? await mixtureOutOfCore(
          passes,
          backend,
          sampleHandle,
          rows,
          {
            k,
            covariance: settings.covariance,
            init: init as GmmInit,
            nInit,
            maxIter,
            tol,
            regCovar: settings.regCovar,
            seed,
          },
          meanVariance,
          options,
          notice,
        )
      : await kmeansOutOfCore(
          passes,
          backend,
          sampleHandle,
          { k, init: init as KMeansInit, nInit, maxIter, tol, seed },
          meanVariance,
          options,
        );
    await backend.detach(sampleHandle);

    // Profiles (and the names drawn from them) over every row, then the output rows.
    const profiles = new ProfileAccumulator(k, profileColumns);
    let score = 0;
    await passes.each(run.assign, (a, table) => {
      profiles.add(table, a.labels);
      score += a.score;
    });
    const profileResult = profiles.finish(sampleTable, run.sampleLabels);
    const names = namesFromProfiles(profileResult, profileColumns, options);
    if (options.output !== undefined) {
      const writer = openChunkWriter(options.output, { option: 'output' }, options.outputs);
      const dictionary = names ? segmentNameDictionary(names) : undefined;
      try {
        await passes.each(run.assign, async (a, table, firstRow) => {
          const named: Record<string, Vector> = names
            ? { segment_name: segmentNameColumn(a.labels, names, dictionary) }
            : {};
          await writer.write(a.rows(table, roles.id, named, { first: firstRow, total: rows }));
        });
        await writer.commit();
      } catch (error) {
        writer.abort();
        throw error;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const sizes = profileResult.segments.map((s) => s.size);
    const empty = sizes.filter((c) => c === 0).length;
    if (empty > 0)
      notice(
        `${empty} of ${k} segments ended empty: the data may have fewer than k=${k} distinct rows`,
      );
    const base = modelBase({
      prep,
      id: roles.id,
      k,
      centres: run.centres,
      iterations: run.iterations,
      converged: run.converged,
      rows,
      backend,
      seed,
      init,
      nInit,
      maxIter,
      tol,
      names,
    });
    let model: SegmentModel;
    let mixture: { logLikelihood: number; bic: number; aic: number } | undefined;
    if (run.gmm) {
      const logLikelihood = score / rows;
      const { bic, aic } = informationCriteria(
        logLikelihood,
        rows,
        parameterCount(settings.covariance, k, sample.dims),
      );
      mixture = { logLikelihood, bic, aic };
      model = {
        ...base,
        algorithm: 'gmm',
        covarianceType: settings.covariance,
        regCovar: settings.regCovar,
        weights: Array.from(run.gmm.weights),
        covariances: Array.from(run.gmm.covariances),
        ...mixture,
      };
    } else model = { ...base, algorithm: 'kmeans', inertia: score };
    return {
      model,
      profiles: profileResult,
      names,
      sizes,
      stats: {
        algorithm: settings.algorithm,
        k,
        iterations: run.iterations,
        inertia: run.gmm ? undefined : score,
        logLikelihood: mixture?.logLikelihood,
        bic: mixture?.bic,
        aic: mixture?.aic,
        emptyComponents: run.emptyComponents,
        converged: run.converged,
        backend: backend.kind,
        device: backend.deviceName,
        rows,
        fellBack: backend instanceof ResilientBackend && backend.fellBack,
        seconds,
        seedPotential: run.seedPotential,
        emptyClusterRepairs: run.emptyClusterRepairs,
        history: run.history,
        emHistory: run.emHistory,
        notices,
        preprocessing: report,
        excludedColumns,
        outOfCore: {
          passes: passes.passes + 1,
          chunks: passes.chunksPerPass,
          sampleRows: sample.rows,
          chunkRows,
          spilled: passes.spilled,
        },
      },
    };
  } finally {
    cleanup();
    await backend.dispose();
  }
}
