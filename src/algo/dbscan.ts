import type { Backend } from '../backend/backend.js';
import type { DataMatrix } from '../data/matrix.js';
import { UsageError } from '../errors.js';
import { countPairs, pairGraph, PAIR_LIMITS, type PairLimits } from './dbscan-pairs.js';
import { kDistanceKnee } from './kdistance.js';
import { gridRows } from './grid-rows.js';
import { sortRows } from './sorted-rows.js';

/**
 * DBSCAN (Ester et al. 1996; scikit-learn's DBSCAN, same labels): rows with at least min-samples
 * rows (themselves included) within eps are core rows; core rows within eps of each other form a
 * cluster; other rows within eps of a core row are border rows of the first such cluster
 * (dbscan-graph.ts); the rest is noise (label −1).
 *
 * The rows are sorted into a grid over their first principal axes (grid-rows.ts) and attached in
 * that order, so each row is compared only with the rows of its neighbouring cells. Two backend
 * passes over the windows sorted before each row (dbscan-pairs.ts: every pair once, from its later
 * row): ε-neighbour counts (the room of the lists), then the lists, range by range, whose pairs
 * give the core flags and the union-find graph on the host. Pairs the backend could not decide
 * (float32 rounding of eps) are decided there in float64.
 */
export interface DbscanSettings {
  eps: number | 'auto';
  minSamples: number;
  /** For the sample of `eps: 'auto'`. */
  seed: number;
}

export interface DbscanResult {
  /** Cluster of each input row, 0 … clusters − 1, or −1 for noise. */
  labels: Int32Array;
  /** 1 for core rows, in input order. */
  core: Uint8Array;
  clusters: number;
  noise: number;
  /** The eps used (the knee's when 'auto'). */
  eps: number;
  /** ε-neighbour candidates summed over rows (the row itself, both ends of a pair): statistics. */
  pairs: number;
}

/** The most rows DBSCAN takes: its passes compare every row with its window, O(N²) at worst. */
export const DBSCAN_MAX_ROWS = { cpu: 200_000, gpu: 2_000_000 } as const;

/** The most ε-neighbour pairs (Σ over rows) before eps is refused as too large for the data. */
export const DBSCAN_MAX_PAIRS = 500_000_000;

export function checkDbscanRows(rows: number, kind: Backend['kind']): void {
  const most = DBSCAN_MAX_ROWS[kind];
  if (rows > most)
    throw new UsageError(
      (opt) =>
        `${opt('algorithm')} dbscan takes at most ${most.toLocaleString('en-US')} rows on the ${kind === 'gpu' ? 'GPU' : 'CPU'} (got ${rows.toLocaleString('en-US')}); use ${opt('algorithm')} kmeans (or ward) for more rows${kind === 'cpu' ? ', or a GPU (up to 2,000,000)' : ''}`,
    );
}

export async function runDbscan(
  backend: Backend,
  input: DataMatrix,
  settings: DbscanSettings,
  limits: PairLimits = PAIR_LIMITS,
): Promise<DbscanResult> {
  checkDbscanRows(input.rows, backend.kind);
  const n = input.rows;
  const m = settings.minSamples;
  const eps = settings.eps === 'auto' ? autoEps(input, m, settings.seed) : settings.eps;
  const grid = gridRows(input, eps);
  const handle = await backend.attach(grid.matrix);
  try {
    const rooms = await countPairs(backend, handle, grid, eps);
    const pairs = rooms.pairs;
    if (pairs > DBSCAN_MAX_PAIRS)
      throw new UsageError(
        (opt) =>
          `${opt('eps')} ${eps} puts ${Math.round(pairs / n)} rows within eps of each row on average (${pairs} pairs, at most ${DBSCAN_MAX_PAIRS}); lower ${opt('eps')}`,
      );
    const { core, graph } = await pairGraph(backend, handle, grid, eps, m, rooms, limits);
    const { labels, clusters } = graph.labels(core, grid.perm);
    const coreInput = new Uint8Array(n);
    for (let r = 0; r < n; r++) coreInput[grid.perm[r]] = core[r];
    let noise = 0;
    for (let i = 0; i < n; i++) if (labels[i] < 0) noise++;
    return { labels, core: coreInput, clusters, noise, eps, pairs };
  } finally {
    await backend.detach(handle);
  }
}

function autoEps(input: DataMatrix, minSamples: number, seed: number): number {
  const eps = kDistanceKnee(sortRows(input), minSamples, seed);
  if (!(eps > 0))
    throw new UsageError(
      (opt) =>
        `${opt('eps')} auto: the k-distance curve (k = ${opt('minSamples')} ${minSamples}) is 0 at its knee (many duplicate rows); give ${opt('eps')} explicitly`,
    );
  return eps;
}
