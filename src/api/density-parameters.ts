import type { ParameterSpec } from './parameter-types.js';

/**
 * The parameter tables of the density and tree algorithms, declared as parameters.ts declares the
 * others (and re-exported from it): DBSCAN (api/fit-dbscan.ts) and BIRCH (api/fit-birch.ts).
 */

/** DBSCAN's (api/fit-dbscan.ts): the neighbourhood radius and the rows that make it dense. */
export const DBSCAN_PARAMETERS = [
  {
    name: 'eps',
    flag: '--eps <x>',
    kind: 'number-or-auto',
    above: 0,
    default: 'auto',
    description:
      'dbscan: neighbourhood radius in the clustering space (after --scale), a number > 0, or auto (the knee of the k-distance curve, k = --min-samples)',
  },
  {
    name: 'minSamples',
    flag: '--min-samples <n>',
    kind: 'int',
    min: 1,
    default: 5,
    description: 'dbscan: rows within eps (the row itself counted) that make a row a core row',
  },
] as const satisfies readonly ParameterSpec[];

/** BIRCH's (api/fit-birch.ts): the CF-tree's subcluster radius and fan-out, and its global step. */
export const BIRCH_PARAMETERS = [
  {
    name: 'threshold',
    flag: '--threshold <x>',
    kind: 'number',
    above: 0,
    default: 0.5,
    description:
      'birch: largest radius of a leaf subcluster, in the clustering space (after --scale)',
  },
  {
    name: 'branchingFactor',
    flag: '--branching-factor <n>',
    kind: 'int',
    min: 2,
    default: 50,
    description: 'birch: most subclusters a CF-tree node holds before it splits',
  },
  {
    name: 'birchGlobal',
    flag: '--birch-global <kind>',
    kind: 'choice',
    choices: ['ward', 'weighted-ward', 'kmeans'],
    default: 'ward',
    description:
      "birch: how the subclusters are joined into --k segments: ward (scikit-learn's, each centroid counted once), weighted-ward (each centroid counted by its rows) or kmeans (k-means with each centroid weighted by its rows)",
  },
] as const satisfies readonly ParameterSpec[];
