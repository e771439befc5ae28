/**
 * A second period in which most customers are who they were: each batch of period 1's customers
 * (seed 1) is drawn again, and one row in ten takes its values from an independent draw (seed 2),
 * so 90% of customers keep their features and segment, 10% move at random. Without it the
 * track-overhead bench's period 2 is a fresh draw for every id: no segment keeps its members, and
 * nothing survives (a worst case for migration, not a weekly re-run).
 */
import { makeData, makeVector, RecordBatch, Struct, Table, type Vector } from 'apache-arrow';
import { openChunkWriter } from '../src/io/batch-writer.js';
import { customerBatch } from '../src/synth/customers.js';
import { Rng } from '../src/util/rng.js';

/** One row in `MOVED_EVERY` is redrawn. */
export const MOVED_EVERY = 10;

export async function writePersistingCustomers(
  path: string,
  rows: number,
  batchRows = 1 << 20,
): Promise<void> {
  const stay = new Rng(1);
  const move = new Rng(2);
  const writer = openChunkWriter(path, { option: 'output' });
  try {
    for (let start = 0; start < rows; start += batchRows) {
      const n = Math.min(batchRows, rows - start);
      const kept = customerBatch(stay, start, n);
      const moved = customerBatch(move, start, n);
      const children = kept.schema.fields.map((f, c) => {
        const a = kept.getChildAt(c)!;
        const b = moved.getChildAt(c)!;
        return f.name === 'customer_id' || f.name === 'true_persona' ? a : mixed(a, b, n);
      });
      const struct = makeData({
        type: new Struct(kept.schema.fields),
        length: n,
        nullCount: 0,
        children: children.map((v) => v.data[0]),
      });
      await writer.write(new Table(new RecordBatch(kept.schema, struct)));
    }
    await writer.commit();
  } catch (error) {
    writer.abort();
    throw error;
  }
}

/** `a`'s values, with every MOVED_EVERY-th row taken from `b` (a float64 column). */
function mixed(a: Vector, b: Vector, n: number): Vector {
  const values = Float64Array.from(a.toArray() as Float64Array);
  const other = b.toArray() as Float64Array;
  for (let i = 0; i < n; i += MOVED_EVERY) values[i] = other[i];
  return makeVector(values);
}
