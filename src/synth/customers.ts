import {
  Float64,
  Int32,
  makeData,
  RecordBatch,
  Schema,
  Field,
  Struct,
  Table,
  Utf8,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import { UsageError } from '../errors.js';
import { openChunkWriter } from '../io/batch-writer.js';
import { Rng } from '../util/rng.js';
import { checkStringArgument } from '../util/arguments.js';
import { PERSONAS, type Persona } from './personas.js';

export { PERSONAS, type Persona } from './personas.js';

/**
 * Synthetic customers with known personas: RFM and behavioural columns drawn from per-persona
 * distributions, seeded, any number of rows, written as an Arrow IPC stream batch by batch (so a
 * file larger than memory can be made). The persona each row was drawn from is in `true_persona`,
 * for tests that check a segmentation finds them.
 */

function gaussian(rng: Rng): number {
  const u = Math.max(rng.nextDouble(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
}

/** A positive value with the given mean and a coefficient of variation `cv` (lognormal). */
function lognormal(rng: Rng, mean: number, cv: number): number {
  const s2 = Math.log(1 + cv * cv);
  return mean * Math.exp(Math.sqrt(s2) * gaussian(rng) - s2 / 2);
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}

/** One batch of customers, rows [start, start + rows), drawn from `rng`. */
export function customerBatch(rng: Rng, start: number, rows: number): RecordBatch {
  const cols = {
    customer_id: new Int32Array(rows),
    recency_days: new Float64Array(rows),
    frequency: new Float64Array(rows),
    monetary: new Float64Array(rows),
    avg_order_value: new Float64Array(rows),
    tenure_days: new Float64Array(rows),
    return_rate: new Float64Array(rows),
    sessions_per_month: new Float64Array(rows),
    email_open_rate: new Float64Array(rows),
    discount_share: new Float64Array(rows),
  };
  const persona: string[] = new Array(rows);
  const cumulative = PERSONAS.map(
    (
      (s) => (p: Persona) =>
        (s += p.share)
    )(0),
  );
  for (let i = 0; i < rows; i++) {
    const u = rng.nextDouble() * cumulative[cumulative.length - 1];
    const p = PERSONAS[cumulative.findIndex((c) => u < c)] ?? PERSONAS[PERSONAS.length - 1];
    const frequency = Math.max(1, Math.round(lognormal(rng, p.frequency, 0.5)));
    const orderValue = lognormal(rng, p.orderValue, 0.4);
    const tenure = Math.max(1, Math.round(lognormal(rng, p.tenureDays, 0.3)));
    cols.customer_id[i] = start + i;
    cols.recency_days[i] = Math.min(tenure, Math.round(lognormal(rng, p.recencyDays, 0.6)));
    cols.frequency[i] = frequency;
    cols.return_rate[i] = clamp01(lognormal(rng, p.returnRate, 0.6));
    cols.monetary[i] = Math.round(frequency * orderValue * (1 - cols.return_rate[i]) * 100) / 100;
    cols.avg_order_value[i] = Math.round(orderValue * 100) / 100;
    cols.tenure_days[i] = tenure;
    cols.sessions_per_month[i] = lognormal(rng, p.sessionsPerMonth + 0.1, 0.5);
    cols.email_open_rate[i] = clamp01(p.emailOpenRate + 0.1 * gaussian(rng));
    cols.discount_share[i] = clamp01(p.discountShare + 0.08 * gaussian(rng));
    persona[i] = p.name;
  }
  const children: Vector[] = [];
  const fields: Field[] = [];
  for (const [name, values] of Object.entries(cols)) {
    const type = values instanceof Int32Array ? new Int32() : new Float64();
    fields.push(new Field(name, type, false));
    children.push(vectorFromArray(values as never, type as never));
  }
  const names = vectorFromArray(persona, new Utf8());
  fields.push(new Field('true_persona', new Utf8(), false));
  children.push(names);
  const struct = makeData({
    type: new Struct(fields),
    length: rows,
    nullCount: 0,
    children: children.map((c) => c.data[0]),
  });
  return new RecordBatch(new Schema(fields), struct);
}

/**
 * Writes `rows` customers to an Arrow IPC stream file, `batchRows` at a time (memory stays at a
 * batch or two), atomically (temporary file, then rename). The same seed gives the same file.
 */
export async function writeCustomers(
  path: string,
  rows: number,
  seed: number,
  batchRows = 1 << 20,
): Promise<void> {
  checkStringArgument(path, 'path');
  if (!Number.isInteger(rows) || rows < 1)
    throw new UsageError((opt) => `${opt('rows')}: expected an integer ≥ 1, got '${rows}'`);
  const rng = new Rng(seed);
  const writer = openChunkWriter(path, { option: 'output' });
  try {
    for (let start = 0; start < rows; start += batchRows)
      await writer.write(new Table(customerBatch(rng, start, Math.min(batchRows, rows - start))));
    await writer.commit();
  } catch (error) {
    writer.abort();
    throw error;
  }
}
