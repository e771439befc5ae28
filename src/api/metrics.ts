import type { DataMatrix } from '../data/matrix.js';
import * as metrics from '../eval/metrics.js';
import type { SilhouetteMethod } from '../eval/metrics.js';
import {
  checkArrayArgument,
  checkIntegerArgument,
  checkLabelsArgument,
  checkMatrixArgument,
  checkObjectArgument,
} from '../util/arguments.js';

/**
 * The cluster-quality scores as the API offers them: on a fit's clustering space
 * (`result.data.matrix`) and labels. The arguments are checked here, once (src/eval assumes valid
 * input): an Arrow table, labels of another length or a label beyond k is a UsageError, never a
 * number computed from garbage.
 */

function checkScoreArguments(m: unknown, labels: unknown, k: unknown, at = ''): void {
  checkMatrixArgument(m, 'matrix');
  // Every score compares segments with each other.
  checkIntegerArgument(k, `${at}k`, 2);
  checkLabelsArgument(labels, `${at}labels`, m.rows, k);
}

/** Calinski-Harabasz (higher is better), as sklearn.metrics.calinski_harabasz_score. */
export function calinskiHarabasz(m: DataMatrix, labels: Int32Array, k: number): number {
  checkScoreArguments(m, labels, k);
  return metrics.calinskiHarabasz(m, labels, k);
}

/** Davies-Bouldin (lower is better), as sklearn.metrics.davies_bouldin_score. */
export function daviesBouldin(m: DataMatrix, labels: Int32Array, k: number): number {
  checkScoreArguments(m, labels, k);
  return metrics.daviesBouldin(m, labels, k);
}

/**
 * Silhouette scores of several labellings of the same rows (exact up to `exactMax` rows, else on a
 * sample drawn with `seed`), as sklearn.metrics.silhouette_score.
 */
export function silhouetteScores(
  m: DataMatrix,
  labellings: { labels: Int32Array; k: number }[],
  seed = 0,
  exactMax = metrics.SILHOUETTE_EXACT_MAX,
): { scores: number[]; method: SilhouetteMethod } {
  checkMatrixArgument(m, 'matrix');
  checkArrayArgument(labellings, 'labellings', (item, name) => {
    checkObjectArgument(item, name);
    const { labels, k } = item as { labels: unknown; k: unknown };
    checkScoreArguments(m, labels, k, `${name}.`);
  });
  checkIntegerArgument(seed, 'seed', 0);
  checkIntegerArgument(exactMax, 'exactMax', 2);
  return metrics.silhouetteScores(m, labellings, seed, exactMax);
}
