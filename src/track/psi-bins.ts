/**
 * The population stability index of each feature without reading the previous period's values:
 * every period stores its features' decile bins (edges, counts, n: the expected side of the next
 * period's PSI) in PSI_BINS_FILE beside the store's contract files, and the next period counts its
 * own values in those bins in the same two passes that give its own bins (deciles.ts periodBins).
 * The figures are those of populationStabilityIndex(previous values, current values) to the bit:
 * the same edges, the same counts, the same sum (psiOfBins). A store written before this file
 * existed has none: its bins are then computed from its customers.parquet (binsOfValues).
 */
import { whole } from './chunk-rows.js';
import { expectedBins, periodBins, type PeriodBins } from './deciles.js';
import { binCounts, psiEdges, psiOfBins } from './stability.js';

/** The bins file in each period's folder (not one of the contract files, and optional). */
export const PSI_BINS_FILE = 'psi_bins.json';

/** One feature's decile bins: bin i holds edges[i − 1] ≤ x < edges[i]; n finite values. */
export interface StoredBins {
  edges: number[];
  counts: number[];
  n: number;
}

/** A period's bins per feature. */
export type FeatureBins = Record<string, StoredBins>;

const stored = (b: { edges: number[]; counts: ArrayLike<number>; n: number }): StoredBins => ({
  edges: [...b.edges],
  counts: Array.from(b.counts),
  n: b.n,
});

/** A column's own bins (the expected side of a later PSI). */
export function binsOfValues(values: Float64Array): StoredBins {
  const fast = expectedBins(values);
  if (fast) return stored(fast);
  const edges = psiEdges(values);
  return stored({ edges, ...binCounts(values, edges) });
}

/** A feature's bins in this period and its PSI against the previous period's bins (if any). */
export interface FeaturePsi {
  bins: StoredBins;
  psi: number | undefined;
}

/**
 * This period's bins of a feature (its values, or its chunks' values in order), and its PSI
 * against the previous period's bins (undefined without them).
 */
export function featurePsi(
  column: Float64Array | readonly Float64Array[],
  previous: StoredBins | undefined,
): FeaturePsi {
  const fast = periodBins(column, previous?.edges ?? []);
  if (fast) return psiOfPeriodBins(fast, previous);
  // A big-endian machine: the edges by selection and the counts by comparison.
  const values = whole(column);
  return {
    bins: binsOfValues(values),
    psi: previous ? psiOfBins(previous, binCounts(values, previous.edges)) : undefined,
  };
}

/** featurePsi's figures from periodBins of the feature against the previous period's edges. */
export function psiOfPeriodBins(bins: PeriodBins, previous: StoredBins | undefined): FeaturePsi {
  return {
    bins: stored(bins.own),
    psi: previous ? psiOfBins(previous, bins.against) : undefined,
  };
}

/** PSI_BINS_FILE's text (features in the order given; numbers round-trip exactly). */
export function psiBinsText(bins: FeatureBins): string {
  return JSON.stringify({ features: bins }) + '\n';
}

const isBins = (b: unknown): b is StoredBins => {
  const x = b as StoredBins;
  return (
    typeof x === 'object' &&
    x !== null &&
    Array.isArray(x.edges) &&
    Array.isArray(x.counts) &&
    x.counts.length === x.edges.length + 1 &&
    [...x.edges, ...x.counts].every((v) => typeof v === 'number' && Number.isFinite(v)) &&
    x.edges.every((e, i) => i === 0 || e > x.edges[i - 1]) &&
    typeof x.n === 'number' &&
    x.counts.reduce((s, c) => s + c, 0) === x.n
  );
};

/** PSI_BINS_FILE's bins, or undefined when the text is not such a file. */
export function parsePsiBins(text: string): FeatureBins | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const features = (parsed as { features?: unknown } | null)?.features;
  if (typeof features !== 'object' || features === null || Array.isArray(features))
    return undefined;
  const out: FeatureBins = {};
  for (const [name, b] of Object.entries(features)) {
    if (!isBins(b)) return undefined;
    out[name] = b;
  }
  return out;
}
