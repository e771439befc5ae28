import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays, tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import { afterAll, describe, expect, test } from 'vitest';
import {
  fitWithHistory,
  InputError,
  predict,
  predictOutOfCore,
  shutdownCpuWorkers,
} from '../src/index.js';

/**
 * predict with a --history period's model publishes the stable keys: segment_id is the key of
 * the row's segment (not its index 0 … k−1), segment_name that key's name, as the period's own
 * output does. The second period below regroups every customer, so no segment survives and its
 * keys are new (2 and 3): an index would not pass for a key.
 */
const root = mkdtempSync(join(tmpdir(), 'gpuseg-track-predict-'));
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await shutdownCpuWorkers();
});

/** 40 customers in two tight groups; `low(id)` says which group a customer is in. */
function period(low: (id: number) => boolean): Table {
  const id = Int32Array.from({ length: 40 }, (_, i) => i + 1);
  const jitter = (i: number) => ((i * 37) % 11) / 10;
  const x = Float64Array.from(id, (c, i) => (low(c) ? 0 : 10) + jitter(i));
  const y = Float64Array.from(id, (c, i) => (low(c) ? 0 : 10) - jitter(i + 3));
  return tableFromArrays({ id, x, y });
}

describe('predict with a tracked model', () => {
  test('segment_id is the stable key and segment_name its name', async () => {
    const dir = join(root, 'store');
    const options = { id: 'id', k: 2, seed: 0, backend: 'cpu' as const, features: ['x', 'y'] };
    await fitWithHistory(
      period((c) => c <= 20),
      { ...options, asOf: '2024-01-31', history: { dir } },
    );
    const second = period((c) => c <= 10 || (c > 20 && c <= 30));
    const fitted = await fitWithHistory(second, {
      ...options,
      asOf: '2024-02-29',
      history: { dir },
    });
    const modelPath = join(dir, '2024-02-29', 'model.json');
    const model = JSON.parse(readFileSync(modelPath, 'utf8')) as {
      tracking: { keys: number[]; names: string[] };
    };
    const { keys, names } = model.tracking;
    // The setup means something only if the keys are not the indices.
    expect(keys.every((key) => key >= 2)).toBe(true);

    const p = await predict(second, modelPath, { backend: 'cpu', id: 'id' });
    const segmentId = p.assignments.getChild('segment_id')!.toArray() as Int32Array;
    const segmentName = p.assignments.getChild('segment_name')!;
    for (let i = 0; i < p.labels.length; i++) {
      expect(segmentId[i]).toBe(keys[p.labels[i]]);
      expect(segmentName.get(i)).toBe(names[p.labels[i]]);
    }
    // The same rows under the same model: the period's raw keys, customer by customer.
    const raw = fitted.assignments.getChild('raw_segment_key')!.toArray() as Int32Array;
    expect(Array.from(segmentId)).toEqual(Array.from(raw));
    expect(Array.from(p.assignments.getChild('segment_key')!.toArray() as Int32Array)).toEqual(
      Array.from(raw),
    );
    // The model object works as its file does.
    const fromObject = await predict(second, fitted.model, { backend: 'cpu', id: 'id' });
    expect(
      Array.from(fromObject.assignments.getChild('segment_id')!.toArray() as Int32Array),
    ).toEqual(Array.from(raw));
    // Out of core, chunk by chunk: the same keys.
    const input = join(root, 'second.arrows');
    writeFileSync(input, tableToIPC(second, 'stream'));
    const output = join(root, 'scored.arrows');
    await predictOutOfCore(input, modelPath, { backend: 'cpu', id: 'id', chunkRows: 16, output });
    const scored = tableFromIPC(readFileSync(output));
    expect(Array.from(scored.getChild('segment_id')!.toArray() as Int32Array)).toEqual(
      Array.from(raw),
    );
  }, 120_000);

  test('a tracked model whose keys do not match k is a clear error', async () => {
    const model = JSON.parse(
      readFileSync(join(root, 'store', '2024-02-29', 'model.json'), 'utf8'),
    ) as { tracking: { keys: number[] } };
    model.tracking.keys = [5];
    await expect(
      predict(
        period(() => true),
        model as never,
        { backend: 'cpu' },
      ),
    ).rejects.toThrow(InputError);
    await expect(
      predict(
        period(() => true),
        model as never,
        { backend: 'cpu' },
      ),
    ).rejects.toThrow(/tracking\.keys/);
  });
});
