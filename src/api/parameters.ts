import { UsageError } from '../errors.js';

/**
 * Parameters declared once, as data: each has its CLI flag, its default and its constraint. The
 * commander options are built from this table (src/cli/options.ts) and the API validates its
 * options with the same rules, so a value accepted by one is accepted by the other.
 */
export type ParameterKind = 'int' | 'number' | 'choice' | 'string' | 'list';

export interface ParameterSpec {
  /** Option name in the API (camelCase). */
  name: string;
  /** CLI flag, with its value placeholder. */
  flag: string;
  kind: ParameterKind;
  description: string;
  default?: number | string;
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  choices?: readonly string[];
}

export const COMMON_PARAMETERS: readonly ParameterSpec[] = [
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
];

export const KMEANS_PARAMETERS: readonly ParameterSpec[] = [
  { name: 'k', flag: '--k <n>', kind: 'int', min: 1, description: 'number of segments' },
  {
    name: 'algorithm',
    flag: '--algorithm <name>',
    kind: 'choice',
    choices: ['kmeans', 'minibatch-kmeans', 'gmm'],
    default: 'kmeans',
    description:
      'kmeans; minibatch-kmeans (random batches, for data that should not be swept fully); or gmm (a Gaussian mixture: soft segments with a probability per segment)',
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
    kind: 'string',
    description:
      'k-means: auto (default: k-means|| from 200,000 rows, else k-means++), k-means++, k-means||, random; gmm: kmeans (default), k-means++, random; or a CSV/JSON file of k initial centres/means in input units, feature order (a gpuseg model file works too)',
  },
  {
    name: 'nInit',
    flag: '--n-init <n>',
    kind: 'string',
    default: 'auto',
    description:
      "independent runs, the best kept; 'auto' = 10 for k-means with random init, else 1 (scikit-learn's rules)",
  },
  {
    name: 'maxIter',
    flag: '--max-iter <n>',
    kind: 'int',
    min: 1,
    description: 'most iterations per run (default: 300 for k-means, 100 for gmm)',
  },
  {
    name: 'tol',
    flag: '--tol <x>',
    kind: 'number',
    min: 0,
    description:
      'k-means (default 1e-4): stop when the centre shift² ≤ tol × mean feature variance, 0: when labels stop changing; gmm (default 1e-3): when the mean log-likelihood per row changes by less',
  },
  {
    name: 'seed',
    flag: '--seed <n>',
    kind: 'int',
    min: 0,
    default: 0,
    description: 'random seed: the same seed gives the same result on the same backend',
  },
];

export const PREP_PARAMETERS: readonly ParameterSpec[] = [
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
];

export const OUT_OF_CORE_PARAMETERS: readonly ParameterSpec[] = [
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
];

export const GMM_PARAMETERS: readonly ParameterSpec[] = [
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
];

/** Converts a CLI string to the parameter's type, or checks an API value; throws a UsageError naming the flag. */
export function checkParameter(spec: ParameterSpec, value: unknown): number | string | string[] {
  const flag = spec.flag.split(' ')[0];
  const fail = (expected: string): never => {
    throw new UsageError(
      `${flag}: expected ${expected}, got '${Array.isArray(value) ? value.join(',') : String(value)}'`,
    );
  };
  switch (spec.kind) {
    case 'int':
    case 'number': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value.trim() !== ''
            ? Number(value)
            : Number.NaN;
      const what = spec.kind === 'int' ? 'an integer' : 'a number';
      const bound =
        spec.min !== undefined
          ? ` ≥ ${spec.min}`
          : spec.above !== undefined
            ? ` > ${spec.above}`
            : '';
      if (!Number.isFinite(n) || (spec.kind === 'int' && !Number.isInteger(n)))
        fail(`${what}${bound}`);
      if (spec.min !== undefined && n < spec.min) fail(`${what}${bound}`);
      if (spec.above !== undefined && n <= spec.above) fail(`${what}${bound}`);
      return n;
    }
    case 'choice':
      if (typeof value !== 'string' || !spec.choices!.includes(value))
        fail(`one of ${spec.choices!.join(', ')}`);
      return value as string;
    case 'list': {
      const list = Array.isArray(value)
        ? value.map(String)
        : typeof value === 'string'
          ? value.split(',')
          : fail('a comma-separated list of columns');
      const names = (list as string[]).map((s) => s.trim()).filter((s) => s.length > 0);
      if (names.length === 0) fail('at least one column name');
      return names;
    }
    case 'string':
      if (typeof value !== 'string' || value.length === 0) fail('a value');
      return value as string;
  }
}

/** The spec of an option by API name. */
export function parameter(specs: readonly ParameterSpec[], name: string): ParameterSpec {
  const spec = specs.find((s) => s.name === name);
  if (!spec) throw new Error(`no parameter '${name}'`);
  return spec;
}
