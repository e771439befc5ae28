/**
 * Writes N rows of D features (f0 … f{D−1}) as an Arrow IPC stream (.arrows) or file (.arrow),
 * one record batch at a time, so that memory stays at a batch and 50M rows are written in seconds:
 * the input of the device check's end-to-end and out-of-core fits and of the host-work bench. Rows
 * are K blobs (centres in [−10, 10]^D, noise of spread ±3 from a xorshift generator); the same
 * arguments give the same file. --type: float32 (the default), float64 (the same values, not
 * rounded to float32), or mixed (column j float32, float64 or int32 by j mod 3; the int32 columns
 * hold round(1000 · value)): the inputs that are converted, not read in place.
 *
 *   node dist/bench/gen-features.js --rows 50M --output FILE [--dims 16] [--k 8] [--batch-rows 1M]
 *     [--type float32|float64|mixed]
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
    type: { type: 'string', default: 'float32' },
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
const TYPES = ['float32', 'float64', 'mixed'];
if (!TYPES.includes(values.type!)) {
  console.error(`gen-features: --type must be one of ${TYPES.join(', ')}, got '${values.type}'`);
  process.exit(2);
}

/** The array of column j, of n rows, for --type. */
function columnArray(j: number, n: number): Float32Array | Float64Array | Int32Array {
  const kind = values.type === 'mixed' ? TYPES[j % 3] : values.type;
  if (kind === 'float32') return new Float32Array(n);
  return kind === 'float64' ? new Float64Array(n) : new Int32Array(n);
}

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
    const columns: Record<string, Float32Array | Float64Array | Int32Array> = {};
    for (let j = 0; j < dims; j++) {
      const column = columnArray(j, n);
      // An int32 column keeps three decimals (Int32Array's store truncates: rounded first).
      const integer = column instanceof Int32Array;
      for (let i = 0; i < n; i++) {
        const v = centres[((start + i) % k) * dims + j] + (next() + next() - 1) * 3;
        column[i] = integer ? Math.round(1000 * v) : v;
      }
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
