import { Float64, makeVector, Table, type Vector } from 'apache-arrow';
import { Rng } from '../util/rng.js';
import { tableColumnsFloat64 } from './to-matrix.js';

/**
 * The row choices of a reservoir sample (Vitter's algorithm R) without the rows' values: which
 * slot each offered row takes, if any. The draws depend only on how many rows came before, so the
 * rows a sample holds follow from the row count alone (a sharded fit picks the sample's rows by
 * their number in the whole table before asking the shards for them).
 */
export class ReservoirSlots {
  private seen = 0;
  /** Row number (in the whole table) held by each slot. */
  readonly origin: Float64Array;
  private readonly rng: Rng;

  constructor(
    readonly capacity: number,
    seed: number,
  ) {
    this.origin = new Float64Array(capacity);
    this.rng = new Rng(seed);
  }

  /** Rows offered so far. */
  get rowsSeen(): number {
    return this.seen;
  }

  /** Slots filled so far. */
  get filled(): number {
    return Math.min(this.capacity, this.seen);
  }

  /** Offers the next `n` rows; `take(slot, i)` for each kept one (i counts from this offer's first row). */
  offer(n: number, take: (slot: number, i: number) => void = () => undefined): void {
    for (let i = 0; i < n; i++, this.seen++) {
      const slot = this.seen < this.capacity ? this.seen : this.rng.nextInt(this.seen + 1);
      if (slot < this.capacity) {
        this.origin[slot] = this.seen;
        take(slot, i);
      }
    }
  }

  /** The filled slots ordered by the row they hold (table order). */
  order(): number[] {
    return Array.from({ length: this.filled }, (_, s) => s).sort(
      (a, b) => this.origin[a] - this.origin[b],
    );
  }

  /** The sample's row numbers, increasing. */
  rows(): Float64Array {
    return Float64Array.from(this.order(), (s) => this.origin[s]);
  }
}

/**
 * A uniform sample of `capacity` rows of a table seen a chunk at a time (reservoir sampling,
 * Vitter's algorithm R: row t replaces a random slot with probability capacity / (t + 1)), kept
 * as float64 columns. Seeded, so a file gives the same sample every run. While the table has no
 * more rows than the capacity the sample is the whole table, in order.
 */
export class RowReservoir {
  private readonly values: Float64Array[];
  private readonly slots: ReservoirSlots;

  constructor(
    private readonly columns: readonly string[],
    capacity: number,
    seed: number,
  ) {
    this.values = columns.map(() => new Float64Array(capacity));
    this.slots = new ReservoirSlots(capacity, seed);
  }

  /** Rows offered so far. */
  get rowsSeen(): number {
    return this.slots.rowsSeen;
  }

  add(chunk: Table): void {
    const slots: number[] = [];
    const rows: number[] = [];
    this.slots.offer(chunk.numRows, (slot, i) => {
      slots.push(slot);
      rows.push(i);
    });
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
    const order = this.slots.order();
    const m = order.length;
    const columns: Record<string, Vector> = {};
    this.columns.forEach((name, j) => {
      const data = new Float64Array(m);
      for (let t = 0; t < m; t++) data[t] = this.values[j][order[t]];
      columns[name] = makeVector({ type: new Float64(), data });
    });
    return new Table(columns);
  }
}
