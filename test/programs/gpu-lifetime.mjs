// Regression program for the dawn.node crash (see src/backend/gpu/gpu-context.ts): run with
// --expose-gc. Each round submits GPU work, drops every reference the caller could hold, forces a
// garbage collection, blocks the main thread with an allocating loop while the work is in flight,
// and then awaits the result. Before the fix this aborted ('The futex facility returned an
// unexpected error code'), segfaulted, or exited silently with status 0 before printing 'done'.
import { fit, closeSharedGpu } from '../../dist/src/index.js';
import { tableFromArrays } from 'apache-arrow';

const rounds = Number(process.argv[2] ?? 5);
const n = 20000;
const x = new Float32Array(n);
const y = new Float32Array(n);
for (let i = 0; i < n; i++) {
  x[i] = (i % 4) * 10 + Math.sin(i);
  y[i] = Math.floor(i / 5000) * 10 + Math.cos(i);
}
for (let round = 0; round < rounds; round++) {
  const pending = fit(tableFromArrays({ x, y }), {
    k: 4,
    backend: 'gpu',
    onIteration: () => {
      globalThis.gc();
      const until = performance.now() + 200;
      let junk = [];
      while (performance.now() < until) {
        junk.push({ v: Math.random() });
        if (junk.length > 1e5) junk = [];
      }
    },
  });
  globalThis.gc();
  const result = await pending;
  if (result.stats.backend !== 'gpu') throw new Error('expected the GPU backend');
  process.stdout.write(`round ${round} inertia ${result.stats.inertia.toFixed(3)}\n`);
}
await closeSharedGpu();
process.stdout.write('done\n');
