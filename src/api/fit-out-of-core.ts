import { tmpdir } from 'node:os';
import { Table, type Vector } from 'apache-arrow';
import { runKMeansOutOfCore } from '../algo/kmeans-out-of-core.js';
import type { IterationStat, KMeansInit, KMeansSettings } from '../algo/kmeans.js';
import {
  initialParameters,
  runEm,
  type GmmInit,
  type GmmIterationStat,
  type GmmSettings,
} from '../algo/gmm.js';
import {
  informationCriteria,
  kernelParams,
  parameterCount,
  type GmmParameters,
} from '../algo/gmm-math.js';
import type { Backend, DatasetHandle } from '../backend/backend.js';
import { ResilientBackend } from '../backend/resilient-backend.js';
import { openBackend } from '../backend/select.js';
import { MatrixArena, meanFeatureVariance, type DataMatrix } from '../data/matrix.js';
import { RowReservoir } from '../data/row-sample.js';
import { resolveRoles } from '../data/schema.js';
import { InputError, UsageError } from '../errors.js';
import { openChunkSource } from '../io/batch-reader.js';
import { SpillFile } from '../io/spill-file.js';
import type { OutputSet } from '../util/atomic-write.js';
import { checkChunkOutputPath, openChunkWriter } from '../io/batch-writer.js';
import type { SegmentModel } from '../model/model.js';
import { fitPreprocessing } from '../prep/preprocess.js';
import { ProfileAccumulator, type Profiles } from '../segment/profile.js';
import { assignmentsTable, mixtureTable } from './assignments.js';
import { namesFromProfiles, segmentNameColumn, segmentNameDictionary } from './describe.js';
import {
  checkFitSettings,
  modelBase,
  resolveInitialisation,
  type FitOptions,
  type FitStats,
} from './fit.js';
import { FilePasses } from './file-passes.js';
import { featureMatrix } from './input.js';
import { OUT_OF_CORE_PARAMETERS, checkParameter, parameter } from './parameters.js';
import { checkDataOptions, prepNotices } from './prepare.js';
import { emptyComponentsNotice, noticeCollector } from './notices.js';

export interface OutOfCoreOptions extends FitOptions {
  /** Rows per chunk handed to the backend (default 1,048,576); batches and row groups are joined up to it. */
  chunkRows?: number;
  /** Rows of the uniform sample kept in memory (default 1,000,000). */
  sampleRows?: number;
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
  const { notices, notice } = noticeCollector(options.onNotice);
  const settings = checkFitSettings(options);
  if (settings.algorithm === 'minibatch-kmeans')
    throw new UsageError(
      "--out-of-core fits --algorithm kmeans or gmm; 'minibatch-kmeans' samples batches from data in memory",
    );
  const gmm = settings.algorithm === 'gmm';
  const chunkRows = checkParameter(
    parameter(OUT_OF_CORE_PARAMETERS, 'chunkRows'),
    options.chunkRows ?? 1_048_576,
  ) as number;
  const sampleRows = checkParameter(
    parameter(OUT_OF_CORE_PARAMETERS, 'sampleRows'),
    options.sampleRows ?? 1_000_000,
  ) as number;
  if (options.output !== undefined) checkChunkOutputPath(options.output, '--output');
  const dataOptions = checkDataOptions(options);
  const { k, seed, maxIter, tol } = settings;

  const source = await openChunkSource(path, chunkRows);
  const roles = resolveRoles(new Table(source.schema), {
    id: dataOptions.id,
    features: dataOptions.features,
    profile: dataOptions.profile,
  });
  const allowMissing = (dataOptions.impute ?? 'none') !== 'none';
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
  for await (const { table, firstRow } of source.chunks()) {
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
  if (k > rows) throw new InputError(`k=${k} exceeds rows=${rows}; lower --k`);
  const sampleTable = reservoir.table();
  if (
    dataOptions.pca !== undefined &&
    dataOptions.pca >= 1 &&
    dataOptions.pca > roles.features.length
  ) {
    throw new UsageError(
      `--pca: ${dataOptions.pca} components asked, but there are only ${roles.features.length} features`,
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
  const { init, nInit } = await resolveInitialisation(
    settings,
    sample.rows,
    prep,
    options.nInit,
    notice,
  );
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
      const writer = openChunkWriter(options.output, '--output', options.outputs);
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
        // Arrow and Parquet only (no CSV out of core): a schema alone shows no numeric-looking text.
        excludedColumns: [],
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

function openSpill(
  option: boolean | string,
  rows: number,
  dims: number,
  notice: (m: string) => void,
): SpillFile | undefined {
  if (option === false) return undefined;
  const dir = option === true ? tmpdir() : option;
  const spill = SpillFile.create(dir, rows * dims * 4, dims);
  if (typeof spill === 'string') {
    notice(
      `out-of-core: no spill of the prepared chunks (${spill}); every pass reads the input (--spill-dir elsewhere)`,
    );
    return undefined;
  }
  return spill;
}

function countMissing(matrix: DataMatrix, into: Map<string, number>): void {
  for (let j = 0; j < matrix.dims; j++) {
    const col = matrix.data.subarray(j * matrix.rows, (j + 1) * matrix.rows);
    let n = 0;
    for (let i = 0; i < col.length; i++) if (col[i] !== col[i]) n++;
    if (n > 0) into.set(matrix.features[j], (into.get(matrix.features[j]) ?? 0) + n);
  }
}

/** A fitted run, as the profile and output passes need it. */
interface OutOfCoreRun {
  centres: Float32Array;
  iterations: number;
  converged: boolean;
  seedPotential: number | undefined;
  emptyClusterRepairs: number;
  emptyComponents: number;
  history: IterationStat[];
  emHistory: GmmIterationStat[];
  /** Segments of the sample's rows (for medians). */
  sampleLabels: Int32Array;
  /** One chunk's assignment: labels, its part of the score (Σ squared distances, or Σ log p), its output rows. */
  assign: (handle: DatasetHandle) => Promise<ChunkAssignment>;
  gmm: GmmParameters | undefined;
}

interface ChunkAssignment {
  labels: Int32Array;
  score: number;
  rows: (
    table: Table,
    id: string | undefined,
    named: Record<string, Vector>,
    numbering: { first: number; total: number },
  ) => Table;
}

async function kmeansOutOfCore(
  passes: FilePasses,
  backend: Backend,
  sample: DatasetHandle,
  settings: KMeansSettings,
  meanVariance: number,
  options: OutOfCoreOptions,
): Promise<OutOfCoreRun> {
  const run = await runKMeansOutOfCore(passes, backend, sample, settings, meanVariance, {
    onIteration: options.onIteration,
  });
  const { k } = settings;
  return {
    ...run,
    emptyComponents: 0,
    emHistory: [],
    gmm: undefined,
    sampleLabels: (await backend.assign(sample, run.centres, k)).labels,
    assign: async (handle) => {
      const a = await backend.assign(handle, run.centres, k);
      let score = 0;
      for (let i = 0; i < a.sqDistances.length; i++) score += a.sqDistances[i];
      return {
        labels: a.labels,
        score,
        rows: (table, id, named, numbering) =>
          assignmentsTable(table, id, a.labels, a.sqDistances, named, undefined, numbering),
      };
    },
  };
}

/**
 * EM over the file: every E-step a pass (its statistics add up over chunks), initialised on the
 * sample as the in-memory fit initialises on all the rows (k-means labels, k-means++ rows, random
 * responsibilities, or given means).
 */
async function mixtureOutOfCore(
  passes: FilePasses,
  backend: Backend,
  sample: DatasetHandle,
  rows: number,
  settings: GmmSettings,
  meanVariance: number,
  options: OutOfCoreOptions,
  notice: (message: string) => void,
): Promise<OutOfCoreRun> {
  const run = await runEm(
    (params) => passes.gmmPass(params),
    (rng) => initialParameters(backend, sample, settings, rng, meanVariance),
    rows,
    sample.dims,
    settings,
    options.onEmIteration,
  );
  if (run.emptyComponents > 0) notice(emptyComponentsNotice(run.emptyComponents));
  const params = kernelParams(run.params, settings.regCovar);
  const probabilities = options.probabilities === true;
  return {
    centres: Float32Array.from(run.params.means),
    iterations: run.iterations,
    converged: run.converged,
    seedPotential: undefined,
    emptyClusterRepairs: 0,
    emptyComponents: run.emptyComponents,
    history: [],
    emHistory: run.history,
    gmm: run.params,
    sampleLabels: (await backend.gmmAssign(sample, params, { probabilities: false })).labels,
    assign: async (handle) => {
      const a = await backend.gmmAssign(handle, params, { probabilities });
      return {
        labels: a.labels,
        score: a.logLikelihood,
        rows: (table, id, named, numbering) =>
          mixtureTable(
            table,
            id,
            a.labels,
            a.probability,
            a.probabilities,
            settings.k,
            named,
            numbering,
          ),
      };
    },
  };
}
