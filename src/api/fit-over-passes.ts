import type { Table } from 'apache-arrow';
import type { KMeansInit } from '../algo/kmeans.js';
import type { GmmInit } from '../algo/gmm.js';
import { informationCriteria, parameterCount } from '../algo/gmm-math.js';
import type { Backend } from '../backend/backend.js';
import { ResilientBackend } from '../backend/resilient-backend.js';
import { openBackend } from '../backend/select.js';
import { meanFeatureVariance } from '../data/matrix.js';
import type { ColumnRoles } from '../data/schema.js';
import type { ExcludedColumn } from '../data/column-types.js';
import { UsageError } from '../errors.js';
import type { SegmentModel } from '../model/model.js';
import { fitPreprocessing, type Preprocessing } from '../prep/preprocess.js';
import { ProfileAccumulator, profileShifts, type Profiles } from '../segment/profile.js';
import { namesFromProfiles } from './describe.js';
import type { FitStats } from './fit.js';
import { checkFitSettings, modelBase, resolveInitialisation } from './fit-settings.js';
import type { FitPasses } from './fit-passes.js';
import { featureMatrix } from './input.js';
import { kmeansOutOfCore, mixtureOutOfCore } from './out-of-core-runs.js';
import { checkDataOptions, prepNotices } from './prepare.js';
import { noticeCollector, type NoticeSink } from './notices.js';
import { OUT_OF_CORE_PARAMETERS, resolveParameters } from './parameters.js';
import { rejectCategoricalOutOfCore } from './categorical-data.js';
import type { OutOfCoreOptions } from './fit-out-of-core.js';

/**
 * The part of a fit over data read in passes that does not depend on where the passes come from
 * (a file read chunk by chunk, or shards on workers): the preprocessing fitted on the sample,
 * seeding, the Lloyd or EM passes, the profile pass, the output pass and the model.
 */

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

/** What the first pass (validation, count, sample) found. */
export interface ScannedInput {
  roles: ColumnRoles;
  rows: number;
  /** The uniform sample of the rows (every row while they are at most sampleRows), float64 columns of the features and profile columns. */
  sampleTable: Table;
  /** Missing values per feature, over every row. */
  missing: Map<string, number>;
  excludedColumns: ExcludedColumn[];
  /** Passes the scan made (counted in stats.outOfCore.passes). */
  scanPasses: number;
}

/** The fit's checked settings and callbacks. */
export interface PassFitSettings {
  settings: ReturnType<typeof checkFitSettings>;
  dataOptions: ReturnType<typeof checkDataOptions>;
  chunkRows: number;
  options: Pick<
    OutOfCoreOptions,
    'onIteration' | 'onEmIteration' | 'probabilities' | 'output' | 'outputs' | 'names' | 'personas'
  >;
  notice: NoticeSink;
  notices: string[];
}

/**
 * Why each algorithm that needs its rows in memory does (per mode where they differ), and what to
 * use instead; the message names the option that asked for passes.
 */
interface Refusal {
  why: string;
  /** What to do instead of leaving out the option (default: k-means or gmm over passes). */
  instead?: (opt: (option: string) => string) => string;
}

const IN_MEMORY_ONLY: Record<string, Refusal> = {
  'minibatch-kmeans': { why: 'samples its batches from the rows in memory' },
  bisecting: { why: 'splits clusters by revisiting their rows in memory' },
  ward: {
    why: 'agglomerates rows or micro-clusters held in memory (two-step Ward fits millions of rows there)',
  },
  dbscan: {
    why: 'compares every row with its neighbours among all the rows, so they stay in memory (row limits in the README)',
    instead: (opt) =>
      `or, for more rows, fit ${opt('algorithm')} ward (two-step, in memory) or kmeans out of core`,
  },
  kprototypes: { why: 'needs its categorical columns in memory' },
};

/** Over shards only: BIRCH streams a file out of core, but its one CF-tree takes the rows in one order. */
const NOT_SHARDED: Record<string, Refusal> = {
  birch: {
    why: 'builds one CF-tree from every row in order, which shards on separate workers cannot share',
    instead: (opt) =>
      `or fit it on one machine with ${opt('outOfCore')}, which streams the file through the tree`,
  },
};

/** A one-line UsageError for an algorithm that cannot run out of core (or over shards), naming what can. */
function refuseInMemoryAlgorithm(
  algorithm: string | undefined,
  mode: 'outOfCore' | 'shards',
): void {
  if (algorithm === undefined) return;
  const refusal =
    IN_MEMORY_ONLY[algorithm] ?? (mode === 'shards' ? NOT_SHARDED[algorithm] : undefined);
  if (refusal !== undefined)
    throw new UsageError(
      (opt) =>
        `${opt(mode)}: ${opt('algorithm')} ${algorithm} ${refusal.why}; leave out ${opt(mode)}, ${refusal.instead?.(opt) ?? `or fit ${opt('algorithm')} kmeans or gmm ${mode === 'outOfCore' ? 'out of core' : 'over shards'}`}`,
    );
}

/**
 * The checks every fit over passes makes before reading anything; `mode` names the option that
 * asked for passes (`outOfCore`, or `shards` for a sharded fit) in the messages.
 */
export function checkPassFitOptions(
  options: OutOfCoreOptions,
  mode: 'outOfCore' | 'shards',
): Omit<PassFitSettings, 'options'> & { sampleRows: number } {
  const { notices, notice } = noticeCollector(options.onNotice);
  refuseInMemoryAlgorithm(options.algorithm, mode);
  const settings = checkFitSettings(options);
  refuseInMemoryAlgorithm(settings.algorithm, mode);
  const { chunkRows, sampleRows } = resolveParameters(OUT_OF_CORE_PARAMETERS, options);
  const dataOptions = checkDataOptions(options);
  rejectCategoricalOutOfCore(settings.algorithm, dataOptions.categorical);
  return { settings, dataOptions, chunkRows, sampleRows, notices, notice };
}

/**
 * The preprocessing (imputation values, quantiles, scales, PCA) fitted on the scan's sample, and
 * the sample through it: with every row in the sample (at most `sampleRows`), what the in-memory
 * fit computes from the table.
 */
export function samplePreprocessing(
  scanned: Pick<ScannedInput, 'roles' | 'rows' | 'sampleTable' | 'missing'>,
  dataOptions: PassFitSettings['dataOptions'],
  notice: NoticeSink,
  /** What the sample decides, for the notice when it is not every row. */
  fromSample = 'preprocessing, seeding and medians',
): ReturnType<typeof fitPreprocessing> {
  const { roles, rows, sampleTable, missing } = scanned;
  const allowMissing = dataOptions.impute !== 'none';
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
  const fitted = fitPreprocessing(rawSample, dataOptions);
  const { matrix: sample, report } = fitted;
  // The imputation values come from the sample; the counts reported are the whole input's.
  report.imputed = report.imputed.map((r) => ({ ...r, count: missing.get(r.column) ?? r.count }));
  prepNotices(report).forEach(notice);
  if (sample.rows < rows)
    notice(
      (opt) =>
        `out-of-core: ${fromSample} from a uniform sample of ${sample.rows} of ${rows} rows (${opt('sampleRows')})`,
    );
  return fitted;
}

export async function fitOverPasses(
  scanned: ScannedInput,
  fitSettings: PassFitSettings,
  openPasses: (prep: Preprocessing, backend: Backend) => Promise<FitPasses>,
): Promise<OutOfCoreResult> {
  const { roles, rows, sampleTable, excludedColumns } = scanned;
  const { settings, dataOptions, chunkRows, options, notice, notices } = fitSettings;
  const { k, seed, maxIter, tol } = settings;
  const gmm = settings.algorithm === 'gmm';
  const profileColumns = [
    ...roles.features.map((name) => ({ name, role: 'feature' as const })),
    ...roles.profile.map((name) => ({ name, role: 'profile' as const })),
  ];
  const { prep, matrix: sample, report } = samplePreprocessing(scanned, dataOptions, notice);

  // Seeding runs on the sample, so its size decides 'auto'.
  const { init, nInit } = await resolveInitialisation(settings, sample.rows, prep, notice);
  const meanVariance = meanFeatureVariance(sample);

  const backend = await openBackend(settings.backendChoice, notice);
  let passes: FitPasses | undefined;
  try {
    const started = performance.now();
    passes = await openPasses(prep, backend);
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

    // Profiles (and the names drawn from them) over every row, then the output rows. Each piece's
    // statistics merge into the total in piece order (shifts fixed by the sample).
    const shifts = profileShifts(sampleTable, profileColumns);
    const profiles = new ProfileAccumulator(k, profileColumns, shifts);
    let score = 0;
    await passes.profilePass(run.final, { k, columns: profileColumns, shifts }, (summary, s) => {
      profiles.mergeSummary(summary);
      score += s;
    });
    const profileResult = profiles.finish(sampleTable, run.sampleLabels);
    const names = namesFromProfiles(profileResult, profileColumns, options);
    if (options.output !== undefined)
      await passes.outputPass(run.final, {
        output: options.output,
        outputs: options.outputs,
        id: roles.id,
        names,
        rows,
      });
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
          passes: passes.passes + scanned.scanPasses,
          chunks: passes.chunksPerPass,
          sampleRows: sample.rows,
          chunkRows,
          spilled: passes.spilled,
        },
      },
    };
  } finally {
    await passes?.close();
    await backend.dispose();
  }
}
