/**
 * The feature bins and PSI of a tracked period, begun before the period's passes over the
 * customers and finished after them: where every feature's values lie in shared memory (a file
 * read into a SharedArrayBuffer) the column helper thread counts them meanwhile (psi-share.ts), so
 * the ~10 ns a value of the bins' counting pass (0.3 s for three features of 10M customers) runs
 * beside the passes instead of after them. Otherwise, or with no helper, this thread counts them
 * when finished. The figures are the same either way (the same code on the same values).
 */
import type { Table } from 'apache-arrow';
import { beginShare, dropShare, finishShare, type SharedJob } from '../data/column-share.js';
import { chunksIn, chunksOf } from './chunk-rows.js';
import {
  binsOfValues,
  featurePsi,
  psiOfPeriodBins,
  type FeatureBins,
  type StoredBins,
} from './psi-bins.js';
import { psiOffsets, readPsiColumn, sharedChunks, type PsiWork } from './psi-share.js';
import { numbers } from './stability-figures.js';
import type { StoredPeriod } from './store.js';

/** The period's features with values, their values and their previous bins. */
interface Planned {
  name: string;
  values: Float64Array | Float64Array[];
  before: StoredBins | undefined;
}

/** Feature bins under way: finishFeatureBins gives the figures. */
export interface PendingBins {
  planned: Planned[];
  /** The helper's job, where it took one. */
  shared?: { job: SharedJob; work: PsiWork };
}

/**
 * Starts the bins of `features` (columns of `segments` that are numbers; others are left out),
 * against the previous period's stored bins (or, in a store older than that file, bins computed
 * from its customers).
 */
export function beginFeatureBins(
  features: readonly string[],
  segments: Table,
  previous: StoredPeriod | undefined,
): PendingBins {
  const planned: Planned[] = [];
  for (const name of features) {
    const values = chunksOf(segments, name, Float64Array) ?? numbers(segments, name);
    if (!values) continue;
    let before = previous?.psiBins?.[name];
    if (previous && !before) {
      const x = numbers(previous.customers, name);
      before = x && binsOfValues(x);
    }
    planned.push({ name, values, before });
  }
  const columns = planned.map((p) => sharedChunks(chunksIn(p.values)));
  if (planned.length === 0 || columns.some((c) => c === undefined)) return { planned };
  const against = planned.map((p) => p.before?.edges ?? []);
  const work: PsiWork = {
    kind: 'psi',
    columns: columns as PsiWork['columns'],
    against,
    results: new SharedArrayBuffer(8 * psiOffsets(against).length),
  };
  const rows = segments.numRows;
  // One feature is worth handing over too: the helper counts it while this thread runs the passes.
  const job = beginShare(work, rows * planned.length, 1);
  return job ? { planned, shared: { job, work } } : { planned };
}

/** Each feature's bins in this period, and its PSI against the previous period's bins. */
export function finishFeatureBins(pending: PendingBins): {
  bins: FeatureBins;
  psi: Record<string, number>;
} {
  const bins: FeatureBins = {};
  const psi: Record<string, number> = {};
  const { shared } = pending;
  if (shared) finishShare(shared.job, undefined);
  pending.planned.forEach((p, j) => {
    const counted = shared && readPsiColumn(shared.work, j);
    const r = counted ? psiOfPeriodBins(counted, p.before) : featurePsi(p.values, p.before);
    bins[p.name] = r.bins;
    if (r.psi !== undefined) psi[p.name] = r.psi;
  });
  return { bins, psi };
}

/** Bins no longer wanted (the period failed): the helper takes no more of their features. */
export function dropFeatureBins(pending: PendingBins): void {
  if (pending.shared) dropShare(pending.shared.job);
}
