import type { ParameterSpec } from './parameter-types.js';

/**
 * Part of the parameter table (src/api/parameters.ts re-exports it): the parameters of
 * bisecting k-means and Ward (src/algo/bisecting.ts, src/algo/ward.ts).
 */
export const HIERARCHY_PARAMETERS = [
  {
    name: 'bisectingStrategy',
    flag: '--bisecting-strategy <name>',
    kind: 'choice',
    choices: ['biggest_inertia', 'largest_cluster'],
    default: 'biggest_inertia',
    description:
      "bisecting: split the segment with the largest SSE or the most rows (scikit-learn's bisecting_strategy)",
  },
  {
    name: 'wardMethod',
    flag: '--ward-method <name>',
    kind: 'choice',
    choices: ['auto', 'exact', 'two-step'],
    default: 'auto',
    description:
      'ward: exact (every row; up to 20,000 rows), two-step (k-means into --micro-clusters, then Ward on them), auto: exact up to 20,000 rows',
  },
  {
    name: 'microClusters',
    flag: '--micro-clusters <m>',
    kind: 'int',
    min: 2,
    default: 200,
    description:
      'ward: k-means clusters of the two-step scheme, and the clusters the model keeps (the largest k gpuseg cut can make)',
  },
] as const satisfies readonly ParameterSpec[];
