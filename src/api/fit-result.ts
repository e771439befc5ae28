import type { Table } from 'apache-arrow';
import type { CovarianceType } from '../algo/gmm-math.js';
import { InternalError } from '../errors.js';
import type { GmmModel, KMeansModel, SegmentModel } from '../model/model.js';
import type { Profiles } from '../segment/profile.js';
import type { FitStats } from './fit.js';
import type { Backend } from '../backend/backend.js';
import { ResilientBackend } from '../backend/resilient-backend.js';
import type { Algorithm } from './parameters.js';
import type { PreparedData } from './prepare.js';

/**
 * What `fit` returns: a union discriminated by `algorithm`, so that a caller who checks it gets
 * the fields of that algorithm typed without undefined (`r.algorithm === 'gmm'` → `r.weights`,
 * `r.probability`; otherwise `r.inertia`, `r.distances`).
 */
export type FitResult = KMeansFitResult | GmmFitResult | OtherFitResult;

/** What every fit returns, whatever the algorithm. */
export interface FitResultCommon {
  /** Segment of each input row, 0..k-1 (gmm: the most probable component). */
  labels: Int32Array;
  stats: FitStats;
  /** The output table: id (or row), segment_id, segment_name (when named), then distance (k-means) or probability and p_0 … (gmm). */
  assignments: Table;
  /** How each segment differs from the average, over the features and the profile columns (computed on first read). */
  readonly profiles: Profiles;
  /** Segment names (personas from RFM columns, or a names file); undefined when unnamed. */
  names: string[] | undefined;
  /** Rows per segment. */
  sizes: number[];
  /** The input table and the prepared data (`data.matrix`: the clustering space, for the metrics). */
  data: PreparedData;
}

/** k-means and mini-batch k-means: hard segments around centres. */
export interface KMeansFitResult extends FitResultCommon {
  algorithm: 'kmeans' | 'minibatch-kmeans';
  model: KMeansModel;
  /** Euclidean distance of each row to its segment's centre, in the clustering space. */
  distances: Float32Array;
  /** Σ squared distances to the centres, in the clustering space. */
  inertia: number;
  probability: undefined;
  probabilities: undefined;
}

/**
 * k-prototypes, bisecting k-means, Ward, DBSCAN and BIRCH: hard segments, each row with its
 * distance to its segment (k-prototypes: √cost; dbscan: NaN for noise, segment −1).
 */
export interface OtherFitResult extends FitResultCommon {
  algorithm: Exclude<Algorithm, 'gmm' | 'kmeans' | 'minibatch-kmeans'>;
  model: Exclude<SegmentModel, GmmModel | KMeansModel>;
  distances: Float32Array;
  /** Σ squared distances to the centres (k-prototypes: its cost); undefined for dbscan and birch. */
  inertia: number | undefined;
  probability: undefined;
  probabilities: undefined;
}

/** A Gaussian mixture: soft segments, each row with a probability per component. */
export interface GmmFitResult extends FitResultCommon {
  algorithm: 'gmm';
  model: GmmModel;
  distances: undefined;
  /** Probability of each row's segment. */
  probability: Float32Array;
  /** With `probabilities: true`: every segment's probability, component-major (segment c at [c·N, (c+1)·N)). */
  probabilities: Float32Array | undefined;
  covarianceType: CovarianceType;
  /** Mixture weights, K. */
  weights: number[];
  /** full: K×D×D; tied: D×D; diag: K×D; spherical: K — flattened row-major, in the clustering space. */
  covariances: number[];
  /** Mean log-likelihood per row (scikit-learn's score). */
  logLikelihood: number;
  bic: number;
  aic: number;
}

/** The per-row outputs of a run, which depend on the algorithm, and its inertia. */
export interface RowOutputs {
  inertia: number | undefined;
  distances: Float32Array | undefined;
  probability: Float32Array | undefined;
  probabilities: Float32Array | undefined;
}

/**
 * The result of a finished fit, as the variant its model's algorithm makes it. `profiles` is
 * computed on its first read (then kept): a fit whose caller writes no profiles spends nothing.
 */
export function fitResult(
  common: Omit<FitResultCommon, 'profiles'>,
  profiles: () => Profiles,
  algorithm: Algorithm,
  model: SegmentModel,
  rows: RowOutputs,
): FitResult {
  return withLazyProfiles(variant(common, algorithm, model, rows), profiles);
}

function variant(
  common: Omit<FitResultCommon, 'profiles'>,
  algorithm: Algorithm,
  model: SegmentModel,
  rows: RowOutputs,
): DistributiveOmit<FitResult, 'profiles'> {
  if (model.algorithm === 'gmm') {
    if (!rows.probability) throw new InternalError('a mixture fit returned no probabilities');
    const { covarianceType, weights, covariances, logLikelihood, bic, aic } = model;
    return {
      ...common,
      algorithm: 'gmm',
      model,
      distances: undefined,
      probability: rows.probability,
      probabilities: rows.probabilities,
      ...{ covarianceType, weights, covariances, logLikelihood, bic, aic },
    };
  }
  if (algorithm === 'gmm' || !rows.distances)
    throw new InternalError(
      `a ${algorithm} fit returned a ${model.algorithm} model or no distances`,
    );
  const hard = { distances: rows.distances, probability: undefined, probabilities: undefined };
  if (model.algorithm === 'kmeans') {
    if (algorithm !== 'kmeans' && algorithm !== 'minibatch-kmeans')
      throw new InternalError(`a ${algorithm} fit returned a k-means model`);
    return { ...common, ...hard, algorithm, model, inertia: model.inertia };
  }
  return { ...common, ...hard, algorithm: model.algorithm, model, inertia: rows.inertia };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function withLazyProfiles(
  result: DistributiveOmit<FitResult, 'profiles'>,
  profiles: () => Profiles,
): FitResult {
  let kept: Profiles | undefined;
  Object.defineProperty(result, 'profiles', {
    enumerable: true,
    get: () => (kept ??= profiles()),
  });
  return result as FitResult;
}

/**
 * The same result with another model of the same algorithm (a --history period's copy that
 * carries its stable keys) and other fields replaced. The algorithms are checked at run time,
 * which is what makes the variant's model type hold.
 */
export function withModel<T extends object>(
  result: FitResult,
  model: SegmentModel,
  more: T,
): FitResult & T {
  if (model.algorithm !== result.model.algorithm)
    throw new InternalError(
      `a ${result.model.algorithm} fit result was given a ${model.algorithm} model`,
    );
  return { ...result, ...more, model } as FitResult & T;
}

/** What singlePassStats reads of a fit's data when no prepared matrix exists (out of core). */
export interface SinglePassSource {
  rows: number;
  report: PreparedData['report'];
  excluded: FitStats['excludedColumns'];
}

/**
 * FitStats of a fit made in one pass with no iterations to report (dbscan, birch): no inertia,
 * likelihood, seeding or history; `extra` adds the algorithm's own figures.
 */
export function singlePassStats(
  algorithm: 'dbscan' | 'birch',
  k: number,
  backend: Backend,
  data: PreparedData | SinglePassSource,
  seconds: number,
  notices: string[],
  extra: Pick<FitStats, 'dbscan' | 'birch'>,
): FitStats {
  const source =
    'matrix' in data
      ? { rows: data.matrix.rows, report: data.report, excluded: data.roles.excluded ?? [] }
      : data;
  return {
    algorithm,
    k,
    iterations: 1,
    inertia: undefined,
    logLikelihood: undefined,
    bic: undefined,
    aic: undefined,
    emptyComponents: 0,
    converged: true,
    backend: backend.kind,
    device: backend.deviceName,
    rows: source.rows,
    fellBack: backend instanceof ResilientBackend && backend.fellBack,
    seconds,
    seedPotential: undefined,
    emptyClusterRepairs: 0,
    history: [],
    emHistory: [],
    notices,
    preprocessing: source.report,
    excludedColumns: source.excluded,
    ...extra,
  };
}
