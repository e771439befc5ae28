import type { KernelMemory } from '../../data/matrix.js';
import { compileJsKernel } from '../../util/compile-kernel.js';
import {
  genericBoundedLloyd,
  genericGmm,
  genericLloyd,
  genericSeedMinDist,
  genericSeedPotentials,
} from './generic-kernels.js';
import type { KernelSource } from './kernel-source.js';
import { radiusBlock, type RadiusBlockJob } from './radius-kernel.js';
import type {
  BoundedKernel,
  GmmKernel,
  LloydKernel,
  SeedMinDistKernel,
  SeedPotentialsKernel,
} from './kernel-types.js';
import { makeWasmBounded } from './wasm-bounded-driver.js';
import { makeWasmGmm } from './wasm-gmm-driver.js';
import type { gmmWasmLayout } from './wasm-gmm.js';
import type { wasmLayout } from './wasm-kernel.js';
import { makeWasmLloyd, makeWasmLloydInPlace, type WasmLloydDriver } from './wasm-lloyd-driver.js';
import { makeWasmSeed, type WasmSeedDriver } from './wasm-seed-driver.js';
import { yinyangBlock, type YinyangArgs } from './yinyang-kernel.js';

/**
 * One CPU job on a run of blocks: the dispatch of a pass to its kernel, the same on a worker
 * thread (cpu-worker.ts) and on the calling thread (small inputs, cpu-backend.ts). A job names the
 * pass, its JavaScript kernel (generated per shape) and, where the shape and the matrix suit it,
 * the WebAssembly module that replaces it; the WebAssembly drivers are made once per thread,
 * dataset, scratch slot and shape and kept here.
 */

/** A dataset as a thread sees it: the column-major matrix and, when it has one, its kernel memory. */
export interface BlockData {
  id: number;
  X: Float32Array;
  n: number;
  d: number;
  kmem: KernelMemory | undefined;
}

/** The SIMD Lloyd kernel (wasm-kernel.ts), in place in a kernel memory or on private copies. */
export interface WasmKernelSpec {
  key: string;
  module: WebAssembly.Module;
  k: number;
  d: number;
  /** In place: offsets within a thread's scratch slot; copying: a private memory's layout. */
  layout: ReturnType<typeof wasmLayout>;
  maxRows: number;
  tau: number;
  /** The matrix lives in a WebAssembly memory: the kernel works on it without copies. */
  inPlace: boolean;
  slotBytes: number;
}

/** The SIMD seeding kernels (wasm-seed.ts). */
export interface WasmSeedSpec {
  key: string;
  module: WebAssembly.Module;
  d: number;
  slotBytes: number;
  maxRows: number;
}

/** The WebAssembly bounded step (wasm-bounded.ts). */
export interface WasmBoundedSpec {
  key: string;
  module: WebAssembly.Module;
  k: number;
  d: number;
  slotBytes: number;
}

/** The SIMD diagonal E-step (wasm-gmm.ts). */
export interface WasmGmmSpec {
  key: string;
  module: WebAssembly.Module;
  k: number;
  d: number;
  layout: ReturnType<typeof gmmWasmLayout>;
  rows: number;
  minResponsibility: number;
  slotBytes: number;
}

/** A Lloyd pass (kernel-source.ts, lloyd); one result per block when accumulating. */
export interface LloydJob {
  call: 'lloyd';
  kernel: KernelSource;
  k: number;
  C: Float32Array;
  labels: Int32Array;
  sqd: Float32Array | null;
  accumulate: boolean;
  accLength: number;
  wasm: WasmKernelSpec | undefined;
  ub: Float32Array | null;
  lb: Float32Array | null;
}

/** A bounded Lloyd step (kernel-source.ts, boundedLloyd); one result per block. */
export interface BoundedJob {
  call: 'bounded';
  kernel: KernelSource;
  k: number;
  C: Float32Array;
  labels: Int32Array;
  U: Float32Array;
  Lo: Float32Array;
  shift: Float64Array;
  far: number;
  nextFar: number;
  farthest: number;
  half: Float64Array;
  accLength: number;
  wasmBounded: WasmBoundedSpec | undefined;
}

/** A Yinyang Lloyd step (yinyang-kernel.ts; X, n and d are the dataset's); one result per block. */
export interface YinyangJob {
  call: 'yinyang';
  kernel: KernelSource;
  args: Omit<YinyangArgs, 'X' | 'n' | 'd'>;
  accLength: number;
}

/** Seeding minimum distances (kernel-source.ts, seedMinDist); results in minDist and blockSums. */
export interface SeedMinDistJob {
  call: 'seedMinDist';
  kernel: KernelSource;
  C: Float32Array;
  count: number;
  minDist: Float32Array;
  reset: boolean;
  blockSums: Float64Array;
  blockRows: number;
  wasmSeed: WasmSeedSpec | undefined;
}

/** Candidate potentials (kernel-source.ts, seedPotentials); one result per block. */
export interface SeedPotentialsJob {
  call: 'seedPotentials';
  kernel: KernelSource;
  cands: Float32Array;
  L: number;
  minDist: Float32Array;
  wasmSeed: WasmSeedSpec | undefined;
}

/** A mixture E-step (kernel-source.ts, gmm); one result per block: the statistics, then Σ log p(x). */
export interface GmmJob {
  call: 'gmm';
  kernel: KernelSource;
  form: 'diag' | 'full';
  k: number;
  M: Float32Array;
  P: Float32Array;
  B: Float32Array;
  accLength: number;
  labels: Int32Array | null;
  maxProb: Float32Array | null;
  probs: Float32Array | null;
  wasmGmm: WasmGmmSpec | undefined;
}

export type BlockJob =
  LloydJob | BoundedJob | YinyangJob | SeedMinDistJob | SeedPotentialsJob | GmmJob | RadiusBlockJob;

/** This thread's WebAssembly drivers: per dataset, slot and shape, or per shape for the copying kernel. */
const drivers = new Map<string, unknown>();

function driver<T>(key: string, make: () => T): T {
  let fn = drivers.get(key) as T | undefined;
  if (fn === undefined) {
    fn = make();
    drivers.set(key, fn);
  }
  return fn;
}

/** make(memory, base) for the dataset's kernel memory and scratch slot `slot` in it. */
function slotDriver<T>(
  tag: string,
  spec: { key: string; slotBytes: number },
  data: BlockData,
  kmem: KernelMemory,
  slot: number,
  make: (memory: WebAssembly.Memory, base: number) => T,
): T {
  return driver(`${data.id}:${slot}:${tag}:${spec.key}`, () =>
    make(kmem.memory, kmem.scratch + slot * spec.slotBytes),
  );
}

/** Forgets the drivers of a dataset (it was detached). */
export function dropDataset(id: number): void {
  for (const key of [...drivers.keys()]) if (key.startsWith(`${id}:`)) drivers.delete(key);
}

function lloydDriver(w: WasmKernelSpec, data: BlockData, slot: number): WasmLloydDriver {
  const kmem = data.kmem;
  if (w.inPlace && kmem) {
    const l = w.layout;
    return slotDriver('lloyd', w, data, kmem, slot, (memory, base) =>
      makeWasmLloydInPlace(
        w.module,
        w.k,
        w.d,
        memory,
        { c: base + l.c, cm2: base + l.cm2, q: base + l.q, acc: base + l.acc },
        w.tau,
      ),
    );
  }
  // The copying kernel has its own memory: one per shape serves every dataset.
  return driver(`copy:${w.key}`, () =>
    makeWasmLloyd(w.module, w.k, w.d, w.layout, w.maxRows, w.tau),
  );
}

function seedDriver(w: WasmSeedSpec, data: BlockData, kmem: KernelMemory, slot: number) {
  return slotDriver<WasmSeedDriver>('seed', w, data, kmem, slot, (memory, base) =>
    makeWasmSeed(w.module, w.d, memory, base, w.slotBytes, w.maxRows),
  );
}

/** The per-block results added in block order (the first `length` values of each), in float64. */
export function addInOrder(partials: readonly Float64Array[], length: number): Float64Array {
  const total = new Float64Array(length);
  for (const part of partials) for (let j = 0; j < length; j++) total[j] += part[j];
  return total;
}

/** Runs a job over its blocks on this thread; returns the per-block results in block order. */
export function runJob(
  data: BlockData,
  slot: number,
  job: BlockJob,
  blocks: readonly (readonly [number, number])[],
): Float64Array[] {
  const results: Float64Array[] = [];
  for (const [i0, i1] of blocks) {
    const r = runBlock(data, slot, job, i0, i1);
    if (r) results.push(r);
  }
  return results;
}

/** Runs a job over rows [i0, i1) (one block); returns the block's result, if the pass has one. */
export function runBlock(
  data: BlockData,
  slot: number,
  job: BlockJob,
  i0: number,
  i1: number,
): Float64Array | undefined {
  const { X, n, d, kmem } = data;
  switch (job.call) {
    case 'lloyd': {
      const fn = compileJsKernel<LloydKernel>(job.kernel, () => genericLloyd(job.k, d));
      const acc = job.accumulate ? new Float64Array(job.accLength) : null;
      const { C, labels, sqd, ub, lb } = job;
      if (job.wasm)
        lloydDriver(job.wasm, data, slot)(X, n, i0, i1, C, labels, sqd, acc, fn, ub, lb);
      else fn(X, n, i0, i1, C, labels, sqd, acc, ub, lb);
      return acc ?? undefined;
    }
    case 'bounded': {
      const w = job.wasmBounded;
      const run =
        w && kmem
          ? slotDriver('bounded', w, data, kmem, slot, (memory, base) =>
              makeWasmBounded(w.module, w.k, w.d, memory, base),
            )
          : compileJsKernel<BoundedKernel>(job.kernel, () => genericBoundedLloyd(job.k, d));
      const acc = new Float64Array(job.accLength);
      const j = job;
      run(
        X,
        n,
        i0,
        i1,
        j.C,
        j.labels,
        j.U,
        j.Lo,
        j.shift,
        j.far,
        j.nextFar,
        j.farthest,
        j.half,
        acc,
      );
      return acc;
    }
    case 'yinyang': {
      const acc = new Float64Array(job.accLength);
      const run = compileJsKernel<typeof yinyangBlock>(job.kernel, () => yinyangBlock);
      run({ ...job.args, X, n, d }, i0, i1, acc);
      return acc;
    }
    case 'seedMinDist': {
      const run =
        job.wasmSeed && kmem
          ? seedDriver(job.wasmSeed, data, kmem, slot).seedMinDist
          : compileJsKernel<SeedMinDistKernel>(job.kernel, () => genericSeedMinDist(d));
      const j = job;
      run(X, n, i0, i1, j.C, j.count, j.minDist, j.reset, j.blockSums, j.blockRows);
      return undefined;
    }
    case 'seedPotentials': {
      const run =
        job.wasmSeed && kmem
          ? seedDriver(job.wasmSeed, data, kmem, slot).seedPotentials
          : compileJsKernel<SeedPotentialsKernel>(job.kernel, () => genericSeedPotentials(d));
      const out = new Float64Array(job.L);
      run(X, n, i0, i1, job.cands, job.L, job.minDist, out);
      return out;
    }
    case 'gmm': {
      const w = job.wasmGmm;
      const run =
        w && kmem
          ? slotDriver('gmm', w, data, kmem, slot, (memory, base) =>
              makeWasmGmm(w.module, w.k, w.d, memory, base, w.layout, w.rows, w.minResponsibility),
            )
          : compileJsKernel<GmmKernel>(job.kernel, () => genericGmm(job.form, job.k, d));
      // The statistics (when accumulating), then Σ log p(x).
      const res = new Float64Array(job.accLength + 1);
      const acc = job.accLength > 0 ? res.subarray(0, job.accLength) : null;
      const j = job;
      run(
        X,
        n,
        i0,
        i1,
        j.M,
        j.P,
        j.B,
        acc,
        j.labels,
        j.maxProb,
        j.probs,
        res.subarray(j.accLength),
      );
      return res;
    }
    case 'radius':
      radiusBlock(X, n, d, job, i0, i1);
      return undefined;
  }
}
