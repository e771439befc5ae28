/**
 * Customer alignment and overlap between two periods, columnar: each period is an id column and a
 * label column (labels 0..k−1, as dense indices of that period's segments).
 */
import { bytesOf, sameIntegerKind, type IntegerArray } from './integer-arrays.js';

export type IdColumn = ArrayLike<string> | ArrayLike<number> | ArrayLike<bigint>;

/** For each current row, the row of the same id in the previous period, or −1 for a new customer. */
export function alignIds(previous: IdColumn, current: IdColumn): Int32Array {
  return alignment(previous, current).row;
}

/** alignIds, and whether the ids were the same in the same order (row i is then row i). */
export function alignment(
  previous: IdColumn,
  current: IdColumn,
): { row: Int32Array; sameOrder: boolean } {
  if (sameIds(previous, current)) {
    const row = new Int32Array(current.length);
    for (let i = 0; i < row.length; i++) row[i] = i;
    return { row, sameOrder: true };
  }
  return { row: alignByLookup(previous, current), sameOrder: false };
}

function alignByLookup(previous: IdColumn, current: IdColumn): Int32Array {
  const dense = alignDenseIntegerIds(previous, current);
  if (dense) return dense;
  const index = new Map<string | number | bigint, number>();
  for (let i = 0; i < previous.length; i++) index.set(previous[i], i);
  const out = new Int32Array(current.length);
  for (let i = 0; i < current.length; i++) out[i] = index.get(current[i]) ?? -1;
  return out;
}

/**
 * Whether the two periods list the same ids in the same order (a weekly export of one customer
 * base usually does): then row i is row i, found by one comparison a row, no lookup at all.
 */
export function sameIds(previous: IdColumn, current: IdColumn): boolean {
  if (previous.length !== current.length) return false;
  // Integer ids of one array type: equal bytes are equal values, and one memcmp compares them.
  if (sameIntegerKind(previous, current))
    return Buffer.compare(bytesOf(previous), bytesOf(current as IntegerArray)) === 0;
  for (let i = 0; i < current.length; i++) if (previous[i] !== current[i]) return false;
  return true;
}

/**
 * alignIds for integer ids in a range at most 4× the rows (customer numbers usually are): a
 * lookup array instead of a hash map, several times faster at 10M customers. Undefined otherwise.
 */
function alignDenseIntegerIds(previous: IdColumn, current: IdColumn): Int32Array | undefined {
  const numeric = (a: IdColumn): a is ArrayLike<number> =>
    ArrayBuffer.isView(a) && !(a instanceof BigInt64Array) && !(a instanceof BigUint64Array);
  if (!numeric(previous) || !numeric(current) || previous.length === 0) return undefined;
  let min = Infinity;
  let max = -Infinity;
  for (const ids of [previous, current])
    for (let i = 0; i < ids.length; i++) {
      const v = ids[i];
      if (!Number.isInteger(v)) return undefined;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  const span = max - min + 1;
  if (span > 4 * (previous.length + current.length) || span > 2 ** 30) return undefined;
  const row = new Int32Array(span).fill(-1);
  // Later rows win, as Map.set does for a repeated id.
  for (let i = 0; i < previous.length; i++) row[previous[i] - min] = i;
  const out = new Int32Array(current.length);
  for (let i = 0; i < current.length; i++) out[i] = row[current[i] - min];
  return out;
}

/**
 * The contingency table of shared customers: counts[a * kNew + b] is how many customers were in
 * previous segment a and are in new segment b. Also each side's full sizes (all its customers).
 */
export interface Overlap {
  kPrev: number;
  kNew: number;
  counts: Float64Array;
  prevSizes: Float64Array;
  newSizes: Float64Array;
  /** Row sums of counts: previous segment a's customers that are still present. */
  prevShared: Float64Array;
  newShared: Float64Array;
}

export function overlapTable(
  prevLabels: Int32Array,
  kPrev: number,
  newLabels: Int32Array,
  kNew: number,
  prevRow: Int32Array,
): Overlap {
  const counts = new Float64Array(kPrev * kNew);
  const prevSizes = new Float64Array(kPrev);
  const newSizes = new Float64Array(kNew);
  const prevShared = new Float64Array(kPrev);
  const newShared = new Float64Array(kNew);
  for (let i = 0; i < prevLabels.length; i++) prevSizes[prevLabels[i]]++;
  for (let i = 0; i < newLabels.length; i++) {
    const b = newLabels[i];
    newSizes[b]++;
    const r = prevRow[i];
    if (r < 0) continue;
    const a = prevLabels[r];
    counts[a * kNew + b]++;
    prevShared[a]++;
    newShared[b]++;
  }
  return { kPrev, kNew, counts, prevSizes, newSizes, prevShared, newShared };
}

/** Jaccard index of previous segment a and new segment b, over each segment's full membership. */
export function jaccard(o: Overlap, a: number, b: number): number {
  const inter = o.counts[a * o.kNew + b];
  const union = o.prevSizes[a] + o.newSizes[b] - inter;
  return union > 0 ? inter / union : 0;
}

/** MONIC's overlap of previous segment a with new segment b: the share of a's still-present customers now in b. */
export function overlapShare(o: Overlap, a: number, b: number): number {
  const base = o.prevShared[a];
  return base > 0 ? o.counts[a * o.kNew + b] / base : 0;
}
