import { readFileSync } from 'node:fs';
import { Table, tableFromArrays, tableFromIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import {
  fit,
  InputError,
  parseModel,
  predict,
  profilesCsv,
  selectK,
  UsageError,
  type KPrototypesModel,
} from '../src/index.js';
import { runKPrototypes } from '../src/algo/kprototypes.js';
import { categoricalNotice } from '../src/data/categorical-detect.js';
import { renderMessage } from '../src/errors.js';
import { resolveRoles } from '../src/data/schema.js';
import { appendOneHot, categoryCodes, fitCategoricalEncoding } from '../src/prep/categorical.js';
import { matrixFromRows } from '../src/data/matrix.js';
import { Rng } from '../src/util/rng.js';
import { backendCases } from './helpers/backends.js';
import {
  mixedCost,
  referenceKPrototypes,
  type MixedRows,
} from './helpers/kprototypes-reference.js';

const ROOT = new URL('..', import.meta.url).pathname;
const wholesale = (): Table =>
  tableFromIPC(readFileSync(`${ROOT}datasets/wholesale-customers.arrow`));

describe('detection: which columns are categorical, and the notice', () => {
  test('Wholesale: Channel and Region are codes by name and values; the spend columns are features', () => {
    const roles = resolveRoles(wholesale(), {});
    expect(roles.features).toEqual([
      'Fresh',
      'Milk',
      'Grocery',
      'Frozen',
      'Detergents_Paper',
      'Delicassen',
    ]);
    expect(roles.categoricalLeftOut).toEqual([
      { column: 'Channel', kind: 'integer code', distinct: 2, word: 'channel' },
      { column: 'Region', kind: 'integer code', distinct: 3, word: 'region' },
    ]);
    // The CLI's reader sees flags, the API's options.
    const notice = categoricalNotice(roles.categoricalLeftOut![1]);
    expect(renderMessage(notice, 'flag')).toBe(
      "column 'Region' is left out of the default features as categorical: whole numbers with 3 distinct values and 'region' in its name, so codes rather than quantities; give --categorical Region to cluster on it (one-hot, or --algorithm kprototypes), or --features to cluster it as a number",
    );
    expect(renderMessage(notice, 'option')).toBe(
      "column 'Region' is left out of the default features as categorical: whole numbers with 3 distinct values and 'region' in its name, so codes rather than quantities; give categorical Region to cluster on it (one-hot, or algorithm kprototypes), or features to cluster it as a number",
    );
  });

  test('both parts of the rule are needed; text and booleans are categorical; --features wins', () => {
    const n = 40;
    const table = new Table({
      id: vectorFromArray(Int32Array.from({ length: n }, (_, i) => i)),
      Kidhome: vectorFromArray(Float64Array.from({ length: n }, (_, i) => i % 3)), // few values, no code word: a count
      store_type: vectorFromArray(Float64Array.from({ length: n }, (_, i) => (i % 4) + 1)), // code word, 4 values
      Region: vectorFromArray(Float64Array.from({ length: n }, (_, i) => i % 13)), // code word, 13 values: > 12
      RegionCode: vectorFromArray(Float64Array.from({ length: n }, (_, i) => (i % 2) + 0.5)), // not whole numbers
      gender: vectorFromArray(
        Array.from({ length: n }, (_, i) => (i % 2 ? 'F' : 'M')),
        new Utf8(),
      ),
      plan: vectorFromArray(Array.from({ length: n }, (_, i) => (i % 3 ? 'basic' : 'pro'))), // dictionary
      member: vectorFromArray(Array.from({ length: n }, (_, i) => i % 3 === 0)),
      spend: vectorFromArray(Float64Array.from({ length: n }, (_, i) => i * 1.5)),
    });
    const roles = resolveRoles(table, {});
    expect(roles.features).toEqual(['Kidhome', 'Region', 'RegionCode', 'spend']);
    expect(roles.categoricalLeftOut!.map((c) => [c.column, c.kind, c.distinct])).toEqual([
      ['store_type', 'integer code', 4],
      ['gender', 'text', 2],
      ['plan', 'dictionary', 2],
      ['member', 'boolean', 2],
    ]);
    const named = resolveRoles(table, { features: ['store_type', 'spend'] });
    expect(named.features).toEqual(['store_type', 'spend']);
    expect(named.categoricalLeftOut).toEqual([]);
    const asked = resolveRoles(table, { categorical: ['gender', 'store_type'] });
    expect(asked.categorical).toEqual(['gender', 'store_type']);
    expect(asked.categoricalLeftOut!.map((c) => c.column)).toEqual(['plan', 'member']);
    expect(() => resolveRoles(table, { categorical: ['nope'] })).toThrow(
      /^categorical: unknown column 'nope'/,
    );
    expect(() => resolveRoles(table, { features: ['spend'], categorical: ['spend'] })).toThrow(
      UsageError,
    );
  });
});

/** Mean over all ordered pairs of rows (i = j included) of the squared distance over `cols` columns. */
function meanPairSquaredDistance(data: Float32Array, rows: number, first: number, cols: number) {
  let s = 0;
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < rows; j++)
      for (let c = first; c < first + cols; c++)
        s += (data[c * rows + i] - data[c * rows + j]) ** 2;
  return s / (rows * rows);
}

describe('one-hot weights: a categorical column counts as one standardised feature', () => {
  test('w = 1/√(1 − Σp²): the expected squared distance between two random rows is 2, as a standardised feature’s', () => {
    const shares = [0.5, 0.25, 0.15, 0.1];
    const n = 200;
    const values = Array.from({ length: n }, (_, i) => {
      let acc = 0;
      for (let l = 0; l < shares.length; l++) if (i < n * (acc += shares[l])) return `c${l}`;
      return 'c3';
    });
    const table = tableFromArrays({ c: values });
    const encoding = fitCategoricalEncoding(table, ['c']);
    expect(encoding.columns[0].categories).toEqual(['c0', 'c1', 'c2', 'c3']);
    const gini = 1 - shares.reduce((s, p) => s + p * p, 0);
    expect(encoding.columns[0].weight).toBeCloseTo(1 / Math.sqrt(gini), 12);
    // A standardised numeric column beside it.
    const raw = Array.from({ length: n }, (_, i) => Math.sin(i) * 7 + 3);
    const mean = raw.reduce((a, b) => a + b, 0) / n;
    const std = Math.sqrt(raw.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    const numeric = matrixFromRows(
      raw.map((v) => [(v - mean) / std]),
      ['z'],
    );
    const m = appendOneHot(numeric, categoryCodes(table, encoding), encoding);
    expect(m.features).toEqual(['z', 'c=c0', 'c=c1', 'c=c2', 'c=c3']);
    expect(meanPairSquaredDistance(m.data, n, 0, 1)).toBeCloseTo(2, 4);
    expect(meanPairSquaredDistance(m.data, n, 1, 4)).toBeCloseTo(2, 4);
  });

  test('a two-category column one-hot moves k-means exactly as its 0/1 column standardised does', async () => {
    // Two numeric groups, and a yes/no column (30% yes) splitting each: k=4 needs both.
    const n = 400;
    const rng = new Rng(3);
    const x = Float64Array.from({ length: n }, (_, i) => (i % 2 ? 4 : 0) + rng.nextDouble());
    const y = Float64Array.from({ length: n }, () => rng.nextDouble() * 2);
    const yes = Array.from({ length: n }, (_, i) => i % 10 < 3);
    const table = tableFromArrays({
      x,
      y,
      member: yes.map((v) => (v ? 'yes' : 'no')),
      member01: Float64Array.from(yes, (v) => (v ? 1 : 0)),
    });
    const onehot = await fit(table, {
      k: 4,
      backend: 'cpu',
      features: ['x', 'y'],
      categorical: ['member'],
      seed: 5,
    });
    const numeric = await fit(table, {
      k: 4,
      backend: 'cpu',
      features: ['x', 'y', 'member01'],
      seed: 5,
    });
    expect(Array.from(onehot.labels)).toEqual(Array.from(numeric.labels));
    expect(onehot.stats.inertia! / numeric.stats.inertia!).toBeCloseTo(1, 5);
    // Without the honest weight (plain 0/1 indicators) the column would count 2(1 − Σp²) = 0.84 of a feature.
    expect(onehot.model.categorical!.columns[0].weight).toBeCloseTo(1 / Math.sqrt(0.42), 12);
  });
});

describe('the encoding lives in the model and predict applies it', () => {
  test('predict reproduces the fit; the model round-trips; an unseen category is an error', async () => {
    const table = wholesale();
    const result = await fit(table, { k: 4, backend: 'cpu', categorical: ['Channel', 'Region'] });
    const model = parseModel(JSON.stringify(result.model));
    expect(model.categorical!.columns.map((c) => [c.name, c.categories])).toEqual([
      ['Channel', ['1', '2']],
      ['Region', ['1', '2', '3']],
    ]);
    expect(model.centres[0]).toHaveLength(6 + 5);
    const again = await predict(table, model, { backend: 'cpu' });
    expect(Array.from(again.labels)).toEqual(Array.from(result.labels));
    const unseen = tableFromArrays({
      ...Object.fromEntries(model.features.map((f) => [f, Float64Array.of(1, 2)])),
      Channel: Float64Array.of(1, 3),
      Region: Float64Array.of(1, 1),
    });
    await expect(predict(unseen, model, { backend: 'cpu' })).rejects.toThrow(
      new InputError(
        "column 'Channel' has category '3' at row 1, which the model was not fitted with (it knows '1', '2'); refit with rows of that category",
      ),
    );
    const lacking = tableFromArrays({
      ...Object.fromEntries(model.features.map((f) => [f, Float64Array.of(1)])),
      Channel: Float64Array.of(1),
    });
    await expect(predict(lacking, model, { backend: 'cpu' })).rejects.toThrow(
      "the input lacks the model's categorical column 'Region'",
    );
  });

  test('a damaged categorical model is refused, naming what is wrong', async () => {
    const table = wholesale();
    const kmeans = (await fit(table, { k: 2, backend: 'cpu', categorical: ['Region'] })).model;
    const kproto = (
      await fit(table, { k: 2, backend: 'cpu', categorical: ['Region'], algorithm: 'kprototypes' })
    ).model;
    interface Editable {
      categorical?: { columns: { weight: number; categories: string[] }[] };
      modes: number[][];
      gamma: number;
    }
    const damaged = (model: object, change: (m: Editable) => void): string => {
      const m = structuredClone(model) as Editable;
      change(m);
      try {
        parseModel(JSON.stringify(m), 'm.json');
        return 'accepted';
      } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        return (error as Error).message;
      }
    };
    expect(damaged(kmeans, (m) => (m.categorical!.columns[0].weight = 0))).toMatch(
      /"categorical.columns\[0\].weight" must be a positive number/,
    );
    expect(
      damaged(kmeans, (m) => (m.categorical!.columns[0].categories = ['1', '1', '3'])),
    ).toMatch(/categories" must be distinct strings/);
    expect(damaged(kmeans, (m) => m.categorical!.columns[0].categories.pop())).toMatch(
      /centre 0 must be 8 finite numbers/,
    );
    expect(damaged(kproto, (m) => (m.modes[1] = [3]))).toMatch(/"modes" must be k=2 rows/);
    expect(damaged(kproto, (m) => delete m.categorical)).toMatch(/"categorical" is missing/);
    expect(damaged(kproto, (m) => (m.gamma = -1))).toMatch(/"gamma" must be a positive number/);
    expect(damaged(kproto, () => undefined)).toBe('accepted');
  });

  test('gmm and explicit initial centres refuse --categorical; kprototypes needs it', async () => {
    const table = wholesale();
    await expect(
      fit(table, { k: 3, backend: 'cpu', algorithm: 'gmm', categorical: ['Channel'] }),
    ).rejects.toThrow(UsageError);
    await expect(
      fit(table, { k: 1, backend: 'cpu', categorical: ['Channel'], init: [[1, 2, 3, 4, 5, 6]] }),
    ).rejects.toThrow(/^init: initial centres from a file or array are not available/);
    await expect(fit(table, { k: 3, backend: 'cpu', algorithm: 'kprototypes' })).rejects.toThrow(
      'algorithm kprototypes: name the categorical columns with categorical (found: Channel,Region)',
    );
    const kproto = { k: 3, backend: 'cpu' as const, algorithm: 'kprototypes' as const };
    await expect(fit(table, { ...kproto, categorical: ['Region'], gamma: 0 })).rejects.toThrow(
      /^gamma: expected a number > 0/,
    );
    await expect(
      selectK(table, { k: '2..3', algorithm: 'gmm', categorical: ['Channel'], backend: 'cpu' }),
    ).rejects.toThrow(UsageError);
  });
});

/** Numeric values that are exact in float32 (multiples of 1/8), categories as letters a, b, …. */
function mixedTable(n: number, seed: number): { table: Table; rows: MixedRows } {
  const rng = new Rng(seed);
  const numeric: number[][] = [];
  const categorical: number[][] = [];
  for (let i = 0; i < n; i++) {
    const g = rng.nextInt(3);
    numeric.push([
      g * 3 + Math.round(rng.nextDouble() * 16) / 8,
      Math.round(rng.nextDouble() * 24) / 8,
    ]);
    const noisy = (size: number) => (rng.nextDouble() < 0.7 ? g % size : rng.nextInt(size));
    categorical.push([noisy(3), noisy(4)]);
  }
  const letters = (m: number) => categorical.map((c) => String.fromCharCode(97 + c[m]));
  const table = tableFromArrays({
    u: Float64Array.from(numeric, (r) => r[0]),
    v: Float64Array.from(numeric, (r) => r[1]),
    colour: letters(0),
    size_class: letters(1),
  });
  return { table, rows: { numeric, categorical } };
}

describe('k-prototypes (Huang 1998)', () => {
  test('hand-checked: γ decides between a numeric and a categorical split; means, modes, cost', async () => {
    const table = tableFromArrays({
      x: Float64Array.of(0, 0.25, 1, 1.25),
      c: ['a', 'b', 'a', 'b'],
    });
    const common = {
      k: 2,
      backend: 'cpu' as const,
      algorithm: 'kprototypes' as const,
      categorical: ['c'],
      scale: 'none' as const,
      nInit: 10,
    };
    // γ = 0.01: split by x, {0, 0.25} and {1, 1.25}; one mismatch each: cost 4·0.125² + 2·0.01.
    const small = await fit(table, { ...common, gamma: 0.01 });
    const m1 = small.model as KPrototypesModel;
    const byX = small.labels[0] === small.labels[1] && small.labels[2] === small.labels[3];
    expect(byX && small.labels[0] !== small.labels[2]).toBe(true);
    expect(m1.cost).toBeCloseTo(4 * 0.125 ** 2 + 2 * 0.01, 6);
    expect(m1.centres[small.labels[0]][0]).toBeCloseTo(0.125, 6);
    expect(m1.centres[small.labels[2]][0]).toBeCloseTo(1.125, 6);
    expect(m1.modes.map((r) => r[0])).toEqual([0, 0]); // ties: the first category, 'a'
    // γ = 10: split by c, {0, 1} (a) and {0.25, 1.25} (b); no mismatch: cost 4·0.5².
    const large = await fit(table, { ...common, gamma: 10 });
    const m2 = large.model as KPrototypesModel;
    expect(large.labels[0]).toBe(large.labels[2]);
    expect(large.labels[1]).toBe(large.labels[3]);
    expect(large.labels[0]).not.toBe(large.labels[1]);
    expect(m2.cost).toBeCloseTo(1, 6);
    expect(m2.modes[large.labels[0]]).toEqual([0]);
    expect(m2.modes[large.labels[1]]).toEqual([1]);
    expect(m2.centres[large.labels[0]][0]).toBeCloseTo(0.5, 6);
    expect(m2.centres[large.labels[1]][0]).toBeCloseTo(0.75, 6);
    expect(Array.from(large.distances!, (d) => d * d).reduce((a, b) => a + b)).toBeCloseTo(1, 5);
  });

  test('agrees with the reference algorithm step for step from the same initial rows', async () => {
    const { table, rows } = mixedTable(300, 7);
    const gamma = 0.75;
    const seed = 11;
    const r = await fit(table, {
      k: 3,
      backend: 'cpu',
      algorithm: 'kprototypes',
      categorical: ['colour', 'size_class'],
      scale: 'none',
      gamma,
      init: 'random',
      seed,
    });
    const model = r.model as KPrototypesModel;
    // fit's init 'random' takes k distinct rows drawn by the seeded generator, as here.
    const start = new Rng(seed).sampleWithoutReplacement(300, 3);
    const ref = referenceKPrototypes(
      rows,
      { means: start.map((i) => rows.numeric[i]), modes: start.map((i) => rows.categorical[i]) },
      [3, 4],
      gamma,
    );
    expect(Array.from(r.labels)).toEqual(ref.labels);
    expect(model.modes).toEqual(ref.modes);
    model.centres.forEach((mean, c) =>
      mean.forEach((v, j) => expect(v).toBeCloseTo(ref.means[c][j], 5)),
    );
    expect(model.cost / ref.cost).toBeCloseTo(1, 6);
    expect(r.stats.iterations).toBe(ref.iterations);
    // The cost is Huang's: recomputed from the model's prototypes.
    const recomputed = rows.numeric.reduce(
      (s, x, i) =>
        s +
        mixedCost(
          x,
          rows.categorical[i],
          ref.means[ref.labels[i]],
          ref.modes[ref.labels[i]],
          gamma,
        ),
      0,
    );
    expect(model.cost / recomputed).toBeCloseTo(1, 6);
    // Predict with the saved model: the same segments and costs.
    const again = await predict(table, parseModel(JSON.stringify(model)), { backend: 'cpu' });
    expect(Array.from(again.labels)).toEqual(Array.from(r.labels));
    expect(Array.from(again.distances!)).toEqual(Array.from(r.distances!));
  });

  test('default γ is half the mean standard deviation of the numeric clustering columns', async () => {
    const { table } = mixedTable(200, 2);
    const r = await fit(table, {
      k: 3,
      backend: 'cpu',
      algorithm: 'kprototypes',
      categorical: ['colour', 'size_class'],
    });
    // Standardised features: every std is 1.
    expect((r.model as KPrototypesModel).gamma).toBeCloseTo(0.5, 6);
  });

  test.each(backendCases)('$name gives the CPU reference’s labels, modes and cost', async (bc) => {
    const { table } = mixedTable(3000, 9);
    const settings = {
      k: 4,
      algorithm: 'kprototypes' as const,
      categorical: ['colour', 'size_class'],
      seed: 4,
    };
    const cpu = await fit(table, { ...settings, backend: 'cpu' });
    const backend = await bc.make();
    try {
      const { prepareData } = await import('../src/api/prepare.js');
      const { kprototypesSpace } = await import('../src/api/fit-kprototypes.js');
      const data = await prepareData(table, settings);
      const space = kprototypesSpace('kprototypes', data, undefined)!;
      const handle = await backend.attach(space.matrix);
      const r = await runKPrototypes(backend, handle, {
        ...space,
        k: 4,
        init: 'k-means++',
        nInit: 1,
        maxIter: 100,
        tol: 0,
        seed: 4,
      });
      await backend.detach(handle);
      const model = cpu.model as KPrototypesModel;
      expect(Array.from(r.labels)).toEqual(Array.from(cpu.labels));
      expect(Array.from(r.modes)).toEqual(model.modes.flat());
      expect(r.cost / model.cost).toBeCloseTo(1, 5);
    } finally {
      await backend.dispose();
    }
  });
});

describe('profiles show each category’s share per segment', () => {
  test('clustered and left-out categorical columns, shares counted by hand', async () => {
    const table = wholesale();
    const r = await fit(table, { k: 3, backend: 'cpu', categorical: ['Region'] });
    const cats = r.profiles.categories!;
    expect(cats.map((c) => [c.column, c.role, c.categories])).toEqual([
      ['Region', 'feature', ['1', '2', '3']],
      ['Channel', 'profile', ['1', '2']],
    ]);
    const channel = table.getChild('Channel')!;
    for (let s = 0; s < 3; s++) {
      let size = 0;
      let retail = 0;
      for (let i = 0; i < table.numRows; i++)
        if (r.labels[i] === s) {
          size++;
          if (channel.get(i) === 2) retail++;
        }
      expect(cats[1].segments[s][1]).toBeCloseTo(retail / size, 12);
      expect(cats[1].segments[s].reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    }
    expect(cats[1].population[0]).toBeCloseTo(298 / 440, 12);
    const csv = profilesCsv(r.profiles).trim().split('\n');
    const line = csv.find((l) => l.startsWith('0,') && l.includes(',Channel=2,'))!;
    const cells = line.split(',');
    expect(cells[5]).toBe('profile');
    expect(Number(cells[6])).toBeCloseTo(cats[1].segments[0][1], 12);
    expect(Number(cells[8])).toBeCloseTo(cats[1].population[1], 12);
  });
});
