import { makeVector, Table, vectorFromArray, type Vector } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { sameIntegerRows, whole, type Column } from '../src/track/chunk-rows.js';
import { overlapPass, type PriorState } from '../src/track/period-passes.js';
import { loadPassKernel, passKernelPieces } from '../src/track/pass-kernel.js';
import { publishPass, type PublishPass } from '../src/track/publish-pass.js';
import { Rng } from '../src/util/rng.js';

/**
 * The tracked period's passes reading the previous period's columns and the monetary column chunk
 * by chunk (chunk-rows.ts: no join of 1M-row record batches, row i is previous row i) against the
 * same passes on whole arrays with each row's previous row given (the form track-passes.test.ts
 * checks against the reference functions). Large enough for several of the passes' 65536-row
 * pieces, with chunk boundaries off those pieces, an empty chunk, and the previous columns and
 * the money cut differently. The chunked passes (row i is previous row i) run the WebAssembly
 * kernel (pass-kernel.ts), the whole-array ones the JavaScript loops: the same bits.
 */
const int = (rng: Rng, n: number): number => Math.floor(rng.nextDouble() * n);

/**
 * The passes' results with every typed array as its bytes (equal to the bit, NaN included;
 * toEqual element by element takes minutes on arrays of 200k).
 */
function bytes(x: unknown): unknown {
  if (ArrayBuffer.isView(x))
    return Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('hex');
  if (Array.isArray(x)) return x.map(bytes);
  if (typeof x === 'object' && x !== null)
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, bytes(v)]));
  return x;
}

function cut<T extends Int32Array | Float64Array>(a: T, at: number[]): T[] {
  const ends = [0, ...at, a.length];
  return ends.slice(1).map((to, j) => a.subarray(ends[j], to) as T);
}

function period(seed: number) {
  const rng = new Rng(seed);
  const n = 150_000 + int(rng, 50_000);
  const prevKeys = [3, 5, 8, 9];
  const keys = Int32Array.from([5, 11, 3, 12]);
  const pick = (ks: ArrayLike<number>): number => ks[int(rng, ks.length)];
  const raw = Int32Array.from({ length: n }, () => pick(prevKeys));
  const published = Int32Array.from(raw, (k) => (rng.nextDouble() < 0.8 ? k : pick(prevKeys)));
  const pending = Int32Array.from({ length: n }, () => (rng.nextDouble() < 0.3 ? pick(keys) : -1));
  const pendingPeriods = Int32Array.from(pending, (p) => (p >= 0 ? 1 + int(rng, 2) : 0));
  const prevMoney = Float64Array.from({ length: n }, () => rng.nextDouble() * 100);
  const labels = Int32Array.from({ length: n }, () => int(rng, keys.length));
  const money = Float64Array.from({ length: n }, () =>
    rng.nextDouble() < 0.05 ? NaN : rng.nextDouble() * 100,
  );
  const whole: PriorState = {
    keys: prevKeys,
    raw,
    published,
    pending,
    pendingPeriods,
    monetary: prevMoney,
    asOf: '2024-01-31',
  };
  // The store's batches, and the input's other batches for the money.
  const at = [70_001, 70_001, 131_072, 131_075];
  const chunked: PriorState = {
    ...whole,
    raw: cut(raw, at),
    published: cut(published, at),
    pending: cut(pending, at),
    pendingPeriods: cut(pendingPeriods, at),
    monetary: cut(prevMoney, at),
  };
  return { n, keys, labels, money, moneyChunks: cut(money, [65_536, 99_999]), whole, chunked };
}

describe('passes over chunked columns', () => {
  beforeAll(() => loadPassKernel());
  it('equal the passes over whole arrays with each row’s previous row', () => {
    for (const seed of [1, 2, 3]) {
      const p = period(seed);
      const identity = Int32Array.from({ length: p.n }, (_, i) => i);
      const k = p.keys.length;
      const expected = overlapPass(p.labels, k, identity, true, p.whole, p.money);
      const counted = overlapPass(p.labels, k, undefined, true, p.chunked, p.moneyChunks);
      expect(bytes(counted)).toEqual(bytes(expected));
      for (const confirm of [1, 2, 3]) {
        const want = publishPass(p.labels, p.keys, identity, p.whole, confirm, p.money, expected);
        const got = publishPass(
          p.labels,
          p.keys,
          undefined,
          p.chunked,
          confirm,
          p.moneyChunks,
          counted,
        );
        expect(bytes(got)).toEqual(bytes(want));
        // Not a pass that published nothing new: customers moved and waited.
        expect(want.flipsPublished).toBeGreaterThan(0);
        if (confirm > 1) expect((want.pending as Int32Array).some((x) => x >= 0)).toBe(true);
        // Writing over the previous period's chunks (a copy: the pass consumes them), every
        // output written, none read after it is written.
        const copy = (c: Column<Int32Array>) => (c as Int32Array[]).map((x) => x.slice());
        const prior = {
          ...p.chunked,
          raw: copy(p.chunked.raw),
          published: copy(p.chunked.published),
          pending: copy(p.chunked.pending),
          pendingPeriods: copy(p.chunked.pendingPeriods),
          // The previous period's segment_id and segment_name indices, which every row's
          // output must replace (a value no output has).
          segmentId: copy(p.chunked.published).map((c) => c.fill(-7)),
          nameIndex: copy(p.chunked.pending).map((c) => c.fill(-7)),
        };
        const over = publishPass(
          p.labels,
          p.keys,
          undefined,
          prior,
          confirm,
          p.moneyChunks,
          counted,
          true,
        );
        expect(over.published).toBe(prior.published);
        expect(over.pendingPeriods).toBe(prior.pendingPeriods);
        expect(over.publishedCopy).toBe(prior.segmentId);
        expect(over.nameIndex).toBe(prior.nameIndex);
        const wholeOf = (x: PublishPass) => ({
          ...x,
          raw: whole(x.raw),
          published: whole(x.published),
          pending: whole(x.pending),
          pendingPeriods: whole(x.pendingPeriods),
          publishedCopy: whole(x.publishedCopy),
          nameIndex: whole(x.nameIndex),
        });
        expect(bytes(wholeOf(over))).toEqual(bytes(want));
      }
    }
    // The kernel ran: pass 1 and pass 2 of every period, several pieces each.
    expect(passKernelPieces()).toBeGreaterThan(3 * 4 * 3);
  });

  it('finds a corrupt stored key in a later chunk', () => {
    const p = period(4);
    (p.chunked.published as Int32Array[])[3][1] = 42;
    const counted = overlapPass(p.labels, p.keys.length, undefined, true, p.chunked, p.moneyChunks);
    expect(() =>
      publishPass(p.labels, p.keys, undefined, p.chunked, 2, p.moneyChunks, counted),
    ).toThrow(/segment_key 42.*corrupt/);
    (p.chunked.raw as Int32Array[])[4][5] = 77;
    expect(() =>
      overlapPass(p.labels, p.keys.length, undefined, true, p.chunked, p.moneyChunks),
    ).toThrow(/raw_segment_key 77.*corrupt/);
  });
});

describe('sameIntegerRows', () => {
  const chunked = (a: Int32Array | BigInt64Array, at: number[]): Vector => {
    const ends = [0, ...at, a.length];
    return ends
      .slice(1)
      .map((to, j) => makeVector(a.subarray(ends[j], to)) as Vector)
      .reduce((x, y) => x.concat(y));
  };
  const ids = Int32Array.from({ length: 300_000 }, (_, i) => 7 * i + 3);

  it('compares integer ids chunk against chunk, whatever the batches', () => {
    const a = new Table({ id: chunked(ids, [100_000, 200_000]) });
    const b = new Table({ id: chunked(ids, [1, 65_536, 65_536, 250_001]) });
    expect(sameIntegerRows(a, b, 'id')).toBe(true);
    const other = ids.slice();
    other[299_999] = 5;
    expect(sameIntegerRows(a, new Table({ id: chunked(other, [150_000]) }), 'id')).toBe(false);
    expect(sameIntegerRows(a, new Table({ id: makeVector(ids.subarray(1)) }), 'id')).toBe(false);
    const big = BigInt64Array.from(ids, (x) => BigInt(x));
    const c = new Table({ id: chunked(big, [3]) });
    expect(sameIntegerRows(c, new Table({ id: chunked(big, [200_000]) }), 'id')).toBe(true);
  });

  it('leaves other id columns to the joined comparison', () => {
    const a = new Table({ id: makeVector(ids) });
    const text = new Table({ id: vectorFromArray(['a', 'b']) });
    expect(sameIntegerRows(text, text, 'id')).toBeUndefined();
    const f = new Table({ id: makeVector(Float64Array.from(ids)) });
    expect(sameIntegerRows(f, f, 'id')).toBeUndefined();
    // Ids of two integer types are not compared as bytes.
    expect(sameIntegerRows(a, new Table({ id: makeVector(Uint32Array.from(ids)) }), 'id')).toBe(
      undefined,
    );
  });
});
