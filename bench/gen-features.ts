/**
 * Writes N rows of D float32 features (f0 … f{D−1}) as an Arrow IPC stream (.arrows) or file
 * (.arrow), one record batch at a time, so that memory stays at a batch and 50M rows are written
 * in seconds: the input of the device check's end-to-end and out-of-core fits. Rows are K blobs
 * (centres in [−10, 10]^D, noise of spread ±3 from a xorshift generator); the same arguments give
 * the same file.
 *
 *   node dist/bench/gen-features.js --rows 50M --output FILE [--dims 16] [--k 8] [--batch-rows 1M]
 */
import { tableFromArrays } from 'apache-arrow';
import { parseArgs } from 'node:util';
import { parseCount } from '../src/bench/bench.js';
import { openChunkWriter } from '../src/io/batch-writer.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string' },
    dims: { type: 'string', default: '16' },
    k: { type: 'string', default: '8' },
    'batch-rows': { type: 'string', default: '1M' },
    output: { type: 'string' },
  },
});
if (!values.rows || !values.output) {
  console.error('gen-features: --rows and --output are required');
  process.exit(2);
}
const rows = parseCount(values.rows, '--rows');
const dims = parseCount(values.dims, '--dims');
const k = parseCount(values.k, '--k');
const batchRows = parseCount(values['batch-rows'], '--batch-rows');

let state = 0x9e3779b9;
/** xorshift32 → [0, 1). */
function next(): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4294967296;
}
const centres = Float32Array.from({ length: k * dims }, () => next() * 20 - 10);

const started = performance.now();
const writer = openChunkWriter(values.output, '--output');
try {
  for (let start = 0; start < rows; start += batchRows) {
    const n = Math.min(batchRows, rows - start);
    const columns: Record<string, Float32Array> = {};
    for (let j = 0; j < dims; j++) {
      const column = new Float32Array(n);
      for (let i = 0; i < n; i++)
        column[i] = centres[((start + i) % k) * dims + j] + (next() + next() - 1) * 3;
      columns[`f${j}`] = column;
    }
    await writer.write(tableFromArrays(columns));
  }
  await writer.commit();
} catch (error) {
  writer.abort();
  throw error;
}
console.log(
  JSON.stringify({
    rows,
    dims,
    k,
    seconds: (performance.now() - started) / 1000,
    output: values.output,
  }),
);
