import { Float64, makeVector, Table, type Vector } from 'apache-arrow';
import { Rng } from '../util/rng.js';
import { tableColumnsFloat64 } from './to-matrix.js';

/**
 * A uniform sample of `capacity` rows of a table seen a chunk at a time (reservoir sampling,
 * Vitter's algorithm R: row t replaces a random slot with probability capacity / (t + 1)), kept
 * as float64 columns. Seeded, so a file gives the same sample every run. While the table has no
 * more rows than the capacity the sample is the whole table, in order.
 */
export class RowReservoir {
  private seen = 0;
  private filled = 0;
  private readonly values: Float64Array[];
  /** Row number (in the whole table) held by each slot, so the sample comes out in table order. */
  private readonly origin: Float64Array;
  private readonly rng: Rng;

  constructor(
    private readonly columns: readonly string[],
    private readonly capacity: number,
    seed: number,
  ) {
    this.values = columns.map(() => new Float64Array(capacity));
    this.origin = new Float64Array(capacity);
    this.rng = new Rng(seed);
  }

  /** Rows offered so far. */
  get rowsSeen(): number {
    return this.seen;
  }

  add(chunk: Table): void {
    const n = chunk.numRows;
    const slots: number[] = [];
    const rows: number[] = [];
    for (let i = 0; i < n; i++, this.seen++) {
      const slot = this.seen < this.capacity ? this.seen : this.rng.nextInt(this.seen + 1);
      if (slot < this.capacity) {
        slots.push(slot);
        rows.push(i);
        this.origin[slot] = this.seen;
      }
    }
    this.filled = Math.min(this.capacity, this.seen);
    if (slots.length === 0) return;
    // A slot taken twice in one chunk keeps the later row, as the sequential algorithm would.
    this.columns.forEach((name, j) => {
      const [col] = tableColumnsFloat64(chunk, [name]);
      const out = this.values[j];
      for (let t = 0; t < slots.length; t++) out[slots[t]] = col[rows[t]];
    });
  }

  /** The sample as a table of float64 columns, rows in the order they had in the whole table. */
  table(): Table {
    const m = this.filled;
    const order = Array.from({ length: m }, (_, s) => s).sort(
      (a, b) => this.origin[a] - this.origin[b],
    );
    const columns: Record<string, Vector> = {};
    this.columns.forEach((name, j) => {
      const data = new Float64Array(m);
      for (let t = 0; t < m; t++) data[t] = this.values[j][order[t]];
      columns[name] = makeVector({ type: new Float64(), data });
    });
    return new Table(columns);
  }
}
