import { describe, expect, it } from 'vitest';
import { linearSumAssignment } from '../src/track/hungarian.js';
import { alignIds, jaccard, overlapTable, overlapShare } from '../src/track/overlap.js';
import { matchClusters, matchingCost } from '../src/track/matching.js';
import { firstPeriod, trackEvents, uniqueName } from '../src/track/events.js';
import { smooth } from '../src/track/smoothing.js';
import { migrationTable } from '../src/track/migration.js';
import {
  adjustedRandIndex,
  flipRate,
  normalizedMutualInfo,
  populationStabilityIndex,
} from '../src/track/stability.js';
import {
  expectedHittingTimes,
  markovChain,
  project,
  steadyState,
} from '../src/track/transitions.js';
import { Rng } from '../src/util/rng.js';

/** Minimum total cost over every injective map of the shorter side into the longer, by brute force. */
function bruteForce(cost: Float64Array, rows: number, cols: number): number {
  const n = Math.min(rows, cols);
  let best = Infinity;
  const used = new Uint8Array(Math.max(rows, cols));
  const rec = (i: number, acc: number): void => {
    if (i === n) {
      best = Math.min(best, acc);
      return;
    }
    for (let j = 0; j < used.length; j++) {
      if (used[j]) continue;
      used[j] = 1;
      rec(i + 1, acc + (rows <= cols ? cost[i * cols + j] : cost[j * cols + i]));
      used[j] = 0;
    }
  };
  rec(0, 0);
  return best;
}

describe('linearSumAssignment', () => {
  it('matches brute force on random rectangular matrices (k changing both ways)', () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 300; trial++) {
      const rows = 1 + Math.floor(rng.nextDouble() * 6);
      const cols = 1 + Math.floor(rng.nextDouble() * 6);
      const cost = Float64Array.from({ length: rows * cols }, () =>
        trial % 3 === 0 ? Math.floor(rng.nextDouble() * 4) : rng.nextDouble() * 10 - 3,
      );
      const a = linearSumAssignment(cost, rows, cols);
      expect(a.rows.length).toBe(Math.min(rows, cols));
      expect(new Set(a.rows).size).toBe(a.rows.length);
      expect(new Set(a.cols).size).toBe(a.cols.length);
      for (let t = 1; t < a.rows.length; t++) expect(a.rows[t]).toBeGreaterThan(a.rows[t - 1]);
      expect(a.total).toBeCloseTo(bruteForce(cost, rows, cols), 9);
    }
  });
  it('solves a hand-made case and rejects non-finite cost', () => {
    // scipy's docstring example: rows 0,1,2 → cols 1,0,2, total 5.
    const a = linearSumAssignment(Float64Array.of(4, 1, 3, 2, 0, 5, 3, 2, 2), 3, 3);
    expect([...a.cols]).toEqual([1, 0, 2]);
    expect(a.total).toBe(5);
    expect(() => linearSumAssignment(Float64Array.of(1, NaN), 1, 2)).toThrow(/cost\[1\] is NaN/);
  });
});

// Previous period: customers a..j in segments 0 (a-e) and 1 (f-j).
const prevIds = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
const prevLabels = Int32Array.of(0, 0, 0, 0, 0, 1, 1, 1, 1, 1);

describe('overlap and matching', () => {
  it('aligns ids and counts overlaps, Jaccard over full membership', () => {
    const curIds = ['b', 'a', 'c', 'x', 'f', 'g'];
    const row = alignIds(prevIds, curIds);
    expect([...row]).toEqual([1, 0, 2, -1, 5, 6]);
    const o = overlapTable(prevLabels, 2, Int32Array.of(0, 0, 1, 1, 1, 1), 2, row);
    expect([...o.counts]).toEqual([2, 1, 0, 2]);
    expect(jaccard(o, 0, 0)).toBeCloseTo(2 / 5);
    expect(jaccard(o, 1, 1)).toBeCloseTo(2 / 7);
    expect(overlapShare(o, 0, 0)).toBeCloseTo(2 / 3);
  });
  it('aligns integer ids through a lookup array as through a map (dense, sparse, bigint)', () => {
    const prev = Int32Array.of(105, 101, 103, 110, 102);
    const cur = Int32Array.of(103, 104, 101, 110, 99, 105);
    const expected = [2, -1, 1, 3, -1, 0];
    expect([...alignIds(prev, cur)]).toEqual(expected);
    // The same ids as strings take the hash map; spread-out ids too.
    expect([...alignIds([...prev].map(String), [...cur].map(String))]).toEqual(expected);
    const sparse = (a: Int32Array) => Float64Array.from(a, (v) => v * 1e6);
    expect([...alignIds(sparse(prev), sparse(cur))]).toEqual(expected);
    const big = (a: Int32Array) => BigInt64Array.from(a, (v) => BigInt(v));
    expect([...alignIds(big(prev), big(cur))]).toEqual(expected);
  });
  it('matches a permuted relabelling, and leaves the extra cluster unmatched when k grows', () => {
    // New clusters: 0 = old 1, 1 = old 0 (split off 2 = part of old 0).
    const cur = Int32Array.of(1, 1, 1, 2, 2, 0, 0, 0, 0, 0);
    const o = overlapTable(prevLabels, 2, cur, 3, alignIds(prevIds, prevIds));
    const cost = matchingCost(
      Float64Array.of(0, 0, 10, 10),
      Float64Array.of(10, 10, 0, 0, 1, 1),
      2,
      o,
    );
    expect([...matchClusters(cost, 2, 3)]).toEqual([1, 0, -1]);
    // k shrinks: both old segments merged into one new cluster, plus an empty-overlap one.
    const merged = overlapTable(prevLabels, 2, new Int32Array(10), 2, alignIds(prevIds, prevIds));
    const c2 = matchingCost(
      Float64Array.of(0, 0, 10, 10),
      Float64Array.of(5, 5, 40, 40),
      2,
      merged,
    );
    const m2 = matchClusters(c2, 2, 2);
    expect(m2[0]).toBeGreaterThanOrEqual(0);
    expect(m2[1]).toBeGreaterThanOrEqual(0);
    expect(m2[0]).not.toBe(m2[1]);
  });
});

describe('MONIC events', () => {
  const same = alignIds(prevIds, prevIds);
  it('survived keeps key and name; emerged takes a fresh key and a unique name', () => {
    const cur = Int32Array.of(1, 1, 1, 1, 1, 0, 0, 0, 0, 2);
    const o = overlapTable(prevLabels, 2, cur, 3, same);
    const r = trackEvents(
      Int32Array.of(5, 8),
      ['Champions', 'Loyal'],
      o,
      Int32Array.of(1, 0, -1),
      ['Loyal', 'Champions', 'Loyal'],
      9,
    );
    expect([...r.keys]).toEqual([8, 5, 9]);
    expect(r.names).toEqual(['Loyal', 'Champions', 'Loyal 2']);
    expect(r.events.map((e) => `${e.event}:${e.fromKey}->${e.toKey}`)).toEqual([
      'survived:5->5',
      'survived:8->8',
      'emerged:-1->9',
    ]);
    expect(r.nextKey).toBe(10);
  });
  it('split records the parent; absorbed and disappeared', () => {
    // old 0 splits into new 0 (a-c) and new 1 (d-e); old 1 goes to new 2 (survives).
    const split = overlapTable(prevLabels, 2, Int32Array.of(0, 0, 0, 1, 1, 2, 2, 2, 2, 2), 3, same);
    const r = trackEvents(
      Int32Array.of(0, 1),
      ['A', 'B'],
      split,
      Int32Array.of(0, -1, 1),
      ['P', 'Q', 'R'],
      2,
    );
    // overlap(0,0) = 0.6 < 0.7: old 0 did not survive its match; split into 0 and 1.
    expect(r.events.map((e) => `${e.event}:${e.fromKey}->${e.toKey}`)).toEqual([
      'split:0->2',
      'split:0->3',
      'survived:1->1',
    ]);
    expect([...r.parents]).toEqual([0, 0, -1]);
    expect(r.names).toEqual(['P', 'Q', 'B']);
    // Both old segments merged into one new cluster: one survives, the other is absorbed.
    const merged = overlapTable(prevLabels, 2, new Int32Array(10), 1, same);
    const m = trackEvents(Int32Array.of(0, 1), ['A', 'B'], merged, Int32Array.of(1), ['X'], 2);
    expect(m.events.map((e) => `${e.event}:${e.fromKey}->${e.toKey}`)).toEqual([
      'absorbed:0->1',
      'survived:1->1',
    ]);
    // Old 1 scatters over five clusters at 0.2 each (< 0.3) → disappeared.
    const gone = overlapTable(prevLabels, 2, Int32Array.of(0, 0, 0, 0, 0, 1, 2, 3, 4, 0), 5, same);
    const d = trackEvents(
      Int32Array.of(0, 1),
      ['A', 'B'],
      gone,
      Int32Array.of(0, 1, -1, -1, -1),
      ['A', 'B', 'C', 'D', 'E'],
      2,
    );
    expect(d.events.map((e) => e.event)).toEqual([
      'survived',
      'disappeared',
      'emerged',
      'emerged',
      'emerged',
      'emerged',
    ]);
    expect([...d.keys]).toEqual([0, 2, 3, 4, 5]);
    expect(uniqueName('A', new Set(['A', 'A 2']))).toBe('A 3');
    expect([...firstPeriod(['X', 'X']).keys]).toEqual([0, 1]);
    expect(firstPeriod(['X', 'X']).names).toEqual(['X', 'X 2']);
  });
});

describe('smoothing', () => {
  it('moves a customer only after N consecutive periods in the same new segment', () => {
    const live = new Set([0, 1, 2]);
    // Period 1: published 0 for customer 0, 1 for customer 1.
    let s = smooth(Int32Array.of(0, 1), new Int32Array(2).fill(-1), undefined, live, 2);
    expect([...s.published]).toEqual([0, 1]);
    // Period 2: customer 0 raw 1 (pending), customer 1 raw 1 (stays), new customer raw 2 (at once).
    s = smooth(Int32Array.of(1, 1, 2), Int32Array.of(0, 1, -1), s, live, 2);
    expect([...s.published]).toEqual([0, 1, 2]);
    expect([...s.pending]).toEqual([1, -1, -1]);
    expect([...s.pendingPeriods]).toEqual([1, 0, 0]);
    // Period 3: customer 0 raw 1 again → moved; customer 2 raw 0 → pending.
    s = smooth(Int32Array.of(1, 1, 0), Int32Array.of(0, 1, 2), s, live, 2);
    expect([...s.published]).toEqual([1, 1, 2]);
    expect([...s.pending]).toEqual([-1, -1, 0]);
    // Period 4: customer 2 raw 1 (a different new segment) → pending restarts at 1.
    s = smooth(Int32Array.of(1, 1, 1), Int32Array.of(0, 1, 2), s, live, 2);
    expect([...s.published]).toEqual([1, 1, 2]);
    expect([...s.pendingPeriods]).toEqual([0, 0, 1]);
    // Period 5: segment 2 no longer live → customer 2 moves at once.
    s = smooth(Int32Array.of(1, 1, 0), Int32Array.of(0, 1, 2), s, new Set([0, 1]), 2);
    expect([...s.published]).toEqual([1, 1, 0]);
    // N = 1: no smoothing.
    expect([
      ...smooth(
        Int32Array.of(0),
        Int32Array.of(0),
        {
          published: Int32Array.of(1),
          pending: Int32Array.of(-1),
          pendingPeriods: Int32Array.of(0),
        },
        live,
        1,
      ).published,
    ]).toEqual([0]);
    expect(() => smooth(new Int32Array(0), new Int32Array(0), undefined, live, 0)).toThrow(
      /confirmPeriods=0/,
    );
  });
});

describe('migration', () => {
  it('counts from × to with new and gone; shares and monetary weights', () => {
    const rows = migrationTable(
      Int32Array.of(0, 0, 1),
      Int32Array.of(1, 0, 1),
      Int32Array.of(0, -1, 2),
      Float64Array.of(5, 7, 1),
      Float64Array.of(10, 20, 30),
    );
    expect(rows.map((r) => [r.from, r.to, r.customers, r.rowShare, r.monetary])).toEqual([
      ['new', '0', 1, 1, 20],
      ['0', '1', 1, 0.5, 10],
      ['0', 'gone', 1, 0.5, 7],
      ['1', '1', 1, 1, 30],
    ]);
    expect(rows[1].monetaryShare).toBeCloseTo(10 / 17);
    expect(rows.reduce((s, r) => s + r.customers, 0)).toBe(4);
  });
});

describe('stability', () => {
  it('ARI and NMI match scikit-learn on small cases', () => {
    const a = Int32Array.of(0, 0, 1, 1);
    expect(adjustedRandIndex(a, Int32Array.of(1, 1, 0, 0))).toBe(1);
    expect(normalizedMutualInfo(a, Int32Array.of(1, 1, 0, 0))).toBeCloseTo(1);
    // sklearn: adjusted_rand_score([0,0,1,1],[0,0,1,2]) = 0.5714285714285715
    expect(adjustedRandIndex(a, Int32Array.of(0, 0, 1, 2))).toBeCloseTo(0.5714285714285715, 12);
    // sklearn: normalized_mutual_info_score([0,0,1,1],[0,0,1,2]) = 0.8
    expect(normalizedMutualInfo(a, Int32Array.of(0, 0, 1, 2))).toBeCloseTo(0.8, 12);
    // By hand: index 2, expected 6·3/15 = 1.2, max 4.5 → 0.8 / 3.3
    expect(
      adjustedRandIndex(Int32Array.of(0, 0, 0, 1, 1, 1), Int32Array.of(0, 1, 0, 1, 2, 2)),
    ).toBeCloseTo(0.8 / 3.3, 12);
    expect(flipRate(a, Int32Array.of(0, 1, 1, 1))).toBe(0.25);
  });
  it('PSI is 0 for the same distribution and matches a direct computation', () => {
    const e = Float64Array.from({ length: 100 }, (_, i) => i);
    expect(populationStabilityIndex(e, e)).toBeCloseTo(0, 12);
    // Actual: everything in the top decile → bins 0..8 at the 1e-4 floor, bin 9 at 1.
    const a = new Float64Array(50).fill(95);
    const direct = 9 * (1e-4 - 0.1) * Math.log(1e-4 / 0.1) + (1 - 0.1) * Math.log(1 / 0.1);
    expect(populationStabilityIndex(e, a)).toBeCloseTo(direct, 10);
  });
});

describe('transitions', () => {
  const counts = Float64Array.of(8, 2, 0, 1, 6, 3, 0, 2, 8);
  const chain = markovChain(3, counts);
  it('row-normalises counts; steady state satisfies πP = π', () => {
    expect([...chain.matrix.subarray(0, 3)]).toEqual([0.8, 0.2, 0]);
    const pi = steadyState(chain);
    // Direct: iterate the chain long enough from uniform.
    let v: Float64Array = Float64Array.of(1 / 3, 1 / 3, 1 / 3);
    for (let t = 0; t < 2000; t++) v = project(chain, v, 1)[0];
    for (let i = 0; i < 3; i++) expect(pi[i]).toBeCloseTo(v[i], 10);
    expect(pi.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
  });
  it('expected periods to reach a target solve h = 1 + Q h', () => {
    const h = expectedHittingTimes(chain, 2);
    expect(h[2]).toBe(0);
    // h0 = 1 + .8 h0 + .2 h1 ; h1 = 1 + .1 h0 + .6 h1
    expect(1 + 0.8 * h[0] + 0.2 * h[1]).toBeCloseTo(h[0], 9);
    expect(1 + 0.1 * h[0] + (6 / 10) * h[1]).toBeCloseTo(h[1], 9);
    const absorbing = markovChain(2, Float64Array.of(1, 0, 0, 1));
    expect(expectedHittingTimes(absorbing, 1)[0]).toBe(Infinity);
    const sizes = project(chain, Float64Array.of(10, 10, 0), 2);
    expect([...sizes[0]]).toEqual([9, 8, 3].map((x) => expect.closeTo(x, 12) as unknown as number));
  });
});
