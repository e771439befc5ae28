import type { BirchGlobal } from '../algo/birch-global.js';
import type { KMeansModel } from './model.js';

/**
 * A BIRCH model (api/fit-birch.ts): `centres` are the k segments' means; scoring uses the CF-tree's
 * leaf subclusters: a row gets the segment of its nearest subcluster centroid (as scikit-learn's
 * Birch.predict), through the backend's assignment pass.
 */
export interface BirchModel extends Omit<
  KMeansModel,
  'algorithm' | 'inertia' | 'trainedWith' | 'batchSize'
> {
  algorithm: 'birch';
  threshold: number;
  branchingFactor: number;
  global: BirchGlobal;
  /** Leaf subcluster centroids in the clustering space, leaf by leaf. */
  subclusterCentres: number[][];
  /** The segment of each subcluster. */
  subclusterLabels: number[];
}

/** Checks a BIRCH model's own fields (d: clustering columns); `bad` throws. */
export function checkBirchFields(
  m: Record<string, unknown>,
  d: number,
  bad: (what: string) => never,
): void {
  if (typeof m.threshold !== 'number' || !(m.threshold > 0))
    bad('"threshold" must be a number > 0');
  const centres = m.subclusterCentres;
  const labels = m.subclusterLabels;
  if (
    !Array.isArray(centres) ||
    !Array.isArray(labels) ||
    centres.length !== labels.length ||
    centres.length === 0
  )
    bad('"subclusterCentres" and "subclusterLabels" must be non-empty lists of the same length');
  for (const [i, row] of (centres as unknown[]).entries())
    if (
      !Array.isArray(row) ||
      row.length !== d ||
      !row.every((v) => typeof v === 'number' && Number.isFinite(v))
    )
      bad(`subcluster centre ${i} must be ${d} finite numbers (one per clustering column)`);
  const k = m.k as number;
  if (
    !(labels as unknown[]).every(
      (l) => Number.isInteger(l) && (l as number) >= 0 && (l as number) < k,
    )
  )
    bad(`"subclusterLabels" must be segment numbers 0 … ${k - 1}`);
}
