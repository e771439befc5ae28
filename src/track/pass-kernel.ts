/**
 * The tracked period's two passes in WebAssembly (kernels/track-passes.wat), for pieces of rows
 * whose row i is the previous period's row i: each piece's columns are copied into the kernel's
 * memory, the kernel runs the loop of overlapRows / publishRows (the same operations in the same
 * order: the same bits), and the outputs are copied back. At 10M customers the JavaScript loops
 * took ~0.2 s (pass 1) and ~0.35 s (pass 2) on the CI machine's cores, typed-array checks on every
 * access; the kernel and its copies take about a third of that. Assembled once per process
 * (loadPassKernel, before a tracked period); until then, where WebAssembly is missing, and for
 * customers whose ids moved between periods, the passes run their JavaScript loops.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileWat } from '../util/compile-kernel.js';
import { packageRoot } from '../util/package-root.js';
import { CHUNK } from './deciles.js';

interface PassExports {
  overlap(...args: number[]): number;
  publish(...args: number[]): number;
}

let compiled: WebAssembly.Module | undefined;
/** Pieces the kernel has run in this process (for tests: that it did run). */
let pieces = 0;
export const passKernelPieces = (): number => pieces;
let kernel: { ex: PassExports; memory: WebAssembly.Memory } | undefined;

/** Assembles the kernel (once per process); the passes use their JavaScript loops until then. */
export async function loadPassKernel(): Promise<void> {
  if (compiled || typeof WebAssembly !== 'object') return;
  try {
    compiled = await compileWat(
      'track-passes',
      () => readFileSync(join(packageRoot(), 'kernels', 'track-passes.wat'), 'utf8'),
      false,
    );
  } catch {
    compiled = undefined; // the JavaScript loops, with the same results
  }
}

/** The instance, with a memory of at least `bytes` (a new one when larger); undefined before loadPassKernel. */
function instance(bytes: number): { ex: PassExports; memory: WebAssembly.Memory } | undefined {
  if (!compiled) return undefined;
  if (!kernel || kernel.memory.buffer.byteLength < bytes) {
    const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
    const ex = new WebAssembly.Instance(compiled, { env: { mem: memory } })
      .exports as unknown as PassExports;
    kernel = { ex, memory };
  }
  return kernel;
}

/** The error when a kernel stopped at a label outside 0…k−1 (never from a fit). */
export function labelOutOfRange(label: number, row: number, k: number): Error {
  return new Error(`tracking: label ${label} of row ${row} is not one of ${k} clusters`);
}

/** Byte offsets for arrays of the given byte sizes, each 8-byte aligned, and their end. */
function layout(sizes: number[]): { at: number[]; end: number } {
  const at: number[] = [];
  let end = 0;
  for (const s of sizes) {
    at.push(end);
    end += Math.ceil(s / 8) * 8;
  }
  return { at, end };
}

const i32 = (buffer: ArrayBuffer, at: number, n: number): Int32Array =>
  new Int32Array(buffer, at, n);
const f64 = (buffer: ArrayBuffer, at: number, n: number): Float64Array =>
  new Float64Array(buffer, at, n);

/** Pass 1 (overlapRows) over pieces, its grids kept in the kernel's memory until finish. */
export interface KernelOverlap {
  /**
   * Rows of a piece (their labels, previous raw keys and money, `first` the first one's row):
   * −1, or the piece row whose previous key or label is out of range.
   */
  piece(
    labels: Int32Array,
    prevRaw: Int32Array,
    money: Float64Array | undefined,
    first: number,
  ): number;
  /** Copies the grids out: counts, first rows, money per cell. */
  finish(counts: Float64Array, firstRow: Int32Array, shared: Float64Array): void;
}

/** Pass 1's kernel for kPrev previous clusters (dense: key → index) and kNew new ones. */
export function kernelOverlap(
  kNew: number,
  kPrev: number,
  dense: Int32Array,
): KernelOverlap | undefined {
  const cells = kPrev * kNew;
  const L = layout([
    4 * CHUNK,
    4 * CHUNK,
    8 * CHUNK,
    4 * dense.length,
    8 * cells,
    4 * cells,
    8 * cells,
  ]);
  const k = instance(L.end);
  if (!k) return undefined;
  const [labelsAt, rawAt, moneyAt, denseAt, countsAt, firstAt, sharedAt] = L.at;
  const buffer = k.memory.buffer;
  i32(buffer, denseAt, dense.length).set(dense);
  f64(buffer, countsAt, cells).fill(0);
  i32(buffer, firstAt, cells).fill(-1);
  f64(buffer, sharedAt, cells).fill(0);
  return {
    piece(labels, prevRaw, money, first) {
      const n = labels.length;
      i32(buffer, labelsAt, n).set(labels);
      i32(buffer, rawAt, n).set(prevRaw);
      if (money) f64(buffer, moneyAt, n).set(money);
      pieces++;
      return k.ex.overlap(
        n,
        first,
        kNew,
        dense.length,
        labelsAt,
        rawAt,
        moneyAt,
        money ? 1 : 0,
        denseAt,
        countsAt,
        firstAt,
        sharedAt,
      );
    },
    finish(counts, firstRow, shared) {
      counts.set(f64(buffer, countsAt, counts.length));
      firstRow.set(i32(buffer, firstAt, firstRow.length));
      shared.set(f64(buffer, sharedAt, shared.length));
    },
  };
}

/** What pass 2's kernel is given once: its lookup tables and rule (publishRows' names). */
export interface PublishTables {
  keys: Int32Array;
  prevDense: Int32Array;
  prevRank: Int32Array;
  cur: Int32Array;
  curRank: Int32Array;
  D: number;
  confirmPeriods: number;
  /** Cells of the migration grids. */
  cells: number;
}

/** A piece's columns for pass 2: inputs, and the outputs it writes (all of the piece's rows). */
export interface PublishPiece {
  labels: Int32Array;
  prevPublished: Int32Array;
  prevPending: Int32Array;
  prevPeriods: Int32Array;
  money: Float64Array | undefined;
  raw: Int32Array;
  published: Int32Array;
  publishedCopy: Int32Array;
  pending: Int32Array;
  pendingPeriods: Int32Array;
  nameIndex: Int32Array;
}

/** Pass 2 (publishRows) over pieces, its grids and flips kept in the kernel's memory until finish. */
export interface KernelPublish {
  /** −1, or the piece row whose previous published key (or label) is out of range. */
  piece(p: PublishPiece): number;
  /** Copies the grids out; returns the published flips. */
  finish(customers: Float64Array, money: Float64Array): number;
}

export function kernelPublish(t: PublishTables): KernelPublish | undefined {
  const tables = [t.keys, t.prevDense, t.prevRank, t.cur, t.curRank];
  const L = layout([
    ...Array.from({ length: 10 }, () => 4 * CHUNK),
    8 * CHUNK,
    ...tables.map((a) => 4 * a.length),
    8 * t.cells,
    8 * t.cells,
    8,
  ]);
  const k = instance(L.end);
  if (!k) return undefined;
  const [labelsAt, pubAt, pendAt, perAt, rawOut, pubOut, copyOut, pendOut, perOut, nameOut] = L.at;
  const [moneyAt, keysAt, prevDenseAt, prevRankAt, curAt, curRankAt, customersAt, gridAt, flipsAt] =
    L.at.slice(10);
  const buffer = k.memory.buffer;
  tables.forEach((a, j) =>
    i32(buffer, [keysAt, prevDenseAt, prevRankAt, curAt, curRankAt][j], a.length).set(a),
  );
  f64(buffer, customersAt, t.cells).fill(0);
  f64(buffer, gridAt, t.cells).fill(0);
  i32(buffer, flipsAt, 1)[0] = 0;
  return {
    piece(p) {
      const n = p.labels.length;
      i32(buffer, labelsAt, n).set(p.labels);
      i32(buffer, pubAt, n).set(p.prevPublished);
      i32(buffer, pendAt, n).set(p.prevPending);
      i32(buffer, perAt, n).set(p.prevPeriods);
      if (p.money) f64(buffer, moneyAt, n).set(p.money);
      pieces++;
      const bad = k.ex.publish(
        n,
        labelsAt,
        keysAt,
        t.keys.length,
        pubAt,
        pendAt,
        perAt,
        prevDenseAt,
        t.prevDense.length,
        prevRankAt,
        curAt,
        t.cur.length,
        curRankAt,
        t.D,
        t.confirmPeriods,
        moneyAt,
        p.money ? 1 : 0,
        rawOut,
        pubOut,
        copyOut,
        pendOut,
        perOut,
        nameOut,
        customersAt,
        gridAt,
        flipsAt,
      );
      if (bad >= 0) return bad;
      p.raw.set(i32(buffer, rawOut, n));
      p.published.set(i32(buffer, pubOut, n));
      p.publishedCopy.set(i32(buffer, copyOut, n));
      p.pending.set(i32(buffer, pendOut, n));
      p.pendingPeriods.set(i32(buffer, perOut, n));
      p.nameIndex.set(i32(buffer, nameOut, n));
      return -1;
    },
    finish(customers, money) {
      customers.set(f64(buffer, customersAt, customers.length));
      money.set(f64(buffer, gridAt, money.length));
      return i32(buffer, flipsAt, 1)[0];
    },
  };
}
