import {
  Float32,
  Float64,
  makeVector,
  Table,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { periodBins } from '../src/track/deciles.js';
import {
  binsOfValues,
  featurePsi,
  parsePsiBins,
  psiBinsText,
  type StoredBins,
} from '../src/track/psi-bins.js';
import { chunksOf } from '../src/track/chunk-rows.js';
import { numbers } from '../src/track/stability-figures.js';
import { populationStabilityIndex } from '../src/track/stability.js';
import { Rng } from '../src/util/rng.js';
import { decileEdges } from './helpers/deciles.js';

/**
 * The PSI from stored bins (psi-bins.ts: the previous period's decile bins kept in its folder,
 * the current period counted in them in the pass that gives its own bins) against a direct
 * computation: deciles by sorting, bins by comparing every value with every edge, the sum written
 * out. The figures must be equal to the bit, since stability.json must not change.
 */
function directBins(values: Float64Array): StoredBins & { sorted: number[] } {
  const sorted = [...values].filter(Number.isFinite).sort((x, y) => x - y);
  const n = sorted.length;
  const edges = decileEdges(sorted);
  return { edges, counts: countIn(values, edges), n, sorted };
}

/** Finite values per bin: bin i holds edges[i − 1] ≤ x < edges[i]. */
function countIn(values: Float64Array, edges: number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const x of values) if (Number.isFinite(x)) counts[edges.filter((e) => x >= e).length]++;
  return counts;
}

function directPsi(previous: Float64Array, current: Float64Array): number {
  const e = directBins(previous);
  const a = countIn(current, e.edges);
  const m = a.reduce((s, c) => s + c, 0);
  if (e.n === 0 || m === 0) return NaN;
  let psi = 0;
  for (let i = 0; i < e.counts.length; i++) {
    const pe = Math.max(e.counts[i] / e.n, 1e-4);
    const pa = Math.max(a[i] / m, 1e-4);
    psi += (pa - pe) * Math.log(pa / pe);
  }
  return psi;
}

const rng = new Rng(21);
const kinds: [string, (shift: number) => number][] = [
  ['uniform, shifted', (s) => rng.nextDouble() * 100 - 50 + 10 * s],
  ['few values', (s) => Math.round(rng.nextDouble() * (4 + s))],
  [
    'signed zeros, non-finite, denormals',
    (s) => [0, -0, NaN, Infinity, -Infinity, 1, -1, 5e-324, -5e-324, 1e300, s][rng.nextU32() % 11],
  ],
  [
    'both signs over many octaves',
    (s) => Math.exp(rng.nextDouble() * 40 - 20 + s) * (rng.nextDouble() < 0.3 ? -1 : 1),
  ],
  [
    'lognormal money',
    (s) =>
      Math.exp(
        4 +
          s / 3 +
          1.5 *
            Math.sqrt(-2 * Math.log(rng.nextDouble() || 1e-300)) *
            Math.cos(2 * Math.PI * rng.nextDouble()),
      ),
  ],
  ['one value mostly', (s) => (rng.nextDouble() < 0.9 - 0.2 * s ? 1 : rng.nextDouble())],
];

describe('PSI from stored bins', () => {
  for (const [name, draw] of kinds)
    it(`equals a direct computation and populationStabilityIndex (${name})`, () => {
      for (const [n, m] of [
        [1, 1],
        [10, 3],
        [57, 200],
        [1000, 1000],
        [30000, 20000],
        [0, 5],
      ]) {
        const previous = Float64Array.from({ length: n }, () => draw(0));
        const current = Float64Array.from({ length: m }, () => draw(1));
        // The previous period's bins as the store keeps them (JSON), read back.
        const stored = parsePsiBins(psiBinsText({ f: binsOfValues(previous) }))!.f;
        const r = featurePsi(current, stored);
        const direct = directPsi(previous, current);
        expect(Object.is(r.psi, direct) || r.psi === direct).toBe(true);
        expect(r.psi).toEqual(populationStabilityIndex(previous, current));
        // The column in chunks (Arrow record batches), read chunk by chunk: the same figures.
        const cut = [0, m >> 2, m >> 2, (3 * m) >> 2, m];
        const parts = cut.slice(1).map((to, j) => current.subarray(cut[j], to));
        expect(featurePsi(parts, stored)).toEqual(r);
        // A period against its own bins: its deciles all in the buckets gathered in the first pass.
        const same = featurePsi(previous, binsOfValues(previous));
        expect(same.psi).toEqual(directPsi(previous, previous));
        expect(same.bins).toEqual(binsOfValues(previous));
        // This period's own bins: the next period's expected side.
        const own = directBins(current);
        expect({ ...r.bins, edges: r.bins.edges.map((e) => e + 0) }).toEqual({
          edges: own.edges.map((e) => e + 0),
          counts: own.counts,
          n: own.n,
        });
      }
    });

  it('counts values on an edge in the bin above it, in the edge bucket and around it', () => {
    // Edges inside buckets that hold many values (1, 1 + 2^-52, and their neighbours).
    const current = Float64Array.from({ length: 5000 }, (_, i) => 1 + (i % 7) * 2 ** -52);
    const against = [1 + 2 * 2 ** -52, 1 + 5 * 2 ** -52, 3];
    expect([...periodBins(current, against)!.against.counts]).toEqual(countIn(current, against));
  });

  it('reads back only valid bins files', () => {
    const bins = { a: { edges: [0.1 + 0.2, 1e-300, 7], counts: [1, 2, 3, 4], n: 10 } };
    bins.a.edges.sort((x, y) => x - y);
    expect(parsePsiBins(psiBinsText(bins))).toEqual(bins);
    for (const bad of [
      '{"features": 1',
      '{"features": []}',
      '{"features": {"a": {"edges": [1], "counts": [1], "n": 1}}}',
      '{"features": {"a": {"edges": [2, 1], "counts": [1, 1, 1], "n": 3}}}',
      '{"features": {"a": {"edges": [1], "counts": [1, 1], "n": 3}}}',
      '{"features": {"a": {"edges": [null], "counts": [1, 1], "n": 2}}}',
    ])
      expect(parsePsiBins(bad), bad).toBeUndefined();
  });
  it('reads a float64 column of a table read from a file chunk by chunk, in place', () => {
    // A table read back from Arrow IPC types its doubles as Float (precision DOUBLE), not Float64:
    // the chunked reader must still take them, or every period joins and copies each feature.
    const rng = new Rng(5);
    const parts = [3000, 1, 4096].map((n) =>
      makeVector(Float64Array.from({ length: n }, () => (rng.nextDouble() - 0.5) * 20)),
    );
    const written = new Table({ x: parts[0].concat(parts[1], parts[2]) });
    const read = tableFromIPC(tableToIPC(new Table({ x: written.getChild('x')! })));
    const x = read.getChild('x')!;
    expect(x.type).not.toBeInstanceOf(Float64);
    const chunks = chunksOf(read, 'x', Float64Array);
    expect(chunks?.map((c) => c.length)).toEqual(x.data.map((d) => d.length));
    chunks!.forEach((c, i) => expect(c.buffer).toBe(x.data[i].values.buffer));
    expect(featurePsi(chunks!, undefined)).toEqual(featurePsi(numbers(read, 'x')!, undefined));
    const single = new Table({ y: vectorFromArray([1, 2, 3], new Float32()) });
    expect(chunksOf(tableFromIPC(tableToIPC(single)), 'y', Float64Array)).toBeUndefined();
  });
});
