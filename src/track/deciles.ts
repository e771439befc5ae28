/**
 * The expected side of the population stability index in two passes over a float64 column: its
 * decile edges (psiEdges' order statistics, to the bit) and how many values fall in each bin. The
 * first pass counts the values per bucket of the float's top 16 bits, taken in an order-preserving
 * form (sign flipped, negatives inverted), so buckets are sorted ranges of values and each rank's
 * bucket is known from the counts; the second copies out only the values of the (at most nine)
 * buckets that hold a wanted rank, and the order statistics are selected there. The bins' counts
 * follow from the bucket counts and those few values: no third pass, no copy of the column, no
 * partitioning of 10M values.
 */
import { orderStatistics } from './select.js';

const BUCKETS = 1 << 16;
/** The sign bit as an int32 (the high word of −0); int32 views keep the loop on small integers. */
const SIGN = -0x80000000;
const EXPONENT = 0x7ff00000;

/** Float64 values seen as 32-bit words: [low, high] per value on a little-endian machine. */
const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export interface ExpectedBins {
  /** The decile edges, ascending, repeated values merged (psiEdges). */
  edges: number[];
  /** counts[i]: finite values with edges[i − 1] ≤ x < edges[i]. */
  counts: Float64Array;
  /** Finite values. */
  n: number;
}

/** The order-preserving bucket of a finite float64 given its high and low words (−0 as +0). */
function bucketOf(high: number, low: number): number {
  if (high === SIGN && low === 0) return 0x8000;
  return (high < 0 ? ~high : high ^ SIGN) >>> 16;
}

/**
 * Rows a call of a pass's loop takes: a loop called once over 10M rows runs in V8's slower tiers
 * until on-stack replacement swaps it, and is thrown back to them when the code after it first
 * runs; called again and again, it is optimised as a whole function and stays so.
 */
export const CHUNK = 1 << 16;

/** Pass 1 over rows [from, to): each finite value counted in its bucket; returns how many. */
function countBuckets(words: Int32Array, counts: Int32Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const high = words[2 * i + 1];
    if ((high & EXPONENT) === EXPONENT) continue; // NaN or ±∞
    counts[bucketOf(high, words[2 * i])]++;
    n++;
  }
  return n;
}

interface Wanted {
  bucket: number;
  /** Finite values in the buckets before this one. */
  before: number;
  values: Float64Array;
  fill: number;
}

/** Pass 2 over rows [from, to): the values of the wanted buckets copied out. */
function collect(
  values: Float64Array,
  words: Int32Array,
  slot: Int32Array,
  wanted: Wanted[],
  from: number,
  to: number,
): void {
  for (let i = from; i < to; i++) {
    const high = words[2 * i + 1];
    if ((high & EXPONENT) === EXPONENT) continue;
    const s = slot[bucketOf(high, words[2 * i])];
    if (s >= 0) {
      const w = wanted[s];
      w.values[w.fill++] = values[i];
    }
  }
}

/** Edges and bin counts of `values`; undefined where the bucket view does not apply (big-endian). */
export function expectedBins(values: Float64Array, bins = 10): ExpectedBins | undefined {
  if (!littleEndian) return undefined;
  const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  const counts = new Int32Array(BUCKETS);
  let n = 0;
  for (let from = 0; from < values.length; from += CHUNK)
    n += countBuckets(words, counts, from, Math.min(values.length, from + CHUNK));
  if (n === 0) return { edges: [], counts: new Float64Array(1), n };
  const ranks: number[] = [];
  for (let q = 1; q < bins; q++) ranks.push(Math.min(n - 1, Math.floor((q * n) / bins)));
  // Each rank's bucket and the rows before that bucket.
  const slot = new Int32Array(BUCKETS).fill(-1);
  const wanted: Wanted[] = [];
  const rankSlot: number[] = [];
  let before = 0;
  let r = 0;
  for (let bucket = 0; bucket < BUCKETS && r < ranks.length; bucket++) {
    const c = counts[bucket];
    while (r < ranks.length && ranks[r] < before + c) {
      if (slot[bucket] < 0) {
        slot[bucket] = wanted.length;
        wanted.push({ bucket, before, values: new Float64Array(c), fill: 0 });
      }
      rankSlot.push(slot[bucket]);
      r++;
    }
    before += c;
  }
  for (let from = 0; from < values.length; from += CHUNK)
    collect(values, words, slot, wanted, from, Math.min(values.length, from + CHUNK));
  // The order statistics, bucket by bucket (a bucket's ranks are consecutive).
  const stats = new Array<number>(ranks.length);
  for (let s = 0; s < wanted.length; s++) {
    const at: number[] = [];
    for (let q = 0; q < ranks.length; q++) if (rankSlot[q] === s) at.push(q);
    const local = orderStatistics(
      wanted[s].values,
      at.map((q) => ranks[q] - wanted[s].before),
    );
    at.forEach((q, j) => (stats[q] = local[j]));
  }
  const edges: number[] = [];
  const edgeSlot: number[] = [];
  stats.forEach((v, q) => {
    if (edges.length === 0 || v > edges[edges.length - 1]) {
      edges.push(v);
      edgeSlot.push(rankSlot[q]);
    }
  });
  // Values below an edge: the buckets before its bucket, and the smaller values in its bucket.
  const below = edges.map((e, j) => {
    const w = wanted[edgeSlot[j]];
    let m = w.before;
    for (let i = 0; i < w.values.length; i++) if (w.values[i] < e) m++;
    return m;
  });
  const binCounts = new Float64Array(edges.length + 1);
  let previous = 0;
  for (let j = 0; j < edges.length; j++) {
    binCounts[j] = below[j] - previous;
    previous = below[j];
  }
  binCounts[edges.length] = n - previous;
  return { edges, counts: binCounts, n };
}
