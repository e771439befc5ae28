import { describe, expect, it } from 'vitest';
import { periodBins } from '../src/track/deciles.js';
import { binsOfValues, featurePsi } from '../src/track/psi-bins.js';
import { populationStabilityIndex } from '../src/track/stability.js';
import { Rng } from '../src/util/rng.js';
import { decileEdges } from './helpers/deciles.js';

/**
 * The PSI's counting pass on columns large enough for its fast paths to matter (deciles.ts: the
 * values of the previous edges' buckets gathered while counting, a bucket of one value kept as
 * that value and a count until another value comes, its room grown past 1024 values several
 * times), against a direct computation by sorting and comparing. Ties sit on the edges, −0 and 0
 * share a bucket (one value to the bins, not to the gathering), NaN and ±∞ are skipped, and the
 * column comes in uneven chunks as Arrow record batches do.
 */
const ROWS = 200_000;

function directBins(values: Float64Array): { edges: number[]; counts: number[]; n: number } {
  const sorted = Float64Array.from([...values].filter(Number.isFinite)).sort();
  const n = sorted.length;
  const edges = decileEdges(sorted);
  return { edges, counts: countIn(sorted, edges), n };
}

/** Finite values per bin (bin i: edges[i − 1] ≤ x < edges[i]) of sorted finite values. */
function countIn(sorted: Float64Array, edges: number[]): number[] {
  const below = edges.map((e) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < e) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  });
  return [...below, sorted.length].map((b, j) => b - (j === 0 ? 0 : below[j - 1]));
}

const finiteSorted = (v: Float64Array) => Float64Array.from([...v].filter(Number.isFinite)).sort();

/** Uneven chunks, one of them empty. */
function chunks(v: Float64Array): Float64Array[] {
  const cut = [0, 70_001, 70_001, 131_072, 131_075, v.length];
  return cut.slice(1).map((to, j) => v.subarray(cut[j], to));
}

const rng = new Rng(33);
const kinds: [string, (i: number, shift: number) => number][] = [
  // Small integers: each edge's bucket holds one value only (the one-value form, never grown).
  ['counts', (_i, s) => Math.max(1, Math.round(Math.exp(rng.nextDouble() * 3 + s / 4)))],
  // Days: edges' buckets of one value first, another value in them only after thousands of rows
  // (the one-value form written out into grown room).
  [
    'days, late variety',
    (i, s) =>
      i < 120_000 ? [7, 10, 15, 21, 31, 50, 104][i % 7] : Math.round(rng.nextDouble() * 300 + s),
  ],
  // Money with two decimals: mixed buckets grown many times, ties on the edges.
  ['money', (_i, s) => Math.round(Math.exp(4 + s / 5 + 1.5 * rng.nextDouble()) * 100) / 100],
  // Values a few units in the last place apart (the same high word, other low words), after a
  // long run of one value: the one-value form must compare both words.
  ['ulps apart', (i, s) => (i < 50_000 ? 1 : 1 + ((rng.nextU32() % (6 + s)) + (i % 2)) * 2 ** -52)],
  // −0 and 0 in one bucket (equal to the bins, two values to the gathering), NaN, ±∞.
  [
    'zeros, non-finite',
    (i, s) =>
      [0, -0, 0, NaN, Infinity, -Infinity, 1, -1, 2 + s, 5e-324, -5e-324][
        i % 97 === 0 ? 3 + (i % 3) : rng.nextU32() % 11
      ],
  ],
];

describe('PSI counting on large chunked columns', () => {
  for (const [name, draw] of kinds)
    it(`equals sorting and comparing (${name})`, () => {
      const previous = Float64Array.from({ length: ROWS }, (_, i) => draw(i, 0));
      const current = Float64Array.from({ length: ROWS + 17 }, (_, i) => draw(i, 1));
      const before = binsOfValues(previous);
      const direct = directBins(previous);
      expect({ ...before, edges: before.edges.map((e) => e + 0) }).toEqual({
        ...direct,
        edges: direct.edges.map((e) => e + 0),
      });
      for (const column of [current, chunks(current)]) {
        const r = featurePsi(column, before);
        expect(r.psi).toEqual(populationStabilityIndex(previous, current));
        const own = directBins(current);
        expect({ ...r.bins, edges: r.bins.edges.map((e) => e + 0) }).toEqual({
          ...own,
          edges: own.edges.map((e) => e + 0),
        });
        // The current values in the previous period's bins, counted while gathering.
        const p = periodBins(column, before.edges)!;
        expect([...p.against.counts]).toEqual(countIn(finiteSorted(current), before.edges));
      }
    });
});
