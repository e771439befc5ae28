import { parameter } from './parameter-check.js';
import { ALGORITHMS, type ParameterSpec } from './parameter-types.js';
// bisecting's and ward's own parameters, in their own file to keep this one short.
export { HIERARCHY_PARAMETERS } from './parameters-hierarchy.js';

export {
  checkParameter,
  parameter,
  parameterDefault,
  resolveParameters,
} from './parameter-check.js';

// The parameter types and the algorithm list (parameter-types.ts): what a table is made of.
export {
  ALGORITHMS,
  type Algorithm,
  type ParameterKind,
  type ParameterOptions,
  type ParameterSpec,
  type ParameterValue,
  type ResolvedParameters,
} from './parameter-types.js';

export const COMMON_PARAMETERS = [
  {
    name: 'backend',
    flag: '--backend <name>',
    kind: 'choice',
    choices: ['auto', 'gpu', 'cpu'],
    default: 'auto',
    description:
      'auto: a hardware GPU when there is one, else the CPU (with a notice); gpu: fail without one; cpu',
  },
  {
    name: 'features',
    flag: '--features <a,b,c>',
    kind: 'list',
    description:
      'columns to cluster (default: every numeric column except the id and --profile columns)',
  },
  {
    name: 'id',
    flag: '--id <column>',
    kind: 'string',
    description:
      'id column carried into the output (default: a column named like CustomerID or id, else the row number)',
  },
  {
    name: 'profile',
    flag: '--profile <a,b>',
    kind: 'list',
    description:
      'columns left out of the clustering on purpose and brought back in the profiles (e.g. monetary)',
  },
  {
    name: 'thousands',
    flag: '--thousands <sep>',
    kind: 'choice',
    choices: ['none', ',', '.', 'space'],
    default: 'none',
    description:
      'thousands separator of the numbers in a CSV input: , (then . is the decimal mark), . (then ,) or space',
  },
] as const satisfies readonly ParameterSpec[];

export const KMEANS_PARAMETERS = [
  { name: 'k', flag: '--k <n>', kind: 'int', min: 1, description: 'number of segments' },
  {
    name: 'algorithm',
    flag: '--algorithm <name>',
    kind: 'choice',
    choices: ALGORITHMS,
    default: 'kmeans',
    description:
      'kmeans; minibatch-kmeans (random batches, for data that should not be swept fully); gmm (a Gaussian mixture: soft segments with a probability per segment); kprototypes (numeric means and --categorical modes, Huang 1998); bisecting (divisive: split the worst segment in two, k−1 times); ward (agglomerative: exact to 20,000 rows, else on --micro-clusters k-means clusters); dbscan (dense regions, noise as segment -1 "Unusual"; --eps, --min-samples; no --k); or birch (a CF-tree in one pass, its subclusters joined by Ward into --k; --threshold, --branching-factor)',
  },
  {
    name: 'batchSize',
    flag: '--batch-size <n>',
    kind: 'int',
    min: 1,
    default: 1024,
    description: 'minibatch-kmeans: rows per batch',
  },
  {
    name: 'init',
    flag: '--init <method>',
    kind: 'centres',
    description:
      'k-means: auto (default: k-means|| from 200,000 rows, else k-means++), k-means++, k-means||, random; gmm: kmeans (default), k-means++, random; or a CSV/JSON file of k initial centres/means in input units, feature order (a gpuseg model file works too)',
  },
  {
    name: 'nInit',
    flag: '--n-init <n>',
    kind: 'int-or-auto',
    min: 1,
    default: 'auto',
    description:
      "independent runs, the best kept; 'auto' = 10 for k-means with random init, else 1 (scikit-learn's rules)",
  },
  {
    name: 'maxIter',
    flag: '--max-iter <n>',
    kind: 'int',
    min: 1,
    // scikit-learn's: KMeans 300, MiniBatchKMeans 100, GaussianMixture 100.
    defaults: {
      kmeans: 300,
      'minibatch-kmeans': 100,
      gmm: 100,
      kprototypes: 100,
      bisecting: 300,
      ward: 300,
      dbscan: 1,
      birch: 1,
    },
    description: 'most iterations per run (default: 300 for k-means, 100 for gmm)',
  },
  {
    name: 'tol',
    flag: '--tol <x>',
    kind: 'number',
    min: 0,
    // scikit-learn's: KMeans 1e-4, MiniBatchKMeans 0 (early stopping instead), GaussianMixture 1e-3.
    // bisecting hands tol to each bisection unscaled, as scikit-learn's BisectingKMeans does.
    defaults: {
      kmeans: 1e-4,
      'minibatch-kmeans': 0,
      gmm: 1e-3,
      kprototypes: 0,
      bisecting: 1e-4,
      ward: 1e-4,
      dbscan: 0,
      birch: 0,
    },
    description:
      'k-means (default 1e-4): stop when the centre shift² ≤ tol × mean feature variance, 0: when labels stop changing; gmm (default 1e-3): when the mean log-likelihood per row changes by less; kprototypes (default 0): when the cost falls by no more than tol × cost, 0: when labels stop changing',
  },
  {
    name: 'seed',
    flag: '--seed <n>',
    kind: 'int',
    min: 0,
    // The generator takes 32 bits: a larger seed would wrap onto a smaller one's stream.
    max: 2 ** 32 - 1,
    default: 0,
    description: 'random seed: the same seed gives the same result on the same backend',
  },
] as const satisfies readonly ParameterSpec[];

export const PREP_PARAMETERS = [
  {
    name: 'impute',
    flag: '--impute <strategy>',
    kind: 'choice',
    choices: ['none', 'mean', 'median', 'constant'],
    default: 'none',
    description:
      'fill missing feature values (null, NaN) with the column mean, median or --impute-value; none: missing values are an error',
  },
  {
    name: 'imputeValue',
    flag: '--impute-value <x>',
    kind: 'number',
    default: 0,
    description: 'fill value for --impute constant',
  },
  {
    name: 'log',
    flag: '--log <a,b>',
    kind: 'list',
    description: 'features to log-transform, sign(x)·log(1+|x|) (for skewed spend)',
  },
  {
    name: 'clip',
    flag: '--clip <kind>',
    kind: 'choice',
    choices: ['none', 'iqr'],
    default: 'none',
    description: 'iqr: clip each feature to [Q1 − f·IQR, Q3 + f·IQR]',
  },
  {
    name: 'clipFactor',
    flag: '--clip-factor <f>',
    kind: 'number',
    above: 0,
    default: 1.5,
    description: 'the IQR multiple f of --clip iqr',
  },
  {
    name: 'scale',
    flag: '--scale <kind>',
    kind: 'choice',
    choices: ['standard', 'minmax', 'robust', 'none'],
    default: 'standard',
    description:
      "feature scaling before clustering (none: raw units, as scikit-learn's KMeans sees them)",
  },
  {
    name: 'pca',
    flag: '--pca <n>',
    kind: 'number',
    above: 0,
    description:
      'project onto n principal components, or (0 < n < 1) the fewest explaining that share of variance',
  },
  {
    name: 'categorical',
    flag: '--categorical <a,b>',
    kind: 'list',
    description:
      'columns clustered as categories: one-hot, each weighted to count as much as one standardised feature (kprototypes: matched by mode)',
  },
] as const satisfies readonly ParameterSpec[];

/** k-prototypes' mismatch weight (Huang 1998). */
export const KPROTOTYPES_PARAMETERS = [
  {
    name: 'gamma',
    flag: '--gamma <x>',
    kind: 'number',
    above: 0,
    description:
      'kprototypes: cost of one categorical mismatch, against squared distance in the clustering space (default: half the mean standard deviation of the numeric features there, Huang 1998; 0.5 when standardised)',
  },
] as const satisfies readonly ParameterSpec[];

export const OUT_OF_CORE_PARAMETERS = [
  {
    name: 'chunkRows',
    flag: '--chunk-rows <n>',
    kind: 'int',
    min: 1,
    default: 1_048_576,
    description:
      'out-of-core: rows per chunk sent to the backend (record batches / row groups are joined up to this)',
  },
  {
    name: 'sampleRows',
    flag: '--sample-rows <n>',
    kind: 'int',
    min: 1,
    default: 1_000_000,
    description:
      'out-of-core: rows of the uniform sample held in memory for preprocessing statistics, seeding and medians',
  },
] as const satisfies readonly ParameterSpec[];

export const GMM_PARAMETERS = [
  {
    name: 'covariance',
    flag: '--covariance <type>',
    kind: 'choice',
    choices: ['full', 'tied', 'diag', 'spherical'],
    default: 'full',
    description:
      "gmm: covariance per component (full, diag, spherical) or one shared (tied), as scikit-learn's covariance_type",
  },
  {
    name: 'regCovar',
    flag: '--reg-covar <x>',
    kind: 'number',
    min: 0,
    default: 1e-6,
    description: 'gmm: added to the diagonal of every covariance',
  },
] as const satisfies readonly ParameterSpec[];

// DBSCAN's and BIRCH's tables live beside this file (this one is at its size limit).
export { BIRCH_PARAMETERS, DBSCAN_PARAMETERS } from './density-parameters.js';

/** `predict`: the backend and the id column (the rest comes from the model). */
export const PREDICT_PARAMETERS = [
  parameter(COMMON_PARAMETERS, 'backend'),
  parameter(COMMON_PARAMETERS, 'id'),
  parameter(COMMON_PARAMETERS, 'thousands'),
] as const;

/** `cut`: the new number of segments of a hierarchical model. */
export const CUT_PARAMETERS = [parameter(KMEANS_PARAMETERS, 'k')] as const;

/** `split`: the segment to re-segment, into k sub-segments; predict's backend, id and thousands. */
export const SPLIT_PARAMETERS = [
  {
    name: 'segment',
    flag: '--segment <name>',
    kind: 'string',
    description: "the segment to re-segment: its name (the model's segment names) or its id",
  },
  parameter(KMEANS_PARAMETERS, 'k'),
  parameter(KMEANS_PARAMETERS, 'seed'),
  ...PREDICT_PARAMETERS,
] as const;

/** `select`: candidate k and its own defaults (one k-means++ run per k). */
export const SELECT_PARAMETERS = [
  {
    name: 'k',
    flag: '--k <range>',
    kind: 'string',
    description: 'candidate k: a range like 2..12 or a list like 3,5,8',
  },
  {
    name: 'algorithm',
    flag: '--algorithm <name>',
    kind: 'choice',
    choices: ['kmeans', 'gmm', 'ward', 'bisecting'],
    default: 'kmeans',
    description:
      'kmeans; gmm (a Gaussian mixture: soft segments with a probability per segment; adds BIC); ward or bisecting (one hierarchy fitted at the largest k and cut at each)',
  },
  {
    name: 'nInit',
    flag: '--n-init <n>',
    kind: 'int',
    min: 1,
    default: 1,
    description: 'k-means++ runs per k, best inertia kept',
  },
] as const satisfies readonly ParameterSpec[];

/** `segment`: k given, or chosen over a range. */
export const SEGMENT_PARAMETERS = [
  {
    name: 'k',
    flag: '--k <k>',
    kind: 'string',
    default: '2..8',
    description: 'number of segments, or a range to choose from by silhouette',
  },
] as const satisfies readonly ParameterSpec[];

/** --history's values (segment and fit); its switches (--rediscover, --refit-preprocessing, --force) are flags of the commands. */
export const HISTORY_PARAMETERS = [
  {
    name: 'history',
    flag: '--history <dir>',
    kind: 'string',
    description: 'store of weekly runs: stable segment keys, smoothing, migration (a folder)',
  },
  {
    name: 'confirmPeriods',
    flag: '--confirm-periods <n>',
    kind: 'int',
    min: 1,
    default: 2,
    description: 'periods in the same new segment before a customer is moved there',
  },
  {
    name: 'survivalThreshold',
    flag: '--survival-threshold <x>',
    kind: 'number',
    above: 0,
    max: 1,
    default: 0.7,
    description: 'share of a segment’s customers a match must keep for the segment to survive',
  },
  {
    name: 'splitThreshold',
    flag: '--split-threshold <x>',
    kind: 'number',
    above: 0,
    max: 1,
    default: 0.3,
    description: 'share of a segment’s customers each part of a split must hold',
  },
  {
    name: 'window',
    flag: '--window <days>',
    kind: 'int',
    min: 1,
    description: 'with --history: RFM over the last N days before --as-of only',
  },
] as const satisfies readonly ParameterSpec[];
