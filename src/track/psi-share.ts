/**
 * The decile bins of a period's features (deciles.ts periodBins) as work for the column helper
 * thread (data/column-share.ts): a feature a part, its values read where they lie in shared memory
 * (a file read into a SharedArrayBuffer), its figures written into a shared array. Either thread
 * runs the same periodBins on the same values, so the figures are those of the main thread to the
 * bit; the helper does them while the main thread runs the period's passes over the customers.
 */
import { periodBins, type PeriodBins } from './deciles.js';

/** A chunk of a float64 column in shared memory, as a thread receives it. */
export interface SharedChunk {
  buffer: SharedArrayBuffer;
  byteOffset: number;
  length: number;
}

/** PSI's bins: deciles (periodBins' default). */
const BINS = 10;

export interface PsiWork {
  kind: 'psi';
  /** Per feature: its values' chunks in row order. */
  columns: SharedChunk[][];
  /** Per feature: the previous period's edges ([] where there are none). */
  against: number[][];
  /** Float64: each feature's figures from psiOffsets(against)[j] on (see writeBins). */
  results: SharedArrayBuffer;
}

/**
 * Where each feature's figures start in the results, and their total length. A feature's figures:
 * done (1, or 0 where periodBins does not apply), n, its own edge count, BINS − 1 edge slots, BINS
 * count slots, then the against side's n and its against.length + 1 counts.
 */
export function psiOffsets(against: readonly (readonly number[])[]): {
  offsets: number[];
  length: number;
} {
  const offsets: number[] = [];
  let at = 0;
  for (const edges of against) {
    offsets.push(at);
    at += 3 + (BINS - 1) + BINS + 1 + edges.length + 1;
  }
  return { offsets, length: at };
}

/** The chunks of a float64 column when every one lies in shared memory; undefined otherwise. */
export function sharedChunks(chunks: readonly Float64Array[]): SharedChunk[] | undefined {
  const out: SharedChunk[] = [];
  for (const c of chunks) {
    if (!(c.buffer instanceof SharedArrayBuffer)) return undefined;
    out.push({ buffer: c.buffer, byteOffset: c.byteOffset, length: c.length });
  }
  return out;
}

/** Feature j of the work: its bins, written into the results (either thread). */
export function doPsiColumn(work: PsiWork, j: number): void {
  const values = work.columns[j].map((c) => new Float64Array(c.buffer, c.byteOffset, c.length));
  const bins = periodBins(values, work.against[j], BINS);
  const at = psiOffsets(work.against).offsets[j];
  const out = new Float64Array(work.results);
  if (!bins) {
    out[at] = 0;
    return;
  }
  const { own, against } = bins;
  out[at + 1] = own.n;
  out[at + 2] = own.edges.length;
  out.set(own.edges, at + 3);
  out.set(own.counts, at + 3 + (BINS - 1));
  const a = at + 3 + (BINS - 1) + BINS;
  out[a] = against.n;
  out.set(against.counts, a + 1);
  out[at] = 1;
}

/** Feature j's bins from the results, or undefined where periodBins did not apply. */
export function readPsiColumn(work: PsiWork, j: number): PeriodBins | undefined {
  const at = psiOffsets(work.against).offsets[j];
  const r = new Float64Array(work.results);
  if (r[at] !== 1) return undefined;
  const edgeCount = r[at + 2];
  const a = at + 3 + (BINS - 1) + BINS;
  return {
    own: {
      n: r[at + 1],
      edges: Array.from(r.subarray(at + 3, at + 3 + edgeCount)),
      counts: r.slice(at + 3 + (BINS - 1), at + 3 + (BINS - 1) + edgeCount + 1),
    },
    against: { n: r[a], counts: r.slice(a + 1, a + 1 + work.against[j].length + 1) },
  };
}
