/**
 * Pass 2 of a tracked period (period-passes.ts has pass 1 and the module's account): after
 * matching gave each cluster its stable key, the smoothing rule, segment_name's dictionary index,
 * the published migration and the flips, in one loop over the customers.
 */
import { CHUNK } from './deciles.js';
import {
  corrupt,
  grid,
  keyLookup,
  ranks,
  type MigrationGrid,
  type OverlapPass,
  type PriorState,
} from './period-passes.js';

export interface PublishPass {
  raw: Int32Array;
  published: Int32Array;
  /** segment_id's own copy of `published` (apache-arrow's IPC writer miscounts shared buffers). */
  publishedCopy: Int32Array;
  pending: Int32Array;
  pendingPeriods: Int32Array;
  /** Each customer's published segment as an index into `keys` (segment_name's dictionary). */
  nameIndex: Int32Array;
  migration: MigrationGrid;
  flipsPublished: number;
}

/** What pass 2's loop reads and writes. */
interface PublishRows {
  labels: Int32Array;
  keys: Int32Array;
  prevRow: Int32Array;
  hasPrior: boolean;
  prevPublished: Int32Array;
  prevPending: Int32Array;
  prevPeriods: Int32Array;
  prevDense: Int32Array;
  cur: Int32Array;
  prevRank: Int32Array;
  curRank: Int32Array;
  D: number;
  confirmPeriods: number;
  raw: Int32Array;
  published: Int32Array;
  pending: Int32Array;
  pendingPeriods: Int32Array;
  nameIndex: Int32Array;
  customers: Float64Array;
  moneyGrid: Float64Array;
  money: Float64Array;
  hasMoney: boolean;
  prior: PriorState | undefined;
}

/** Pass 2 over rows [from, to) (in chunks: see deciles.ts CHUNK); returns the published flips. */
function publishRows(s: PublishRows, from: number, to: number): number {
  const { labels, keys, prevRow, hasPrior, prevPublished, prevPending, prevPeriods } = s;
  const { prevDense, cur, prevRank, curRank, D, confirmPeriods } = s;
  const { raw, published, pending, pendingPeriods, nameIndex, customers, moneyGrid } = s;
  const { money, hasMoney } = s;
  const prevKeyCount = prevDense.length;
  const curKeyCount = cur.length;
  let flips = 0;
  for (let i = from; i < to; i++) {
    const key = keys[labels[i]];
    raw[i] = key;
    const r = hasPrior ? prevRow[i] : -1;
    let origin = 0;
    let out = key;
    if (r >= 0) {
      const was = prevPublished[r];
      const p = was >= 0 && was < prevKeyCount ? prevDense[was] : -1;
      if (p < 0) throw corrupt(s.prior!, 'segment_key', was);
      origin = prevRank[p] + 1;
      if (key !== was && was < curKeyCount && cur[was] >= 0) {
        const periods = prevPending[r] === key ? prevPeriods[r] + 1 : 1;
        if (periods < confirmPeriods) {
          out = was;
          pending[i] = key;
          pendingPeriods[i] = periods;
        }
      }
      if (out !== was) flips++;
    }
    published[i] = out;
    const c = cur[out];
    nameIndex[i] = c;
    const cell = origin * D + curRank[c];
    customers[cell]++;
    const m = hasMoney ? money[i] : 0;
    if (m - m === 0) moneyGrid[cell] += m;
  }
  return flips;
}

/**
 * Pass 2: each customer's raw key, the smoothing rule (smoothing.ts states it; this is the same
 * rule), segment_name's dictionary index, the published migration and the published flips.
 */
export function publishPass(
  labels: Int32Array,
  keys: Int32Array,
  prevRow: Int32Array,
  prior: PriorState | undefined,
  confirmPeriods: number,
  monetary: Float64Array | undefined,
  gone: OverlapPass | undefined,
): PublishPass {
  if (!Number.isInteger(confirmPeriods) || confirmPeriods < 1)
    throw new RangeError(`confirmPeriods=${confirmPeriods}; expected an integer ≥ 1`);
  const n = labels.length;
  const prevKeys = prior?.keys ?? [];
  const prevDense = keyLookup(prevKeys);
  const cur = keyLookup(keys); // live keys: a published key that is not live moves at once
  const prevRank = ranks(prevKeys);
  const curRank = ranks(keys);
  const g = grid(prevKeys, keys);
  const D = keys.length + 1;
  const raw = new Int32Array(n);
  const published = new Int32Array(n);
  const publishedCopy = new Int32Array(n);
  const pending = new Int32Array(n).fill(-1);
  const pendingPeriods = new Int32Array(n);
  const nameIndex = new Int32Array(n);
  const empty = new Int32Array(0);
  const {
    published: prevPublished,
    pending: prevPending,
    pendingPeriods: prevPeriods,
  } = prior ?? {
    published: empty,
    pending: empty,
    pendingPeriods: empty,
  };
  const rows: PublishRows = {
    labels,
    keys,
    prevRow,
    hasPrior: prior !== undefined,
    prevPublished,
    prevPending,
    prevPeriods,
    prevDense,
    cur,
    prevRank,
    curRank,
    D,
    confirmPeriods,
    raw,
    published,
    pending,
    pendingPeriods,
    nameIndex,
    customers: g.customers,
    moneyGrid: g.money,
    money: monetary ?? new Float64Array(1),
    hasMoney: monetary !== undefined,
    prior,
  };
  let flips = 0;
  for (let from = 0; from < n; from += CHUNK)
    flips += publishRows(rows, from, Math.min(n, from + CHUNK));
  publishedCopy.set(published);
  if (gone)
    for (let p = 0; p < prevKeys.length; p++) {
      const cell = (prevRank[p] + 1) * D + D - 1;
      g.customers[cell] = gone.gonePublished[p];
      g.money[cell] = gone.gonePublishedMoney[p];
    }
  return {
    raw,
    published,
    publishedCopy,
    pending,
    pendingPeriods,
    nameIndex,
    migration: g,
    flipsPublished: flips,
  };
}
