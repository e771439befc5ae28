import type { Backend, DatasetHandle } from '../backend/backend.js';
import { MatrixArena } from '../data/matrix.js';
import { gatherRows } from '../data/row-subset.js';
import { InputError } from '../errors.js';
import { Rng } from '../util/rng.js';
import { allRows, columnMeans, fillRows, splitRows, sumOfSquares } from './bisecting-rows.js';
import { leavesInOrder, numberLeaves, type BisectingNode } from './bisecting-tree.js';
import { kmeansPlusPlus, randomInit } from './kmeans-init.js';
import { runKMeans, type IterationStat } from './kmeans.js';
import { sumInOrder } from './sum-in-order.js';

export type BisectingStrategy = 'biggest_inertia' | 'largest_cluster';

/** Bisecting k-means settings, validated by the caller (src/api). */
export interface BisectingSettings {
  k: number;
  strategy: BisectingStrategy;
  /** How each bisection's two starting centres are chosen (scikit-learn's default: random rows). */
  init: 'random' | 'k-means++';
  /** 2-means runs per bisection, the best inertia kept. */
  nInit: number;
  maxIter: number;
  /**
   * Absolute: a bisection's 2-means stops when Σ‖Δc‖² ≤ tol. scikit-learn's BisectingKMeans hands
   * its tol to each bisection unscaled (KMeans scales it by the mean feature variance); so do we.
   */
  tol: number;
  seed: number;
}

export interface BisectingHooks {
  /**
   * A single-thread backend on the host (fit's openHostBackend): the bisections of clusters of up
   * to HOST_SPLIT_MAX_VALUES values run on it, opened once a fit. Their few Lloyd passes take a
   * thread milliseconds; on the fit's backend each cluster was first attached to every worker
   * thread (or uploaded to the device) and then detached again (on the CPU backend a collection
   * in every worker), which cost more than the passes. Without it every bisection runs on the
   * fit's backend. The labels are the same either way on the CPU (its results do not depend on the
   * threads); on a GPU the small bisections then give the CPU's.
   */
  openHostBackend?: () => Promise<Backend>;
  /** Starting centres (2×D) of run `run` of bisection `split`, instead of `init` (tests feed scikit-learn's). */
  startingCentres?: (split: number, run: number) => Float32Array;
  onIteration?: (stat: IterationStat) => void;
}

export interface BisectingResult {
  /** The split tree (bisecting-tree.ts), leaves numbered as the labels. */
  tree: BisectingNode[];
  labels: Int32Array;
  /** Squared distance of each row to its leaf's centre. */
  sqDistances: Float32Array;
  inertia: number;
  /** Lloyd iterations over all bisections. */
  iterations: number;
  /** Every bisection's 2-means converged. */
  converged: boolean;
  emptyClusterRepairs: number;
  /** Per iteration; `run` is the bisection's number. */
  history: IterationStat[];
}

/** Clusters of up to this many values (rows × dims) are bisected on the host backend, if given. */
export const HOST_SPLIT_MAX_VALUES = 1 << 22;

/**
 * Bisecting k-means as scikit-learn's BisectingKMeans: start from one cluster of every row; k−1
 * times, pick the leaf with the highest score (first in depth-first order among equals) and split
 * it with 2-means — the backend's Lloyd passes over a matrix of that cluster's rows — keeping
 * the best of nInit runs (a run replaces the best only when its inertia is lower by more than a
 * relative 1e-6, as scikit-learn's). Labels are the leaves, numbered depth-first.
 */
export async function runBisectingKMeans(
  backend: Backend,
  handle: DatasetHandle,
  settings: BisectingSettings,
  hooks: BisectingHooks = {},
): Promise<BisectingResult> {
  const { matrix } = handle;
  const n = matrix.rows;
  const d = matrix.dims;
  const rng = new Rng(settings.seed);
  const arena = new MatrixArena();
  const rootCentre = columnMeans(matrix);
  const nodes: BisectingNode[] = [
    {
      centre: rootCentre,
      rows: n,
      sse: sumOfSquares(matrix, rootCentre),
      score: 0,
      children: null,
      segment: null,
    },
  ];
  // The rows of every leaf (released when it is split).
  const members = new Map<number, Int32Array>([[0, allRows(n)]]);
  const sqDistances = new Float32Array(n);
  const history: IterationStat[] = [];
  let iterations = 0;
  let converged = true;
  let repairs = 0;
  let host: Backend | undefined;
  try {
    for (let split = 0; split < settings.k - 1; split++) {
      const parent = clusterToBisect(nodes);
      const rows = members.get(parent)!;
      if (rows.length < 2)
        throw new InputError(
          (opt) =>
            `bisecting: cluster ${parent} to split has ${rows.length} row; the data has fewer than k=${settings.k} distinct rows — lower ${opt('k')}`,
        );
      // The whole data is already attached; a part is gathered into its own matrix, on the host
      // where it is small enough (BisectingHooks.openHostBackend).
      const whole = rows.length === n;
      const onHost = !whole && hooks.openHostBackend && rows.length * d <= HOST_SPLIT_MAX_VALUES;
      if (onHost) host ??= await hooks.openHostBackend!();
      const on = onHost ? host! : backend;
      const part = whole ? handle : await on.attach(gatherRows(matrix, rows, arena));
      try {
        let best: Awaited<ReturnType<typeof runKMeans>> | undefined;
        for (let run = 0; run < settings.nInit; run++) {
          const init =
            hooks.startingCentres?.(split, run) ??
            (settings.init === 'random'
              ? randomInit(part.matrix, 2, rng).centres
              : (await kmeansPlusPlus(on, part, 2, rng)).centres);
          const r = await runKMeans(
            on,
            part,
            { k: 2, init, nInit: 1, maxIter: settings.maxIter, tol: settings.tol, seed: 0 },
            1, // tolerance = tol, unscaled (see BisectingSettings.tol)
            {
              onIteration: (stat) => {
                const s = { ...stat, run: split };
                history.push(s);
                hooks.onIteration?.(s);
              },
            },
          );
          iterations += r.iterations;
          repairs += r.emptyClusterRepairs;
          if (!best || r.inertia < best.inertia * (1 - 1e-6)) best = { ...r, history: [] };
        }
        converged &&= best!.converged;
        const { halves, sse } = splitRows(rows, best!.labels, best!.sqDistances, sqDistances);
        const left = nodes.length;
        nodes[parent].children = [left, left + 1];
        for (const side of [0, 1]) {
          nodes.push({
            centre: Array.from(best!.centres.subarray(side * d, (side + 1) * d)),
            rows: halves[side].length,
            sse: sse[side],
            score: settings.strategy === 'biggest_inertia' ? sse[side] : halves[side].length,
            children: null,
            segment: null,
          });
          members.set(left + side, halves[side]);
        }
        members.delete(parent);
      } finally {
        if (!whole) await on.detach(part);
      }
    }
  } finally {
    await host?.dispose();
  }
  numberLeaves(nodes);
  const labels = new Int32Array(n);
  for (const leaf of leavesInOrder(nodes))
    fillRows(labels, members.get(leaf)!, nodes[leaf].segment!);
  if (settings.k === 1) {
    // No split: distances to the mean of all rows.
    const a = await backend.assign(handle, Float32Array.from(rootCentre), 1);
    sqDistances.set(a.sqDistances);
  }
  const inertia = sumInOrder(sqDistances);
  return {
    tree: nodes,
    labels,
    sqDistances,
    inertia,
    iterations,
    converged,
    emptyClusterRepairs: repairs,
    history,
  };
}

/** The leaf with the highest score, the first in depth-first order among equals (scikit-learn's rule). */
function clusterToBisect(nodes: readonly BisectingNode[]): number {
  let best = -1;
  for (const leaf of leavesInOrder(nodes))
    if (best < 0 || nodes[leaf].score > nodes[best].score) best = leaf;
  return best;
}
