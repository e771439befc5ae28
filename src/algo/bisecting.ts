import type { Backend, DatasetHandle } from '../backend/backend.js';
import { MatrixArena } from '../data/matrix.js';
import { gatherRows } from '../data/row-subset.js';
import { InputError } from '../errors.js';
import { Rng } from '../util/rng.js';
import { leavesInOrder, numberLeaves, type BisectingNode } from './bisecting-tree.js';
import { kmeansPlusPlus, randomInit } from './kmeans-init.js';
import { runKMeans, type IterationStat } from './kmeans.js';

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
  const rootCentre = columnMeans(handle);
  const nodes: BisectingNode[] = [
    {
      centre: rootCentre,
      rows: n,
      sse: sumOfSquares(handle, rootCentre),
      score: 0,
      children: null,
      segment: null,
    },
  ];
  // The rows of every leaf (released when it is split).
  const members = new Map<number, Int32Array>([[0, Int32Array.from({ length: n }, (_, i) => i)]]);
  const sqDistances = new Float32Array(n);
  const history: IterationStat[] = [];
  let iterations = 0;
  let converged = true;
  let repairs = 0;
  for (let split = 0; split < settings.k - 1; split++) {
    const parent = clusterToBisect(nodes);
    const rows = members.get(parent)!;
    if (rows.length < 2)
      throw new InputError(
        (opt) =>
          `bisecting: cluster ${parent} to split has ${rows.length} row; the data has fewer than k=${settings.k} distinct rows — lower ${opt('k')}`,
      );
    // The whole data is already attached; a part is gathered into its own matrix.
    const whole = rows.length === n;
    const part = whole ? handle : await backend.attach(gatherRows(matrix, rows, arena));
    try {
      let best: Awaited<ReturnType<typeof runKMeans>> | undefined;
      for (let run = 0; run < settings.nInit; run++) {
        const init =
          hooks.startingCentres?.(split, run) ??
          (settings.init === 'random'
            ? randomInit(part.matrix, 2, rng).centres
            : (await kmeansPlusPlus(backend, part, 2, rng)).centres);
        const r = await runKMeans(
          backend,
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
      const halves = [new Array<number>(), new Array<number>()];
      const sse = [0, 0];
      for (let i = 0; i < rows.length; i++) {
        const side = best!.labels[i];
        halves[side].push(rows[i]);
        sse[side] += best!.sqDistances[i];
        sqDistances[rows[i]] = best!.sqDistances[i];
      }
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
        members.set(left + side, Int32Array.from(halves[side]));
      }
      members.delete(parent);
    } finally {
      if (!whole) await backend.detach(part);
    }
  }
  numberLeaves(nodes);
  const labels = new Int32Array(n);
  for (const leaf of leavesInOrder(nodes))
    for (const r of members.get(leaf)!) labels[r] = nodes[leaf].segment!;
  if (settings.k === 1) {
    // No split: distances to the mean of all rows.
    const a = await backend.assign(handle, Float32Array.from(rootCentre), 1);
    sqDistances.set(a.sqDistances);
  }
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += sqDistances[i];
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

/** The mean of every row, per feature, in float64 (the root's centre). */
function columnMeans(handle: DatasetHandle): number[] {
  const { matrix } = handle;
  const out: number[] = [];
  for (let j = 0; j < matrix.dims; j++) {
    let s = 0;
    for (let i = 0; i < matrix.rows; i++) s += matrix.data[j * matrix.rows + i];
    out.push(Math.fround(s / matrix.rows));
  }
  return out;
}

/** Σ over rows of ‖x − centre‖², in float64 (the root's SSE). */
function sumOfSquares(handle: DatasetHandle, centre: number[]): number {
  const { matrix } = handle;
  let s = 0;
  for (let j = 0; j < matrix.dims; j++)
    for (let i = 0; i < matrix.rows; i++) s += (matrix.data[j * matrix.rows + i] - centre[j]) ** 2;
  return s;
}
