/**
 * Pass 2 of a tracked period (period-passes.ts has pass 1 and the module's account): after
 * matching gave each cluster its stable key, the smoothing rule, segment_name's dictionary index,
 * the published migration and the flips, in one loop over the customers.
 */
import { ChunkCursor, chunksIn, eachPiece, rowCount, whole, type Column } from './chunk-rows.js';
import { kernelPublish, labelOutOfRange, type KernelPublish } from './pass-kernel.js';
import {
  corrupt,
  grid,
  keyLookup,
  ranks,
  type MigrationGrid,
  type OverlapPass,
  type PriorState,
} from './period-passes.js';

/**
 * raw, published, pending and pendingPeriods are whole new arrays, or, where publishPass was asked
 * to overwrite the previous period's columns, those columns' chunks; publishedCopy and nameIndex
 * likewise over the previous period's segment_id and segment_name indices, where it has them.
 */
export interface PublishPass {
  raw: Column<Int32Array>;
  published: Column<Int32Array>;
  /** segment_id's own copy of `published` (apache-arrow's IPC writer miscounts shared buffers). */
  publishedCopy: Column<Int32Array>;
  pending: Column<Int32Array>;
  pendingPeriods: Column<Int32Array>;
  /** Each customer's published segment as an index into `keys` (segment_name's dictionary). */
  nameIndex: Column<Int32Array>;
  migration: MigrationGrid;
  flipsPublished: number;
}

/** What pass 2's loop reads and writes (the chunks of the piece it runs over, and their first rows). */
interface PublishRows {
  labels: Int32Array;
  keys: Int32Array;
  /** False: row i is previous row i (prevRow empty). */
  hasRow: boolean;
  prevRow: Int32Array;
  hasPrior: boolean;
  prevPublished: Int32Array;
  prevPending: Int32Array;
  prevPeriods: Int32Array;
  /** The first row of the previous columns' chunk (the same batches: one table). */
  prevBase: number;
  prevDense: Int32Array;
  cur: Int32Array;
  prevRank: Int32Array;
  curRank: Int32Array;
  D: number;
  confirmPeriods: number;
  /** Outputs at row i − outBase (their chunk's first row), or (these two) at row i − copyBase. */
  raw: Int32Array;
  published: Int32Array;
  pending: Int32Array;
  pendingPeriods: Int32Array;
  outBase: number;
  publishedCopy: Int32Array;
  nameIndex: Int32Array;
  copyBase: number;
  customers: Float64Array;
  moneyGrid: Float64Array;
  money: Float64Array;
  moneyBase: number;
  hasMoney: boolean;
  prior: PriorState | undefined;
}

/** Pass 2 over rows [from, to) (in chunks: see deciles.ts CHUNK); returns the published flips. */
function publishRows(s: PublishRows, from: number, to: number): number {
  const { labels, keys, hasRow, prevRow, hasPrior, prevPublished, prevPending, prevPeriods } = s;
  const { prevBase, prevDense, cur, prevRank, curRank, D, confirmPeriods } = s;
  const { raw, published, pending, pendingPeriods, outBase, publishedCopy, nameIndex, copyBase } =
    s;
  const { customers, moneyGrid } = s;
  const { money, moneyBase, hasMoney } = s;
  const prevKeyCount = prevDense.length;
  const curKeyCount = cur.length;
  let flips = 0;
  for (let i = from; i < to; i++) {
    const key = keys[labels[i]];
    raw[i - outBase] = key;
    const r = hasPrior ? (hasRow ? prevRow[i] : i) - prevBase : -1;
    let origin = 0;
    let out = key;
    let waiting = -1;
    let waited = 0;
    if (r >= 0) {
      const was = prevPublished[r];
      const p = was >= 0 && was < prevKeyCount ? prevDense[was] : -1;
      if (p < 0) throw corrupt(s.prior!, 'segment_key', was);
      origin = prevRank[p] + 1;
      if (key !== was && was < curKeyCount && cur[was] >= 0) {
        const periods = prevPending[r] === key ? prevPeriods[r] + 1 : 1;
        if (periods < confirmPeriods) {
          out = was;
          waiting = key;
          waited = periods;
        }
      }
      if (out !== was) flips++;
    }
    // Every output written (an overwritten previous column holds last period's values).
    published[i - outBase] = out;
    publishedCopy[i - copyBase] = out;
    pending[i - outBase] = waiting;
    pendingPeriods[i - outBase] = waited;
    const c = cur[out];
    nameIndex[i - copyBase] = c;
    const cell = origin * D + curRank[c];
    customers[cell]++;
    const m = hasMoney ? money[i - moneyBase] : 0;
    if (m - m === 0) moneyGrid[cell] += m;
  }
  return flips;
}

/** Rows [from, to) by the kernel, from and into the columns of `s` (their chunks of these rows). */
function publishPiece(kernel: KernelPublish, s: PublishRows, from: number, to: number): void {
  const part = (a: Int32Array, base: number): Int32Array => a.subarray(from - base, to - base);
  const bad = kernel.piece({
    labels: s.labels.subarray(from, to),
    prevPublished: part(s.prevPublished, s.prevBase),
    prevPending: part(s.prevPending, s.prevBase),
    prevPeriods: part(s.prevPeriods, s.prevBase),
    money: s.hasMoney ? s.money.subarray(from - s.moneyBase, to - s.moneyBase) : undefined,
    raw: part(s.raw, s.outBase),
    published: part(s.published, s.outBase),
    pending: part(s.pending, s.outBase),
    pendingPeriods: part(s.pendingPeriods, s.outBase),
    publishedCopy: part(s.publishedCopy, s.copyBase),
    nameIndex: part(s.nameIndex, s.copyBase),
  });
  if (bad < 0) return;
  // The loop on that row throws the error a stored key out of range gets.
  const i = from + bad;
  publishRows(s, i, i + 1);
  throw labelOutOfRange(s.labels[i], i, s.keys.length);
}

/** Whether columns have chunks of the same lengths (a table's columns: its record batches). */
function sameChunks(columns: readonly Column<Int32Array>[]): boolean {
  const lengths = (c: Column<Int32Array>): string =>
    chunksIn(c)
      .map((a) => a.length)
      .join();
  return columns.every((c) => lengths(c) === lengths(columns[0]));
}

/**
 * Pass 2: each customer's raw key, the smoothing rule (smoothing.ts states it; this is the same
 * rule), segment_name's dictionary index, the published migration and the published flips.
 */
export function publishPass(
  labels: Int32Array,
  keys: Int32Array,
  prevRow: Int32Array | undefined,
  prior: PriorState | undefined,
  confirmPeriods: number,
  monetary: Column<Float64Array> | undefined,
  gone: OverlapPass | undefined,
  overwritePrior = false,
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
  const empty = new Int32Array(0);
  // The previous columns chunk by chunk where row i is previous row i and their chunks line up
  // (one table's record batches), else whole.
  const columns = [
    prior?.published ?? empty,
    prior?.pending ?? empty,
    prior?.pendingPeriods ?? empty,
  ];
  const chunked = !prevRow && sameChunks(prior ? [prior.raw, ...columns] : columns);
  const [prevPublished, prevPending, prevPeriods] = columns.map(
    (c) => new ChunkCursor(chunked ? c : whole(c)),
  );
  // Where asked, the outputs overwrite the previous period's columns, row i over previous row i
  // (each read before it is written): pages already in memory, where four new arrays of 10M
  // would each fault in 40 MB. The previous period's table is consumed.
  const inPlace = overwritePrior && chunked && prior !== undefined && rowCount(prior.raw) === n;
  const fresh = (): Column<Int32Array> => new Int32Array(n);
  const raw = inPlace ? prior.raw : fresh();
  const published = inPlace ? prior.published : fresh();
  const pending = inPlace ? prior.pending : fresh();
  const pendingPeriods = inPlace ? prior.pendingPeriods : fresh();
  // segment_id and segment_name's indices over the previous period's likewise, where it has both
  // in the same chunks (a store's customers.parquet does).
  const copies = inPlace && prior.segmentId && prior.nameIndex;
  const reuse = copies && sameChunks([prior.raw, prior.segmentId!, prior.nameIndex!]);
  const publishedCopy = reuse ? prior.segmentId! : fresh();
  const nameIndex = reuse ? prior.nameIndex! : fresh();
  const outputs = [raw, published, pending, pendingPeriods, publishedCopy, nameIndex].map(
    (c) => new ChunkCursor(c),
  );
  const [rawOut, publishedOut, pendingOut, periodsOut, copyOut, nameOut] = outputs;
  const money = new ChunkCursor(monetary ?? new Float64Array(1));
  const rows: PublishRows = {
    labels,
    keys,
    hasRow: prevRow !== undefined,
    prevRow: prevRow ?? empty,
    hasPrior: prior !== undefined,
    prevPublished: prevPublished.at(0),
    prevPending: prevPending.at(0),
    prevPeriods: prevPeriods.at(0),
    prevBase: 0,
    prevDense,
    cur,
    prevRank,
    curRank,
    D,
    confirmPeriods,
    raw: rawOut.at(0),
    published: publishedOut.at(0),
    pending: pendingOut.at(0),
    pendingPeriods: periodsOut.at(0),
    outBase: 0,
    publishedCopy: copyOut.at(0),
    nameIndex: nameOut.at(0),
    copyBase: 0,
    customers: g.customers,
    moneyGrid: g.money,
    money: money.at(0),
    moneyBase: 0,
    hasMoney: monetary !== undefined,
    prior,
  };
  let flips = 0;
  const cursors = chunked ? [prevPublished, prevPending, prevPeriods, money] : [money];
  // Row i being previous row i: the kernel's loop (pass-kernel.ts).
  // (A rule of 2^31 periods or more, beyond the kernel's int32, stays with the loop.)
  const kernel =
    prior && !prevRow && confirmPeriods <= 0x7fffffff
      ? kernelPublish({
          keys,
          prevDense,
          prevRank,
          cur,
          curRank,
          D,
          confirmPeriods,
          cells: g.customers.length,
        })
      : undefined;
  eachPiece(n, [...cursors, ...outputs], (from, to) => {
    if (chunked) {
      rows.prevPublished = prevPublished.at(from);
      rows.prevPending = prevPending.at(from);
      rows.prevPeriods = prevPeriods.at(from);
      rows.prevBase = prevPublished.start;
    }
    rows.money = money.at(from);
    rows.moneyBase = money.start;
    rows.raw = rawOut.at(from);
    rows.published = publishedOut.at(from);
    rows.pending = pendingOut.at(from);
    rows.pendingPeriods = periodsOut.at(from);
    rows.outBase = rawOut.start;
    rows.publishedCopy = copyOut.at(from);
    rows.nameIndex = nameOut.at(from);
    rows.copyBase = copyOut.start;
    if (kernel) publishPiece(kernel, rows, from, to);
    else flips += publishRows(rows, from, to);
  });
  if (kernel) flips = kernel.finish(g.customers, g.money);
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
