import type { KMeansModel } from './model.js';

/**
 * A DBSCAN model (api/fit-dbscan.ts). `k` counts the clusters and `centres` are their means (for
 * profiles, reports and the `distance` column); noise is segment −1, named NOISE_SEGMENT_NAME, an
 * exception to the 0 … k − 1 of other models. Scoring uses the core rows: predict gives a new row
 * the cluster of its nearest core row within eps, else −1 (api/predict-dbscan.ts).
 */
export interface DbscanModel extends Omit<
  KMeansModel,
  'algorithm' | 'inertia' | 'trainedWith' | 'batchSize'
> {
  algorithm: 'dbscan';
  eps: number;
  minSamples: number;
  /** Training rows that were noise. */
  noise: number;
  /** The core rows in the clustering space, in training-row order. */
  corePoints: number[][];
  /** The cluster of each core row. */
  coreLabels: number[];
}

/** The segment id and name of DBSCAN's noise rows. */
export const NOISE_SEGMENT = -1;
export const NOISE_SEGMENT_NAME = 'Unusual';

/** Checks a DBSCAN model's own fields (d: clustering columns); `bad` throws. */
export function checkDbscanFields(
  m: Record<string, unknown>,
  d: number,
  bad: (what: string) => never,
): void {
  if (typeof m.eps !== 'number' || !(m.eps > 0) || !Number.isFinite(m.eps))
    bad('"eps" must be a number > 0');
  if (typeof m.minSamples !== 'number' || !Number.isInteger(m.minSamples) || m.minSamples < 1)
    bad('"minSamples" must be an integer ≥ 1');
  const k = m.k as number;
  const points = m.corePoints;
  const labels = m.coreLabels;
  if (!Array.isArray(points) || !Array.isArray(labels) || points.length !== labels.length)
    bad('"corePoints" and "coreLabels" must be lists of the same length');
  for (const [i, row] of (points as unknown[]).entries())
    if (
      !Array.isArray(row) ||
      row.length !== d ||
      !row.every((v) => typeof v === 'number' && Number.isFinite(v))
    )
      bad(`core point ${i} must be ${d} finite numbers (one per clustering column)`);
  if (
    !(labels as unknown[]).every(
      (l) => Number.isInteger(l) && (l as number) >= 0 && (l as number) < k,
    )
  )
    bad(`"coreLabels" must be cluster numbers 0 … ${k - 1}`);
}
