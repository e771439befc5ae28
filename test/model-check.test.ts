import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { beforeAll, describe, expect, test } from 'vitest';
import { fit } from '../src/api/fit.js';
import { predict } from '../src/api/predict.js';
import { predictOutOfCore } from '../src/api/predict-out-of-core.js';
import { InputError } from '../src/errors.js';
import { parseModel, type SegmentModel } from '../src/model/model.js';
import { errors, filesIn, gpuseg, tempDir } from './helpers/cli.js';

/**
 * A model is checked when it is loaded (or passed to predict as an object): every length against
 * the features and the clustering columns, every number scoring uses finite, every scale non-zero.
 * A model that fails is an input error naming the field, never rows silently sent to segment 0
 * with NaN distances.
 */
const table = tableFromArrays({
  id: Int32Array.from({ length: 12 }, (_v, i) => i),
  a: Float64Array.from([1, 2, 3, 4, 10, 11, 12, 13, 20, 21, 22, 23]),
  b: Float64Array.from([5, 3, 4, 6, 50, 52, 51, 49, 90, 91, 93, 92]),
});
let model: SegmentModel;
let dir: string;
let input: string;

beforeAll(async () => {
  model = (await fit(table, { k: 3, backend: 'cpu', seed: 1, personas: false })).model;
  dir = tempDir();
  input = join(dir, 'in.arrow');
  writeFileSync(input, tableToIPC(table, 'file'));
});

/** The parts of a model's JSON the cases edit. */
interface ModelJson {
  preprocessing: {
    scale: { centre: number[]; scale: (number | null)[] };
    impute: unknown;
    log: string[];
    outputs: string[];
  };
  centres: (number | null)[][];
  centresInputUnits: number[][];
}

/** The model as JSON with `edit` applied. */
function tampered(edit: (m: ModelJson) => void): ModelJson {
  const m = JSON.parse(JSON.stringify(model));
  edit(m);
  return m;
}

const BAD: { name: string; edit: (m: ModelJson) => void; message: RegExp }[] = [
  {
    name: 'a zero scale',
    edit: (m) => (m.preprocessing.scale.scale[1] = 0),
    message: /"preprocessing\.scale\.scale" is 0 for feature 'b'/,
  },
  {
    name: 'a scale of the wrong length',
    edit: (m) => m.preprocessing.scale.scale.pop(),
    message: /"preprocessing\.scale\.scale" must be 2 finite non-zero numbers .*got 1 numbers/,
  },
  {
    name: 'a non-finite scale (null in JSON)',
    edit: (m) => (m.preprocessing.scale.scale[0] = null),
    message: /"preprocessing\.scale\.scale" .*got null at position 0/,
  },
  {
    name: 'a centre of the wrong length',
    edit: (m) => (m.preprocessing.scale.centre = [0, 0, 0]),
    message: /"preprocessing\.scale\.centre" must be 2 finite numbers/,
  },
  {
    name: 'a non-finite cluster centre',
    edit: (m) => (m.centres[2][0] = null),
    message: /centre 2 must be 2 finite numbers/,
  },
  {
    name: 'a short cluster centre',
    edit: (m) => m.centres[0].pop(),
    message: /centre 0 must be 2 finite numbers/,
  },
  {
    name: 'centres in input units of the wrong shape',
    edit: (m) => (m.centresInputUnits = [[1, 2]]),
    message: /"centresInputUnits" must be k=3 rows of 2 finite numbers/,
  },
  {
    name: 'imputation values of the wrong length',
    edit: (m) => (m.preprocessing.impute = { strategy: 'mean', values: [1] }),
    message: /"preprocessing\.impute\.values" must be 2 finite numbers/,
  },
  {
    name: 'a log of a column that is not a feature',
    edit: (m) => (m.preprocessing.log = ['c']),
    message: /"preprocessing\.log" must list feature names/,
  },
  {
    name: 'outputs that are not the features without PCA',
    edit: (m) => (m.preprocessing.outputs = ['a']),
    message: /"preprocessing\.outputs" must be the features when there is no PCA/,
  },
];

describe('a model is validated on load', () => {
  test('the fitted model itself passes', () => {
    expect(() => parseModel(JSON.stringify(model), 'm.json')).not.toThrow();
  });

  test.each(BAD)('$name: parseModel throws an InputError naming the field', ({ edit, message }) => {
    const text = JSON.stringify(tampered(edit));
    expect(() => parseModel(text, 'm.json')).toThrow(InputError);
    expect(() => parseModel(text, 'm.json')).toThrow(message);
    expect(() => parseModel(text, 'm.json')).toThrow(/^'m\.json' is not a valid gpuseg model: /);
  });

  test.each(BAD)('$name: predict refuses the model object too', async ({ edit, message }) => {
    const m = tampered(edit) as unknown as SegmentModel;
    await expect(predict(table, m, { backend: 'cpu' })).rejects.toThrow(message);
    await expect(predictOutOfCore(input, m, { backend: 'cpu' })).rejects.toThrow(message);
  });

  test('gpuseg predict with a model whose scale has a zero: exit 3, one line, no output', () => {
    const path = join(dir, 'zero-scale.json');
    writeFileSync(path, JSON.stringify(tampered((m) => (m.preprocessing.scale.scale[0] = 0))));
    const out = tempDir();
    const r = gpuseg([
      'predict',
      input,
      '--model',
      path,
      '--backend',
      'cpu',
      '--output',
      join(out, 's.csv'),
    ]);
    expect(r.status, r.stderr).toBe(3);
    expect(errors(r)).toMatch(
      /^gpuseg: error: '.*zero-scale\.json' is not a valid gpuseg model: "preprocessing\.scale\.scale" is 0 for feature 'a'/,
    );
    expect(errors(r).split('\n')).toHaveLength(1);
    expect(filesIn(out)).toEqual([]);
  });
});
