/**
 * Decile bins of a float64 column for the population stability index: its decile edges
 * (psiEdges' order statistics, to the bit) and how many values fall in each bin, from at most two
 * passes. The first counts the values per bucket of the float's top 16 bits, taken in an
 * order-preserving form (sign flipped, negatives inverted), so buckets are sorted ranges of values
 * and each rank's bucket is known from the counts; while counting it already copies out the values
 * of the buckets that hold the previous period's edges (periodBins), so the column's counts in
 * those bins need no pass of their own. A second pass is needed only where this period's wanted
 * ranks fall in other buckets: it copies out the values of those (at most nine) buckets, and the
 * order statistics are selected there. No copy of the column, no partitioning of 10M values; the
 * previous period's side comes from its stored bins (psi-bins.ts).
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

/**
 * The order-preserving bucket of a finite float64 given its high and low words (−0 as +0). The
 * flip is branch-free (an arithmetic shift gives the sign's mask); only −0 needs a test.
 */
function bucketOf(high: number, low: number): number {
  if (high === SIGN && low === 0) return 0x8000;
  return (high ^ ((high >> 31) | SIGN)) >>> 16;
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

/**
 * Values of the buckets that hold the previous period's edges, gathered in the counting pass (their
 * sizes not known yet: grown as needed), slot by slot in flat typed arrays, so the loop reads and
 * writes typed arrays only (an object a value cost ~20 ns at 10M rows). While a slot's values are
 * all one value (the same bits: −0 is not 0), only that value and how many are kept: a bucket of
 * an integer-valued feature (a count, days) often holds a single value, and its hundreds of
 * thousands of copies would be the pass's main cost.
 */
class Gathered {
  /** Values gathered per slot (while `same`, copies of the first value, not stored). */
  readonly fill: Int32Array;
  /** 1 while a slot's values are all its first value. */
  readonly same: Uint8Array;
  /** The first value's words per slot, [low, high]. */
  readonly firstWords: Int32Array;
  /** A slot's values once they differ (EMPTY until then). */
  readonly values: Float64Array[];

  constructor(slots: number) {
    this.fill = new Int32Array(slots);
    this.same = new Uint8Array(slots).fill(1);
    this.firstWords = new Int32Array(2 * slots);
    this.values = Array.from({ length: slots }, () => EMPTY);
  }

  first(s: number): number {
    return new Float64Array(this.firstWords.buffer, 8 * s, 1)[0];
  }

  /** Slot s's values from now on stored: its copies of the first value written out, room grown. */
  grow(s: number): Float64Array {
    const fill = this.fill[s];
    const more = new Float64Array(Math.max(1024, 2 * fill));
    if (this.same[s] === 1) {
      more.fill(this.first(s), 0, fill);
      this.same[s] = 0;
    } else more.set(this.values[s]);
    this.values[s] = more;
    return more;
  }
}

const EMPTY = new Float64Array(0);

/** countBuckets, also gathering the values of the buckets with a slot (`slot[b]`). */
function countGathering(
  values: Float64Array,
  words: Int32Array,
  counts: Int32Array,
  slot: Int32Array,
  g: Gathered,
  from: number,
  to: number,
): number {
  const { fill, same, firstWords } = g;
  let n = 0;
  for (let i = from; i < to; i++) {
    const high = words[2 * i + 1];
    if ((high & EXPONENT) === EXPONENT) continue;
    const low = words[2 * i];
    const b = bucketOf(high, low);
    counts[b]++;
    n++;
    const s = slot[b];
    if (s < 0) continue;
    const f = fill[s];
    if (same[s] === 1) {
      if (f === 0) {
        firstWords[2 * s] = low;
        firstWords[2 * s + 1] = high;
        fill[s] = 1;
        continue;
      }
      if (low === firstWords[2 * s] && high === firstWords[2 * s + 1]) {
        fill[s] = f + 1;
        continue;
      }
    }
    let into = g.values[s];
    if (same[s] === 1 || f === into.length) into = g.grow(s);
    into[f] = values[i];
    fill[s] = f + 1;
  }
  return n;
}

interface Wanted {
  bucket: number;
  /** Finite values in the buckets before this one. */
  before: number;
  values: Float64Array;
  fill: number;
  /** A bucket of one value (Gathered): the value and how many, `values` left empty. */
  only?: { value: number; count: number };
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
  return periodBins(values, [], bins)?.own;
}

/** A column's own decile bins, and how its values fall in another period's bins. */
export interface PeriodBins {
  own: ExpectedBins;
  /** counts[i]: finite values with against[i − 1] ≤ x < against[i]; n: finite values. */
  against: { counts: Float64Array; n: number };
}

/**
 * expectedBins of `values`, and in the same passes their counts in the bins of `against` (another
 * period's edges, ascending and finite): a value below an edge is in a bucket before the edge's
 * bucket, or one of the edge bucket's values, copied out, so the actual side of the PSI needs no
 * pass of its own (and the expected side is the previous period's stored bins). One pass where
 * this period's deciles fall in the buckets of `against`'s edges, two otherwise.
 */
export function periodBins(
  column: Float64Array | readonly Float64Array[],
  against: readonly number[],
  bins = 10,
): PeriodBins | undefined {
  if (!littleEndian) return undefined;
  // A column in several chunks (Arrow record batches) is read chunk by chunk, not copied whole.
  const parts = column instanceof Float64Array ? [column] : column;
  const words = parts.map((v) => new Int32Array(v.buffer, v.byteOffset, v.length * 2));
  /** Runs `pass` over every part in CHUNK-row calls. */
  const each = (
    pass: (values: Float64Array, words: Int32Array, from: number, to: number) => void,
  ) =>
    parts.forEach((values, p) => {
      for (let from = 0; from < values.length; from += CHUNK)
        pass(values, words[p], from, Math.min(values.length, from + CHUNK));
    });
  const counts = new Int32Array(BUCKETS);
  // The buckets of `against`'s edges are known before counting: their values are gathered in the
  // counting pass. This period's deciles mostly fall in those buckets too (the previous period's
  // deciles, of a population that changed little), so the second pass is mostly not needed.
  const edgeBuckets = against.map((e) => {
    const w = wordsOf(e);
    return bucketOf(w.high, w.low);
  });
  const early = new Int32Array(BUCKETS).fill(-1);
  let slots = 0;
  for (const b of edgeBuckets) if (early[b] < 0) early[b] = slots++;
  const gathered = new Gathered(slots);
  let n = 0;
  each((values, w, from, to) => {
    n +=
      slots > 0
        ? countGathering(values, w, counts, early, gathered, from, to)
        : countBuckets(w, counts, from, to);
  });
  const slot = new Int32Array(BUCKETS).fill(-1);
  let missing = 0;
  const wanted: Wanted[] = [];
  const want = (bucket: number, before: number, size: number): number => {
    if (slot[bucket] < 0) {
      slot[bucket] = wanted.length;
      const e = early[bucket];
      if (e < 0) {
        missing++;
        wanted.push({ bucket, before, values: new Float64Array(size), fill: 0 });
      } else if (gathered.same[e] === 1)
        wanted.push({
          bucket,
          before,
          values: EMPTY,
          fill: 0,
          only: { value: gathered.first(e), count: gathered.fill[e] },
        });
      else {
        const fill = gathered.fill[e];
        wanted.push({ bucket, before, values: gathered.values[e].subarray(0, fill), fill });
      }
    }
    return slot[bucket];
  };
  const ranks: number[] = [];
  if (n > 0) for (let q = 1; q < bins; q++) ranks.push(Math.min(n - 1, Math.floor((q * n) / bins)));
  // Each rank's bucket and the rows before that bucket; each edge of `against`'s bucket likewise.
  const rankSlot: number[] = [];
  const againstSlot: number[] = new Array<number>(against.length);
  let before = 0;
  let r = 0;
  for (let bucket = 0; bucket < BUCKETS; bucket++) {
    const c = counts[bucket];
    while (r < ranks.length && ranks[r] < before + c) {
      rankSlot.push(want(bucket, before, c));
      r++;
    }
    // `early` marks the edges' buckets: the edges are looked at in those buckets only (this loop
    // runs once per column, unoptimised: 65536 × 9 comparisons cost ~15 ms).
    if (early[bucket] >= 0)
      for (let j = 0; j < against.length; j++)
        if (edgeBuckets[j] === bucket) againstSlot[j] = want(bucket, before, c);
    before += c;
  }
  if (missing > 0) {
    // The second pass, for the wanted buckets not gathered in the first.
    for (const w of wanted) if (early[w.bucket] >= 0) slot[w.bucket] = -1;
    each((values, w, from, to) => collect(values, w, slot, wanted, from, to));
  }
  // Values below an edge: the buckets before its bucket, and the smaller values in its bucket.
  const below = (e: number, s: number): number => {
    const w = wanted[s];
    if (w.only) return w.before + (w.only.value < e ? w.only.count : 0);
    let m = w.before;
    for (let i = 0; i < w.values.length; i++) if (w.values[i] < e) m++;
    return m;
  };
  const againstBelow = against.map((e, j) => below(e, againstSlot[j]));
  const own = ownBins(ranks, rankSlot, wanted, n, below);
  return { own, against: { counts: binsOfBelow(againstBelow, n), n } };
}

/** The high and low 32-bit words of a float64 (little-endian). */
function wordsOf(x: number): { high: number; low: number } {
  const w = new Int32Array(Float64Array.of(x).buffer);
  return { high: w[1], low: w[0] };
}

/** Bin counts from the finite values below each edge. */
function binsOfBelow(below: number[], n: number): Float64Array {
  const binCounts = new Float64Array(below.length + 1);
  let previous = 0;
  for (let j = 0; j < below.length; j++) {
    binCounts[j] = below[j] - previous;
    previous = below[j];
  }
  binCounts[below.length] = n - previous;
  return binCounts;
}

/** The decile edges from the wanted buckets' values (order statistics bucket by bucket), and their bins. */
function ownBins(
  ranks: number[],
  rankSlot: number[],
  wanted: Wanted[],
  n: number,
  below: (e: number, s: number) => number,
): ExpectedBins {
  if (n === 0) return { edges: [], counts: new Float64Array(1), n };
  // The order statistics, bucket by bucket (a bucket's ranks are consecutive).
  const stats = new Array<number>(ranks.length);
  const local: number[][] = wanted.map(() => []);
  ranks.forEach((_, q) => local[rankSlot[q]].push(q));
  local.forEach((at, s) => {
    if (at.length === 0) return;
    const only = wanted[s].only;
    const found = only
      ? at.map(() => only.value)
      : orderStatistics(
          wanted[s].values,
          at.map((q) => ranks[q] - wanted[s].before),
        );
    at.forEach((q, j) => (stats[q] = found[j]));
  });
  const edges: number[] = [];
  const edgeSlot: number[] = [];
  stats.forEach((v, q) => {
    if (edges.length === 0 || v > edges[edges.length - 1]) {
      edges.push(v);
      edgeSlot.push(rankSlot[q]);
    }
  });
  return {
    edges,
    counts: binsOfBelow(
      edges.map((e, j) => below(e, edgeSlot[j])),
      n,
    ),
    n,
  };
}
