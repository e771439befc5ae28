import { GMM_WASM_DRIVER_SOURCE } from './wasm-gmm.js';
import { WASM_DRIVER_SOURCE } from './wasm-kernel.js';
import { SEED_WASM_DRIVER_SOURCE } from './wasm-seed.js';
import { BOUNDED_WASM_DRIVER_SOURCE } from './wasm-bounded.js';

/**
 * The code of a CPU worker thread, as text for `new Worker(code, { eval: true })`. Text rather than
 * a module file because the same code must run from src/ under the test runner and from dist/ when
 * installed, and a module path would differ between them. The worker only compiles the kernel
 * sources it is sent (src/backend/cpu/kernel-source.ts) and runs them over shared memory; all the
 * logic that decides what to run lives on the main thread.
 *
 * Messages in:  { op: 'dataset', id, X, n, kernelMemory? } | { op: 'drop', id } |
 *               { op: 'run', job, id, slot, kernel: { key, body }, call, blocks: [i0, i1][], args }
 * Messages out: { job, results: Float64Array[] } | { job, error }
 */
export const WORKER_SOURCE =
  WASM_DRIVER_SOURCE +
  GMM_WASM_DRIVER_SOURCE +
  SEED_WASM_DRIVER_SOURCE +
  BOUNDED_WASM_DRIVER_SOURCE +
  String.raw`
// Parses both as CommonJS and as an ES module (a host run with --input-type=module makes Node
// read eval'd workers as ESM): no require, no top-level await; messages wait in the port meanwhile.
import('node:worker_threads').then(({ parentPort }) => {
const datasets = new Map();
const compiled = new Map();
const wasmKernels = new Map();
// A WebAssembly driver per dataset, scratch slot and shape, made once: make(memory, base) gets the
// dataset's kernel memory and this slot's scratch offset.
function slotDriver(tag, w, ds, id, slot, make) {
  const key = id + ':' + slot + ':' + tag + ':' + w.key;
  let fn = wasmKernels.get(key);
  if (!fn) {
    fn = make(ds.kernelMemory.memory, ds.kernelMemory.scratch + slot * w.slotBytes);
    wasmKernels.set(key, fn);
  }
  return fn;
}
function wasmKernelOf(w, ds, id, slot) {
  if (w.inPlace) {
    const l = w.layout;
    return slotDriver('lloyd', w, ds, id, slot, (memory, base) => makeWasmLloydInPlace(w.module, w.k, w.d, memory, { c: base + l.c, cm2: base + l.cm2, q: base + l.q, acc: base + l.acc }, w.tau));
  }
  // The copying kernel has its own memory: one per shape serves every dataset.
  const key = 'copy:' + w.key;
  let fn = wasmKernels.get(key);
  if (!fn) { fn = makeWasmLloyd(w.module, w.k, w.d, w.layout, w.maxRows, w.tau); wasmKernels.set(key, fn); }
  return fn;
}
const wasmGmmOf = (w, ds, id, slot) => slotDriver('gmm', w, ds, id, slot, (memory, base) => makeWasmGmm(w.module, w.k, w.d, memory, base, w.layout, w.rows, w.minResponsibility));
const wasmSeedOf = (w, ds, id, slot) => slotDriver('seed', w, ds, id, slot, (memory, base) => makeWasmSeed(w.module, w.d, memory, base, w.slotBytes, w.maxRows));
const wasmBoundedOf = (w, ds, id, slot) => slotDriver('bounded', w, ds, id, slot, (memory, base) => makeWasmBounded(w.module, w.k, w.d, memory, base));
function kernelOf(kernel) {
  let fn = compiled.get(kernel.key);
  if (!fn) { fn = new Function(kernel.body)(); compiled.set(kernel.key, fn); }
  return fn;
}
parentPort.on('message', (msg) => {
  if (msg.op === 'dataset') { datasets.set(msg.id, { X: msg.X, n: msg.n, kernelMemory: msg.kernelMemory }); return; }
  if (msg.op === 'drop') {
    datasets.delete(msg.id);
    for (const key of wasmKernels.keys()) if (key.startsWith(msg.id + ':')) wasmKernels.delete(key);
    return;
  }
  try {
    const ds = datasets.get(msg.id);
    if (!ds) throw new Error('dataset ' + msg.id + ' is not registered in this worker');
    const fn = kernelOf(msg.kernel);
    const a = msg.args;
    const results = [];
    for (const [i0, i1] of msg.blocks) {
      if (msg.call === 'lloyd') {
        const acc = a.accumulate ? new Float64Array(a.accLength) : null;
        if (a.wasm) wasmKernelOf(a.wasm, ds, msg.id, msg.slot)(ds.X, ds.n, i0, i1, a.C, a.labels, a.sqd, acc, fn, a.ub, a.lb);
        else fn(ds.X, ds.n, i0, i1, a.C, a.labels, a.sqd, acc, a.ub, a.lb);
        if (acc !== null) results.push(acc);
      } else if (msg.call === 'bounded') {
        const acc = new Float64Array(a.accLength);
        const run = a.wasmBounded && ds.kernelMemory ? wasmBoundedOf(a.wasmBounded, ds, msg.id, msg.slot) : fn;
        run(ds.X, ds.n, i0, i1, a.C, a.labels, a.U, a.Lo, a.shift, a.far, a.nextFar, a.farthest, a.half, acc);
        results.push(acc);
      } else if (msg.call === 'seedMinDist') {
        const run = a.wasmSeed && ds.kernelMemory ? wasmSeedOf(a.wasmSeed, ds, msg.id, msg.slot).seedMinDist : fn;
        run(ds.X, ds.n, i0, i1, a.C, a.count, a.minDist, a.reset, a.blockSums, a.blockRows);
      } else if (msg.call === 'gmm') {
        // One result per block: the statistics (when accumulating), then Σ log p(x).
        const res = new Float64Array(a.accLength + 1);
        const run = a.wasmGmm && ds.kernelMemory ? wasmGmmOf(a.wasmGmm, ds, msg.id, msg.slot) : fn;
        run(ds.X, ds.n, i0, i1, a.M, a.P, a.B, a.accLength > 0 ? res.subarray(0, a.accLength) : null, a.labels, a.maxProb, a.probs, res.subarray(a.accLength));
        results.push(res);
      } else if (msg.call === 'seedPotentials') {
        const out = new Float64Array(a.L);
        const run = a.wasmSeed && ds.kernelMemory ? wasmSeedOf(a.wasmSeed, ds, msg.id, msg.slot).seedPotentials : fn;
        run(ds.X, ds.n, i0, i1, a.cands, a.L, a.minDist, out);
        results.push(out);
      } else throw new Error('unknown call ' + msg.call);
    }
    parentPort.postMessage({ job: msg.job, results }, results.map((r) => r.buffer));
  } catch (error) {
    parentPort.postMessage({ job: msg.job, error: String(error && error.stack || error) });
  }
});
});
`;
