/**
 * Writes N rows of D float32 features (f0 … f{D−1}) as an Arrow IPC stream (.arrows) or file
 * (.arrow), one record batch at a time, so that memory stays at a batch and 50M rows are written
 * in seconds: the input of the device check's end-to-end and out-of-core fits. Rows are K blobs
 * (centres in [−10, 10]^D, noise of spread ±3: a sum of two uniforms) from the bench's generator
 * (src/bench/bench-data.ts: a hash per two values, ~4× faster than the xorshift pair per value it
 * replaced); the same arguments give the same file.
 *
 *   node dist/bench/gen-features.js --rows 50M --output FILE [--dims 16] [--k 8] [--batch-rows 1M]
 */
import { tableFromArrays } from 'apache-arrow';
import { parseArgs } from 'node:util';
import { parseCount } from '../src/bench/bench.js';
import { BlobGenerator } from '../src/bench/bench-data.js';
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

const blobs = BlobGenerator.seeded(
  dims,
  k,
  0,
  (rng) => (rng.nextDouble() + rng.nextDouble() - 1) * 3,
);

const started = performance.now();
const writer = openChunkWriter(values.output, '--output');
try {
  for (let start = 0; start < rows; start += batchRows) {
    const n = Math.min(batchRows, rows - start);
    const batch = new Float32Array(n * dims);
    blobs.fill(batch, start, n);
    const columns: Record<string, Float32Array> = {};
    for (let j = 0; j < dims; j++) columns[`f${j}`] = batch.subarray(j * n, (j + 1) * n);
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
