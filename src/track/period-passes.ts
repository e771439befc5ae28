/**
 * The per-customer work of one tracked period as two fused passes over typed arrays (10M customers
 * a period): the first (before matching) counts the overlap of previous and new clusters, the raw
 * migration's money and the first row of every cell (for ARI/NMI's label order); the second (after
 * matching gave each cluster its stable key; publish-pass.ts) applies the smoothing rule and counts the published
 * migration and flips in the same loop. Customers of the previous period not seen again are
 * counted in one pass over the previous rows, skipped when the ids are the same in the same order.
 * Every per-cell sum adds its rows in row order, as the one-table-at-a-time code did (migration.ts,
 * smoothing.ts and stability.ts keep that reference form), so the figures are the same to the bit.
 */
import { InputError } from '../errors.js';
import { ChunkCursor, eachPiece, rowCount, whole, type Column } from './chunk-rows.js';
import type { Overlap } from './overlap.js';
import { kernelOverlap, labelOutOfRange } from './pass-kernel.js';

/**
 * What the store holds per previous customer, and its clusters' stable keys. The columns may come
 * in chunks (chunk-rows.ts) where the ids are the same in the same order (no prevRow); with a
 * prevRow they are read whole.
 */
export interface PriorState {
  /** Stable keys of the previous period's clusters (model.json tracking.keys). */
  keys: readonly number[];
  raw: Column<Int32Array>;
  published: Column<Int32Array>;
  pending: Column<Int32Array>;
  pendingPeriods: Column<Int32Array>;
  /**
   * The previous period's segment_id and segment_name's dictionary indices, where the store gave
   * them as int32 chunks: overwritten by this period's (publish-pass.ts), as the columns above.
   */
  segmentId?: Column<Int32Array>;
  nameIndex?: Column<Int32Array>;
  monetary: Column<Float64Array> | undefined;
  /** For the message when a stored key is not one of `keys`. */
  asOf: string;
}

/** A key → dense index lookup over 0…max key (−1: not a key), keys being small and ≥ 0. */
export function keyLookup(keys: ArrayLike<number>, size?: number): Int32Array {
  let max = -1;
  for (let b = 0; b < keys.length; b++) max = Math.max(max, keys[b]);
  const index = new Int32Array(Math.max(size ?? 0, max + 1)).fill(-1);
  for (let b = 0; b < keys.length; b++) index[keys[b]] = b;
  return index;
}

/** Each key's rank among the keys sorted ascending (migration tables list keys in that order). */
export function ranks(keys: ArrayLike<number>): Int32Array {
  const order = Array.from(keys, (_, i) => i).sort((x, y) => keys[x] - keys[y]);
  const rank = new Int32Array(keys.length);
  order.forEach((i, r) => (rank[i] = r));
  return rank;
}

const value = (m: Float64Array | undefined, i: number): number =>
  m && Number.isFinite(m[i]) ? m[i] : 0;

export function corrupt(prior: PriorState, column: string, key: number): InputError {
  return new InputError(
    (opt) =>
      `${opt('history')}: ${prior.asOf}/customers.parquet holds ${column} ${key}, which is none of that period's segment keys (${prior.keys.join(', ')}); the store is corrupt`,
  );
}

export interface OverlapPass {
  overlap: Overlap;
  /** First current row of each overlap cell (a · kNew + b), −1 for an empty cell. */
  firstRow: Int32Array;
  /** Current monetary of each overlap cell, and of each new cluster's new customers. */
  sharedMoney: Float64Array;
  newMoney: Float64Array;
  /** Previous customers not in this period, per previous cluster, and their monetary. */
  goneRaw: Float64Array;
  goneRawMoney: Float64Array;
  /** The same per previous published key (dense index in prior.keys). */
  gonePublished: Float64Array;
  gonePublishedMoney: Float64Array;
}

/** What pass 1's loop reads and writes (the chunks of the piece it runs over, and their first rows). */
interface OverlapRows {
  labels: Int32Array;
  kNew: number;
  /** False: row i is previous row i (prevRow empty). */
  hasRow: boolean;
  prevRow: Int32Array;
  present: Uint8Array | undefined;
  prevRaw: Int32Array;
  prevBase: number;
  dense: Int32Array;
  money: Float64Array;
  moneyBase: number;
  hasMoney: boolean;
  counts: Float64Array;
  firstRow: Int32Array;
  sharedMoney: Float64Array;
  newCustomers: Float64Array;
  newMoney: Float64Array;
  prior: PriorState;
}

/** Pass 1 over rows [from, to) (in chunks: see deciles.ts CHUNK). */
function overlapRows(s: OverlapRows, from: number, to: number): void {
  const { labels, kNew, hasRow, prevRow, present, prevRaw, prevBase, dense } = s;
  const { money, moneyBase, hasMoney } = s;
  const { counts, firstRow, sharedMoney, newCustomers, newMoney } = s;
  const keyCount = dense.length;
  for (let i = from; i < to; i++) {
    const b = labels[i];
    const m = hasMoney ? money[i - moneyBase] : 0;
    // A non-finite value (m − m is NaN) adds nothing; a sum never starts from −0, so skipping
    // an addition of 0 leaves it as it was.
    const finite = m - m === 0;
    const r = hasRow ? prevRow[i] : i;
    if (r < 0) {
      newCustomers[b]++;
      if (finite) newMoney[b] += m;
      continue;
    }
    if (present) present[r] = 1;
    const key = prevRaw[r - prevBase];
    const a = key >= 0 && key < keyCount ? dense[key] : -1;
    if (a < 0) throw corrupt(s.prior, 'raw_segment_key', key);
    const cell = a * kNew + b;
    if (counts[cell]++ === 0) firstRow[cell] = i;
    if (finite) sharedMoney[cell] += m;
  }
}

/**
 * The kernel stopped at row i: the loop on that row throws the error a stored key out of range
 * gets; a label out of range (never from a fit) is a plain error.
 */
function outOfRange(rows: OverlapRows, i: number): never {
  overlapRows(rows, i, i + 1);
  throw labelOutOfRange(rows.labels[i], i, rows.kNew);
}

/**
 * Pass 1: overlap of previous raw clusters and this period's clusters, and who is gone. `prevRow`:
 * each row's previous row (−1: new), or undefined when row i is previous row i.
 */
export function overlapPass(
  labels: Int32Array,
  kNew: number,
  prevRow: Int32Array | undefined,
  sameOrder: boolean,
  prior: PriorState,
  monetary: Column<Float64Array> | undefined,
): OverlapPass {
  const kPrev = prior.keys.length;
  const dense = keyLookup(prior.keys);
  const priorRows = rowCount(prior.raw);
  const counts = new Float64Array(kPrev * kNew);
  const firstRow = new Int32Array(kPrev * kNew).fill(-1);
  const sharedMoney = new Float64Array(kPrev * kNew);
  const newCustomers = new Float64Array(kNew);
  const newMoney = new Float64Array(kNew);
  // With the ids in the same order every previous customer is present: nothing to mark.
  const nothingGone = sameOrder && priorRows === labels.length;
  const present = nothingGone ? undefined : new Uint8Array(priorRows);
  const raw = new ChunkCursor(prevRow ? whole(prior.raw) : prior.raw);
  const money = new ChunkCursor(monetary ?? new Float64Array(1));
  const hasMoney = monetary !== undefined;
  const rows: OverlapRows = {
    labels,
    kNew,
    hasRow: prevRow !== undefined,
    prevRow: prevRow ?? new Int32Array(0),
    present,
    prevRaw: raw.at(0),
    prevBase: 0,
    dense,
    money: money.at(0),
    moneyBase: 0,
    hasMoney,
    counts,
    firstRow,
    sharedMoney,
    newCustomers,
    newMoney,
    prior,
  };
  // A previous row is read at its row when there is no prevRow, else in the one whole array.
  const cursors = prevRow ? [money] : [raw, money];
  // Row i being previous row i, every row is shared: the kernel's loop (pass-kernel.ts).
  const kernel = !prevRow && !present ? kernelOverlap(kNew, kPrev, dense) : undefined;
  eachPiece(labels.length, hasMoney ? cursors : cursors.slice(0, -1), (from, to) => {
    rows.prevRaw = raw.at(prevRow ? 0 : from);
    rows.prevBase = raw.start;
    if (hasMoney) {
      rows.money = money.at(from);
      rows.moneyBase = money.start;
    }
    if (!kernel) {
      overlapRows(rows, from, to);
      return;
    }
    const p = rows.prevBase;
    const m = rows.moneyBase;
    const bad = kernel.piece(
      labels.subarray(from, to),
      rows.prevRaw.subarray(from - p, to - p),
      hasMoney ? rows.money.subarray(from - m, to - m) : undefined,
      from,
    );
    if (bad >= 0) outOfRange(rows, from + bad);
  });
  kernel?.finish(counts, firstRow, sharedMoney);
  const newSizes = new Float64Array(kNew);
  const newShared = new Float64Array(kNew);
  const prevShared = new Float64Array(kPrev);
  for (let a = 0; a < kPrev; a++)
    for (let b = 0; b < kNew; b++) {
      prevShared[a] += counts[a * kNew + b];
      newShared[b] += counts[a * kNew + b];
    }
  for (let b = 0; b < kNew; b++) newSizes[b] = newShared[b] + newCustomers[b];
  const goneRaw = new Float64Array(kPrev);
  const goneRawMoney = new Float64Array(kPrev);
  const gonePublished = new Float64Array(kPrev);
  const gonePublishedMoney = new Float64Array(kPrev);
  if (present) {
    const prevRaw = whole(prior.raw);
    const prevPublished = whole(prior.published);
    const prevMoney = prior.monetary && whole(prior.monetary);
    for (let r = 0; r < present.length; r++) {
      if (present[r]) continue;
      const key = prevRaw[r];
      const a = key >= 0 && key < dense.length ? dense[key] : -1;
      if (a < 0) throw corrupt(prior, 'raw_segment_key', key);
      const pub = prevPublished[r];
      const p = pub >= 0 && pub < dense.length ? dense[pub] : -1;
      if (p < 0) throw corrupt(prior, 'segment_key', pub);
      const m = value(prevMoney, r);
      goneRaw[a]++;
      goneRawMoney[a] += m;
      gonePublished[p]++;
      gonePublishedMoney[p] += m;
    }
  }
  const prevSizes = new Float64Array(kPrev);
  for (let a = 0; a < kPrev; a++) prevSizes[a] = prevShared[a] + goneRaw[a];
  return {
    overlap: { kPrev, kNew, counts, prevSizes, newSizes, prevShared, newShared },
    firstRow,
    sharedMoney,
    newMoney,
    goneRaw,
    goneRawMoney,
    gonePublished,
    gonePublishedMoney,
  };
}

/** A migration grid: origins `new` then the keys ascending, destinations the keys ascending then `gone`. */
export interface MigrationGrid {
  fromKeys: number[];
  toKeys: number[];
  customers: Float64Array;
  money: Float64Array;
}

export function grid(fromKeys: readonly number[], toKeys: ArrayLike<number>): MigrationGrid {
  const cells = (fromKeys.length + 1) * (toKeys.length + 1);
  return {
    fromKeys: [...fromKeys].sort((x, y) => x - y),
    toKeys: Array.from(toKeys).sort((x, y) => x - y),
    customers: new Float64Array(cells),
    money: new Float64Array(cells),
  };
}

/** The raw migration, read off pass 1's overlap (raw keys are the clusters' stable keys). */
export function rawMigrationGrid(
  p: OverlapPass,
  prevKeys: readonly number[],
  keys: Int32Array,
): MigrationGrid {
  const g = grid(prevKeys, keys);
  const { kPrev, kNew, counts, newSizes, newShared } = p.overlap;
  const from = ranks(prevKeys);
  const to = ranks(keys);
  const D = kNew + 1;
  for (let b = 0; b < kNew; b++) {
    g.customers[to[b]] = newSizes[b] - newShared[b];
    g.money[to[b]] = p.newMoney[b];
  }
  for (let a = 0; a < kPrev; a++) {
    const row = (from[a] + 1) * D;
    for (let b = 0; b < kNew; b++) {
      g.customers[row + to[b]] = counts[a * kNew + b];
      g.money[row + to[b]] = p.sharedMoney[a * kNew + b];
    }
    g.customers[row + D - 1] = p.goneRaw[a];
    g.money[row + D - 1] = p.goneRawMoney[a];
  }
  return g;
}
