import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { writeFileAtomic, type OutputSet } from '../util/atomic-write.js';
import type { CovarianceType, GmmParameters } from '../algo/gmm-math.js';
import type { Preprocessing } from '../prep/preprocess.js';
import type { CategoricalEncoding } from '../prep/categorical.js';
import { checkCategoricalModel } from './categorical-check.js';
import { checkDbscanFields, type DbscanModel } from './dbscan-model.js';
import { checkBirchFields, type BirchModel } from './birch-model.js';
import { GPUSEG_VERSION } from '../version.js';
import { MODEL_VERSION } from './model-version.js';
import { checkSubSegments, type SubSegmentLevel } from './sub-segments.js';
import { checkHierarchyModel, type BisectingModel, type WardModel } from './hierarchy-model.js';
import { argumentError, checkStringArgument } from '../util/arguments.js';

/**
 * The model file: versioned JSON with everything needed to score new rows. Readers accept any
 * model of a version they know and refuse newer ones with a message saying so.
 */
export const MODEL_FORMAT = 'gpuseg-model';
export { MODEL_VERSION };

export interface ModelBase {
  format: typeof MODEL_FORMAT;
  version: number;
  gpusegVersion: string;
  algorithm: 'kmeans' | 'gmm' | 'kprototypes' | 'bisecting' | 'ward' | 'dbscan' | 'birch';
  /** Input feature columns (what predict needs in its input). */
  features: string[];
  idColumn: string | null;
  k: number;
  /** Fitted preprocessing; null: the features are clustered as they are. */
  preprocessing: Preprocessing | null;
  /**
   * --categorical's encoding (categories in order, weights; prep/categorical.ts); predict encodes
   * these columns of its input with it. Absent without categorical columns.
   */
  categorical?: CategoricalEncoding;
  /**
   * K centres in the clustering space (after preprocessing: preprocessing.outputs columns, then
   * k-means with `categorical`: the weighted one-hot columns; k-prototypes: the numeric means only).
   */
  centres: number[][];
  /** The same centres in input units (features columns), for reading and for warm starts. */
  centresInputUnits: number[][];
  /** A name per segment (personas or a names file), when known. */
  segmentNames?: string[];
  /** Micro-segments: child levels of some segments (gpuseg split). */
  subSegments?: SubSegmentLevel[];
  iterations: number;
  converged: boolean;
  rows: number;
  backend: string;
  device: string;
  seed: number;
  init: string;
  nInit: number;
  maxIter: number;
  tol: number;
}

export interface KMeansModel extends ModelBase {
  algorithm: 'kmeans';
  inertia: number;
  /** Set when the centres came from mini-batch k-means (they are used the same way). */
  trainedWith?: 'minibatch-kmeans';
  batchSize?: number;
}

/** A Gaussian mixture; `centres` are the component means. */
export interface GmmModel extends ModelBase {
  algorithm: 'gmm';
  covarianceType: CovarianceType;
  regCovar: number;
  weights: number[];
  /** full: K×D×D; tied: D×D; diag: K×D; spherical: K — flattened row-major, in the clustering space. */
  covariances: number[];
  /** Mean log-likelihood per row of the training data (scikit-learn's score). */
  logLikelihood: number;
  bic: number;
  aic: number;
}

/** k-prototypes (Huang 1998): `centres` are the numeric means, `modes` the categorical prototypes. */
export interface KPrototypesModel extends ModelBase {
  algorithm: 'kprototypes';
  categorical: CategoricalEncoding;
  /** Cost of one categorical mismatch against squared distance in the clustering space. */
  gamma: number;
  /** K rows of one category index per categorical column (into categorical.columns[m].categories). */
  modes: number[][];
  /** Σ over the training rows of the cost to their prototype. */
  cost: number;
}

export type SegmentModel =
  KMeansModel | GmmModel | KPrototypesModel | BisectingModel | WardModel | DbscanModel | BirchModel;
export type { DbscanModel, BirchModel };

/** Writes the model file atomically; with `into`, it appears at that set's commit, with the others. */
export function saveModel(path: string, model: SegmentModel, into?: OutputSet): void {
  checkStringArgument(path, 'path');
  checkModel({ ...model });
  writeFileAtomic(path, [JSON.stringify(model, null, 2) + '\n'], into);
}

export function loadModel(path: string): SegmentModel {
  checkStringArgument(path, 'path');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`model file not found: '${path}'`, { cause: error });
  }
  return parseModel(text, path);
}

/** Checks a model's structure; every failure names the file and what is wrong. */
export function parseModel(text: string, source = 'model'): SegmentModel {
  checkStringArgument(text, 'text');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(
      `'${source}' is not a gpuseg model: not valid JSON (${(error as Error).message})`,
      { cause: error },
    );
  }
  return checkModel(value, source);
}

const finiteList = (v: unknown, n: number): boolean =>
  Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** A model as predict takes it: read and checked from a path, or a model object checked (copied). */
/** A UsageError unless `value` is a model object or a path (what predict and predictOutOfCore take). */
export function checkModelArgument(value: unknown): asserts value is SegmentModel | string {
  if (typeof value !== 'string' && (typeof value !== 'object' || value === null))
    throw argumentError('model', 'a gpuseg model or a model file path', value);
}

export function resolveModel(modelOrPath: SegmentModel | string): SegmentModel {
  return typeof modelOrPath === 'string' ? loadModel(modelOrPath) : checkModel({ ...modelOrPath });
}

/**
 * Checks a model given as an object (parsed JSON, or built by a caller) as `parseModel` checks a
 * file: every length matches the features and the clustering columns, every number that scoring
 * uses is finite and every scale non-zero (a zero scale would send each row to segment 0 with NaN
 * distances). Fills the defaults of older files in place; returns the model.
 */
export function checkModel(value: unknown, source = 'model'): SegmentModel {
  const bad = (what: string): never => {
    throw new InputError(`'${source}' is not a valid gpuseg model: ${what}`);
  };
  if (typeof value !== 'object' || value === null) return bad('not a JSON object');
  const m = value as Record<string, unknown>;
  if (m.format !== MODEL_FORMAT)
    return bad(`"format" is ${JSON.stringify(m.format)}, expected "${MODEL_FORMAT}"`);
  if (typeof m.version !== 'number' || !Number.isInteger(m.version) || m.version < 1)
    return bad('"version" is missing or not a positive integer');
  if (m.version > MODEL_VERSION) {
    throw new InputError(
      `'${source}' has model version ${m.version}, newer than this gpuseg (${GPUSEG_VERSION}) reads (${MODEL_VERSION}); upgrade gpuseg`,
    );
  }
  if (
    !['kmeans', 'gmm', 'kprototypes', 'bisecting', 'ward', 'dbscan', 'birch'].includes(
      m.algorithm as string,
    )
  )
    return bad(`unknown "algorithm" ${JSON.stringify(m.algorithm)}`);
  if (
    !Array.isArray(m.features) ||
    m.features.length === 0 ||
    !m.features.every((f) => typeof f === 'string')
  )
    return bad('"features" must be a non-empty list of column names');
  const prep = (m.preprocessing ?? null) as Preprocessing | null;
  if (
    prep !== null &&
    (typeof prep !== 'object' ||
      !Array.isArray(prep.outputs) ||
      !Array.isArray(prep.features) ||
      !prep.scale)
  )
    return bad('"preprocessing" is malformed');
  if (
    prep &&
    (prep.features.length !== m.features.length ||
      prep.features.some((f, j) => f !== (m.features as string[])[j]))
  )
    return bad('"preprocessing.features" differ from "features"');
  if (prep) checkPreprocessing(prep, bad);
  m.preprocessing = prep;
  const f = m.features.length;
  const d = (prep ? prep.outputs.length : f) + checkCategoricalModel(m, bad);
  if (typeof m.k !== 'number' || !Number.isInteger(m.k) || m.k < 1)
    return bad('"k" must be a positive integer');
  if (!Array.isArray(m.centres) || m.centres.length !== m.k)
    return bad(`"centres" must have k=${m.k} rows`);
  for (const [c, row] of (m.centres as unknown[]).entries()) {
    if (
      !Array.isArray(row) ||
      row.length !== d ||
      !row.every((v) => typeof v === 'number' && Number.isFinite(v))
    ) {
      return bad(`centre ${c} must be ${d} finite numbers (one per clustering column)`);
    }
  }
  if (!Array.isArray(m.centresInputUnits)) m.centresInputUnits = m.centres;
  else if (
    m.centresInputUnits.length !== m.k ||
    !(m.centresInputUnits as unknown[]).every((row) => finiteList(row, f))
  )
    return bad(
      `"centresInputUnits" must be k=${m.k} rows of ${f} finite numbers (one per feature)`,
    );
  if (
    m.segmentNames !== undefined &&
    (!Array.isArray(m.segmentNames) ||
      m.segmentNames.length !== m.k ||
      !m.segmentNames.every((n) => typeof n === 'string'))
  )
    return bad(`"segmentNames" must be k=${m.k} strings`);
  if (m.algorithm === 'dbscan') checkDbscanFields(m, d, bad);
  if (m.algorithm === 'birch') checkBirchFields(m, d, bad);
  if (m.algorithm === 'gmm') {
    const k = m.k as number;
    const types: Record<string, number> = {
      full: k * d * d,
      tied: d * d,
      diag: k * d,
      spherical: k,
    };
    if (typeof m.covarianceType !== 'string' || !(m.covarianceType in types))
      return bad(`"covarianceType" must be one of full, tied, diag, spherical`);
    if (!finiteList(m.weights, k) || !(m.weights as number[]).every((w) => w >= 0))
      return bad(`"weights" must be ${k} non-negative numbers`);
    const size = types[m.covarianceType];
    if (
      !Array.isArray(m.covariances) ||
      m.covariances.length !== size ||
      !m.covariances.every((v) => typeof v === 'number' && Number.isFinite(v))
    ) {
      return bad(
        `"covariances" must be ${size} finite numbers for covarianceType ${m.covarianceType}`,
      );
    }
    if (typeof m.regCovar !== 'number' || !(m.regCovar >= 0))
      return bad('"regCovar" must be a number ≥ 0');
  }
  if (m.algorithm === 'bisecting' || m.algorithm === 'ward') checkHierarchyModel(m, d, bad);
  checkSubSegments(m.subSegments, m.k as number, d, bad);
  return m as unknown as SegmentModel;
}

/** The fitted preprocessing's lengths and values, against its own features and outputs. */
function checkPreprocessing(prep: Preprocessing, bad: (what: string) => never): void {
  const f = prep.features.length;
  const field = (name: string, v: unknown, n: number, what = 'finite numbers'): void => {
    if (!finiteList(v, n))
      bad(`"preprocessing.${name}" must be ${n} ${what} (one per feature), got ${describe(v)}`);
  };
  if (!prep.outputs.every((o) => typeof o === 'string'))
    bad('"preprocessing.outputs" must be column names');
  if (prep.impute !== null && prep.impute !== undefined) {
    if (typeof prep.impute !== 'object') bad('"preprocessing.impute" is malformed');
    field('impute.values', prep.impute.values, f);
  }
  if (
    !Array.isArray(prep.log) ||
    !prep.log.every((c) => typeof c === 'string' && prep.features.includes(c))
  )
    bad('"preprocessing.log" must list feature names');
  if (prep.clip !== null && prep.clip !== undefined) {
    if (typeof prep.clip !== 'object') bad('"preprocessing.clip" is malformed');
    field('clip.lower', prep.clip.lower, f);
    field('clip.upper', prep.clip.upper, f);
  }
  if (typeof prep.scale !== 'object') bad('"preprocessing.scale" is malformed');
  field('scale.centre', prep.scale.centre, f);
  field('scale.scale', prep.scale.scale, f, 'finite non-zero numbers');
  const zero = prep.scale.scale.indexOf(0);
  if (zero >= 0)
    bad(
      `"preprocessing.scale.scale" is 0 for feature '${prep.features[zero]}' (a scale divides; it must be non-zero)`,
    );
  if (prep.pca !== null && prep.pca !== undefined) {
    const p = prep.pca;
    if (typeof p !== 'object' || !Array.isArray(p.components) || p.components.length === 0)
      bad('"preprocessing.pca.components" must be a non-empty list of rows');
    if (!p.components.every((row) => finiteList(row, f)))
      bad(`"preprocessing.pca.components" rows must be ${f} finite numbers (one per feature)`);
    field('pca.mean', p.mean, f);
    if (prep.outputs.length !== p.components.length)
      bad(
        `"preprocessing.outputs" has ${prep.outputs.length} columns for ${p.components.length} PCA components`,
      );
  } else if (prep.outputs.length !== f || prep.outputs.some((o, j) => o !== prep.features[j])) {
    bad('"preprocessing.outputs" must be the features when there is no PCA');
  }
}

function describe(v: unknown): string {
  if (!Array.isArray(v)) return JSON.stringify(v) ?? String(v);
  const bad = v.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
  return bad >= 0 ? `${JSON.stringify(v[bad])} at position ${bad}` : `${v.length} numbers`;
}

/** The centres (k-means) or component means (GMM) as the K×D float32 array the backends take. */
export function modelCentres(model: SegmentModel): Float32Array {
  return Float32Array.from(model.centres.flat());
}

/** The mixture parameters of a GMM model, as the M-step produces them. */
export function modelMixture(model: GmmModel): GmmParameters {
  return {
    type: model.covarianceType,
    k: model.k,
    d: model.centres[0].length,
    weights: Float64Array.from(model.weights),
    means: Float64Array.from(model.centres.flat()),
    covariances: Float64Array.from(model.covariances),
  };
}
