import { tableFromArrays } from 'apache-arrow';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  fit,
  InputError,
  parseModel,
  predict,
  saveModel,
  splitSegment,
  writeTable,
  type SegmentModel,
} from '../src/index.js';
import { errors, gpuseg, tempDir } from './helpers/cli.js';
import { blobs } from './helpers/reference.js';

/** Micro-segments: gpuseg split / splitSegment, and predict assigning both levels. */
function rfmTable(rows: number, seed: number) {
  const { matrix } = blobs(rows, 3, 6, seed, 1.5);
  const col = (j: number) =>
    Float64Array.from(matrix.data.subarray(j * rows, (j + 1) * rows), (v) => Math.abs(v) * 10);
  return tableFromArrays({
    customer_id: Int32Array.from({ length: rows }, (_, i) => 5000 + i),
    recency_days: col(0),
    frequency: col(1),
    monetary: col(2),
  });
}

const table = rfmTable(1200, 21);
const names = ['At Risk', 'Loyal', 'New'];

describe('splitSegment', () => {
  test('re-segments one segment; names extend the parent’s; predict assigns both levels', async () => {
    const parent = await fit(table, { k: 3, names, backend: 'cpu', seed: 1 });
    const r = await splitSegment(table, parent.model, { segment: 'At Risk', k: 2, backend: 'cpu' });
    expect(r.level.segment).toBe(0);
    expect(r.rankedBy).toBe('monetary');
    expect([...r.level.names].sort()).toEqual(['At Risk – High Value', 'At Risk – Low Value']);
    const ids = r.assignments.getChild('sub_segment_id')!.toArray() as (number | null)[];
    const subNames = r.assignments.getChild('sub_segment_name')!;
    const monetary = table.getChild('monetary')!.toArray() as Float64Array;
    const sums = [0, 0];
    for (let i = 0; i < table.numRows; i++) {
      const inSegment = parent.labels[i] === 0;
      expect(r.assignments.getChild('sub_segment_id')!.isValid(i)).toBe(inSegment);
      if (inSegment) {
        expect(subNames.get(i)).toBe(r.level.names[ids[i]!]);
        sums[ids[i]!] += monetary[i];
      }
    }
    expect(r.sizes.reduce((a, b) => a + b, 0)).toBe(parent.sizes[0]);
    // 'High Value' is the sub-segment with the higher mean monetary.
    const high = r.level.names.indexOf('At Risk – High Value');
    expect(sums[high] / r.sizes[high]).toBeGreaterThan(sums[1 - high] / r.sizes[1 - high]);

    const model = parseModel(JSON.stringify(r.model));
    expect(model.subSegments).toHaveLength(1);
    const again = await predict(table, model, { backend: 'cpu' });
    expect(Array.from(again.labels)).toEqual(Array.from(parent.labels));
    expect(again.assignments.getChild('sub_segment_id')!.toArray()).toEqual(
      r.assignments.getChild('sub_segment_id')!.toArray(),
    );
    expect(again.assignments.getChild('sub_segment_name')!.toArray()).toEqual(
      r.assignments.getChild('sub_segment_name')!.toArray(),
    );
  });

  test('a segment that does not exist is an error naming the segments', async () => {
    const parent = await fit(table, { k: 3, names, backend: 'cpu' });
    await expect(
      splitSegment(table, parent.model, { segment: 'Champions', k: 2, backend: 'cpu' }),
    ).rejects.toThrow(InputError);
    await expect(
      splitSegment(table, parent.model, { segment: 'Champions', k: 2, backend: 'cpu' }),
    ).rejects.toThrow(
      /^segment: no segment 'Champions' in the model; its segments are 'At Risk', 'Loyal', 'New'/,
    );
  });
});

describe('gpuseg split', () => {
  test('writes the output and the model with its child level; an unknown segment writes nothing', async () => {
    const dir = tempDir();
    const input = join(dir, 'customers.arrow');
    writeTable(input, table, 'input');
    const parent = await fit(table, { k: 3, names, backend: 'cpu' });
    const modelPath = join(dir, 'model.json');
    saveModel(modelPath, parent.model);
    const out = join(dir, 'split.csv');
    const bad = gpuseg([
      'split',
      input,
      '--model',
      modelPath,
      '--segment',
      'Gone',
      '--k',
      '2',
      '--output',
      out,
      '--backend',
      'cpu',
    ]);
    expect(bad.status).toBe(3);
    expect(errors(bad)).toMatch(/^gpuseg: error: --segment: no segment 'Gone' in the model/);
    expect(existsSync(out)).toBe(false);
    expect(
      (JSON.parse(readFileSync(modelPath, 'utf8')) as SegmentModel).subSegments,
    ).toBeUndefined();

    const ok = gpuseg([
      'split',
      input,
      '--model',
      modelPath,
      '--segment',
      'Loyal',
      '--k',
      '3',
      '--output',
      out,
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(errors(ok)).toBe('');
    expect(JSON.parse(ok.stdout).sub_segment_names).toHaveLength(3);
    const saved = parseModel(readFileSync(modelPath, 'utf8'));
    expect(saved.subSegments![0].segment).toBe(1);
    expect(saved.subSegments![0].names.every((n) => n.startsWith('Loyal – '))).toBe(true);
    const header = readFileSync(out, 'utf8').split('\n')[0];
    expect(header).toBe(
      'customer_id,segment_id,segment_name,sub_segment_id,sub_segment_name,distance',
    );
  });
});
