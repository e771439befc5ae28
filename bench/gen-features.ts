/**
 * Writes N rows of D features (f0 … f{D−1}) as an Arrow IPC stream (.arrows) or file (.arrow),
 * one record batch at a time, so that memory stays at a batch and 50M rows are written in seconds:
 * the input of the device check's end-to-end and out-of-core fits and of the host-work bench. Rows
 * are K blobs (centres in [−10, 10]^D, noise of spread ±3: a sum of two uniforms) from the bench's
 * generator (src/bench/bench-data.ts: a hash per two values, ~4× faster than the xorshift pair per
 * value it replaced); the same arguments give the same file. --type: float32 (the default),
 * float64 (the same values, widened), or mixed (column j float32, float64 or int32 by j mod 3; the
 * int32 columns hold round(1000 · value)): the inputs that are converted, not read in place.
 *
 *   node dist/bench/gen-features.js --rows 50M --output FILE [--dims 16] [--k 8] [--batch-rows 1M]
 *     [--type float32|float64|mixed]
 */
import { tableFromArrays } from 'apache-arrow';
import { BlobGenerator } from '../src/bench/bench-data.js';
import { openChunkWriter } from '../src/io/batch-writer.js';
import { benchCount, benchFlags, usageExit } from './bench-flags.js';

const script = 'gen-features';
const values = benchFlags(
  script,
  'Writes N rows of D blob features as an Arrow IPC file (.arrow) or stream (.arrows), a batch at a time.',
  {
    rows: { type: 'string' },
    dims: { type: 'string', default: '16' },
    k: { type: 'string', default: '8' },
    'batch-rows': { type: 'string', default: '1M' },
    output: { type: 'string' },
    type: { type: 'string', default: 'float32' },
  },
  {
    rows: 'rows to write (10M, 1e6, 250k); required',
    dims: 'features',
    k: 'blobs',
    'batch-rows': 'rows per record batch',
    output: 'the file to write (.arrow: IPC file, .arrows: stream); required',
    type: 'float32, float64 or mixed (float32, float64, int32 by column)',
  },
);
if (!values.rows || !values.output) usageExit(script, '--rows and --output are required');
const rows = benchCount(script, values.rows, '--rows');
const dims = benchCount(script, values.dims, '--dims');
const k = benchCount(script, values.k, '--k');
const batchRows = benchCount(script, values['batch-rows'], '--batch-rows');
const TYPES = ['float32', 'float64', 'mixed'];
if (!TYPES.includes(values.type))
  usageExit(script, `--type: expected one of ${TYPES.join(', ')}, got '${values.type}'`);

/**
 * Column j of a batch for --type, from its float32 values: those values themselves (float32),
 * widened (float64), or rounded to three decimals (int32: Int32Array's store truncates).
 */
function columnOf(j: number, values32: Float32Array): Float32Array | Float64Array | Int32Array {
  const kind = values.type === 'mixed' ? TYPES[j % 3] : values.type;
  if (kind === 'float32') return values32;
  if (kind === 'float64') return Float64Array.from(values32);
  return Int32Array.from(values32, (v) => Math.round(1000 * v));
}

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
    const columns: Record<string, Float32Array | Float64Array | Int32Array> = {};
    for (let j = 0; j < dims; j++)
      columns[`f${j}`] = columnOf(j, batch.subarray(j * n, (j + 1) * n));
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
