import { describe, expect, it } from 'vitest';
import { expectedBins } from '../src/track/deciles.js';
import { migrationTable, migrationRows } from '../src/track/migration.js';
import { alignIds, alignment, overlapTable } from '../src/track/overlap.js';
import { overlapPass, rawMigrationGrid } from '../src/track/period-passes.js';
import { publishPass } from '../src/track/publish-pass.js';
import { smooth } from '../src/track/smoothing.js';
import { contingency, contingencyOfGrid, psiEdges } from '../src/track/stability.js';
import { Rng } from '../src/util/rng.js';

/**
 * The fused passes of a tracked period (period-passes.ts) against the reference one-table-at-a-time
 * functions (migration.ts, smoothing.ts, overlap.ts, stability.ts) on random periods: customers
 * staying, moving, leaving, arriving, ids reordered, pending moves carried over. Equal means equal
 * to the bit (toEqual on the rows, the arrays and the sums).
 */

const int = (rng: Rng, n: number): number => Math.floor(rng.nextDouble() * n);

function randomPeriods(seed: number, sameOrder: boolean) {
  const rng = new Rng(seed);
  const n = 50 + int(rng, 400);
  const prevKeys = [3, 5, 8, 9].slice(0, 2 + int(rng, 3));
  const keys = Int32Array.from([5, 11, 3, 12, 14].slice(0, 2 + int(rng, 4)));
  const prevIds = Int32Array.from({ length: n }, (_, i) => 1000 + 7 * i);
  let curIds = prevIds;
  if (!sameOrder) {
    const kept = Array.from(prevIds).filter(() => rng.nextDouble() > 0.2);
    for (let e = 0; e < 30; e++) kept.push(5000 + e);
    for (let i = kept.length - 1; i > 0; i--) {
      const j = int(rng, i + 1);
      [kept[i], kept[j]] = [kept[j], kept[i]];
    }
    curIds = Int32Array.from(kept);
  }
  const pick = (ks: ArrayLike<number>): number => ks[int(rng, ks.length)];
  const prevRaw = Int32Array.from({ length: n }, () => pick(prevKeys));
  const prevPublished = Int32Array.from(prevRaw, (k) =>
    rng.nextDouble() < 0.8 ? k : pick(prevKeys),
  );
  const prevPending = Int32Array.from({ length: n }, () =>
    rng.nextDouble() < 0.3 ? pick(keys) : -1,
  );
  const prevPeriods = Int32Array.from(prevPending, (p) => (p >= 0 ? 1 + int(rng, 2) : 0));
  const money = Float64Array.from({ length: n }, () =>
    rng.nextDouble() < 0.05 ? NaN : rng.nextDouble() * 100,
  );
  const labels = Int32Array.from(curIds, () => int(rng, keys.length));
  const curMoney = Float64Array.from(curIds, () => rng.nextDouble() * 100);
  return {
    prevIds,
    curIds,
    labels,
    keys,
    curMoney,
    prior: {
      keys: prevKeys,
      raw: prevRaw,
      published: prevPublished,
      pending: prevPending,
      pendingPeriods: prevPeriods,
      monetary: money,
      asOf: '2024-01-31',
    },
  };
}

describe('a period in two fused passes', () => {
  for (const sameOrder of [true, false])
    it(`equals the reference functions (ids ${sameOrder ? 'in the same order' : 'reordered, some gone, some new'})`, () => {
      for (let seed = 1; seed <= 25; seed++) {
        const p = randomPeriods(seed, sameOrder);
        const aligned = alignment(p.prevIds, p.curIds);
        expect(aligned.sameOrder).toBe(sameOrder);
        expect(aligned.row).toEqual(alignIds(p.prevIds, p.curIds));
        const row = aligned.row;
        const counted = overlapPass(p.labels, p.keys.length, row, sameOrder, p.prior, p.curMoney);
        const dense = new Map(p.prior.keys.map((k, a) => [k, a]));
        const prevLabels = Int32Array.from(p.prior.raw, (k) => dense.get(k)!);
        expect(counted.overlap).toEqual(
          overlapTable(prevLabels, p.prior.keys.length, p.labels, p.keys.length, row),
        );
        for (const confirm of [1, 2, 3]) {
          const pass = publishPass(p.labels, p.keys, row, p.prior, confirm, p.curMoney, counted);
          const raw = Int32Array.from(p.labels, (b) => p.keys[b]);
          const state = smooth(raw, row, p.prior, new Set(p.keys), confirm);
          expect(pass.raw).toEqual(raw);
          expect(pass.published).toEqual(state.published);
          expect(pass.publishedCopy).toEqual(state.published);
          expect(pass.pending).toEqual(state.pending);
          expect(pass.pendingPeriods).toEqual(state.pendingPeriods);
          const g = pass.migration;
          expect(migrationRows(g.fromKeys, g.toKeys, g.customers, g.money)).toEqual(
            migrationTable(p.prior.published, state.published, row, p.prior.monetary, p.curMoney),
          );
          let flips = 0;
          row.forEach(
            (r, i) => (flips += r >= 0 && p.prior.published[r] !== state.published[i] ? 1 : 0),
          );
          expect(pass.flipsPublished).toBe(flips);
          const rg = rawMigrationGrid(counted, p.prior.keys, p.keys);
          expect(migrationRows(rg.fromKeys, rg.toKeys, rg.customers, rg.money)).toEqual(
            migrationTable(p.prior.raw, raw, row, p.prior.monetary, p.curMoney),
          );
        }
        const shared = Array.from(row.keys()).filter((i) => row[i] >= 0);
        const reference = contingency(
          Int32Array.from(shared, (i) => p.prior.raw[row[i]]),
          Int32Array.from(shared, (i) => p.keys[p.labels[i]]),
        );
        expect(
          contingencyOfGrid(
            counted.overlap.counts,
            counted.firstRow,
            p.prior.keys.length,
            p.keys.length,
          ),
        ).toEqual(reference);
      }
    });

  it('calls a stored key that is none of the period’s segments a corrupt store', () => {
    const p = randomPeriods(3, true);
    p.prior.raw[7] = 42;
    expect(() =>
      overlapPass(
        p.labels,
        p.keys.length,
        alignIds(p.prevIds, p.curIds),
        true,
        p.prior,
        p.curMoney,
      ),
    ).toThrow(/raw_segment_key 42.*corrupt/);
  });
});

describe('expectedBins', () => {
  const reference = (values: Float64Array) => {
    const edges = psiEdges(values);
    const counts = new Float64Array(edges.length + 1);
    let n = 0;
    for (const x of values)
      if (Number.isFinite(x)) {
        counts[edges.filter((e) => x >= e).length]++;
        n++;
      }
    return { edges, counts, n };
  };
  const rng = new Rng(9);
  const kinds: [string, () => number][] = [
    ['uniform', () => rng.nextDouble() * 100 - 50],
    ['few values', () => Math.round(rng.nextDouble() * 4)],
    [
      'signed zeros, non-finite, denormals',
      () => [0, -0, NaN, Infinity, -Infinity, 1, -1, 5e-324, -5e-324, 1e300][int(rng, 10)],
    ],
    [
      'both signs over many octaves',
      () => Math.exp(rng.nextDouble() * 40 - 20) * (rng.nextDouble() < 0.3 ? -1 : 1),
    ],
    ['one value mostly', () => (rng.nextDouble() < 0.9 ? 1 : rng.nextDouble())],
    [
      'a few −0 among many 0, no rank among the −0',
      () => {
        const u = rng.nextDouble();
        return u < 0.15 ? u - 1 : u < 0.17 ? -0 : u < 0.65 ? 0 : u;
      },
    ],
  ];
  for (const [name, draw] of kinds)
    it(`gives psiEdges' edges and the bins' counts (${name})`, () => {
      for (const n of [1, 2, 9, 10, 11, 57, 1000, 20000]) {
        const values = Float64Array.from({ length: n }, draw);
        // −0 and 0 are one value to the bins (an edge may come out as either): compared as numbers.
        const numbers = (r: { edges: number[] } | undefined) => ({
          ...r,
          edges: r?.edges.map((e) => e + 0),
        });
        expect(numbers(expectedBins(values))).toEqual(numbers(reference(values)));
      }
    });
});
