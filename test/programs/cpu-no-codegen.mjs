// CPU fits (k-means and Gaussian mixtures, on the calling thread and on the worker threads), for
// test/cpu-no-codegen.test.ts: run with and without --disallow-code-generation-from-strings, the
// same lines must come out. Prints whether code generation from strings was allowed, then one
// line per fit: its inertia or log-likelihood and a checksum of its labels.
import { fit } from '../../dist/src/index.js';
import { tableFromArrays } from 'apache-arrow';

let codegen = true;
try {
  new Function('return 1')();
} catch {
  codegen = false;
}
process.stdout.write(`codegen ${codegen}\n`);

function table(n, d) {
  const cols = {};
  for (let j = 0; j < d; j++)
    cols[`f${j}`] = Float32Array.from({ length: n }, (_, i) => ((i * (j + 3)) % 97) / 7 + (i % 5));
  return tableFromArrays(cols);
}

function checksum(labels) {
  let h = 0;
  for (let i = 0; i < labels.length; i++) h = (Math.imul(h, 31) + labels[i]) | 0;
  return h;
}

const runs = [
  ['kmeans small', table(5_001, 5), { k: 4 }],
  ['kmeans workers', table(70_001, 9), { k: 5 }],
  ['kmeans|| workers', table(70_001, 9), { k: 5, init: 'k-means||' }],
  ['gmm full small', table(3_001, 4), { k: 3, algorithm: 'gmm', covariance: 'full' }],
  ['gmm diag workers', table(70_001, 9), { k: 3, algorithm: 'gmm', covariance: 'diag' }],
];
for (const [name, t, options] of runs) {
  const r = await fit(t, { ...options, backend: 'cpu' });
  const score = r.stats.inertia ?? r.stats.logLikelihood;
  process.stdout.write(`${name}: ${score} ${checksum(r.labels)} ${r.stats.iterations}\n`);
}

// The passes on the plain JavaScript kernels (useWasm false) and on a matrix outside a
// WebAssembly memory (the copying SIMD kernel, the JavaScript bounded step), pass by pass.
const { CpuBackend } = await import('../../dist/src/backend/cpu/cpu-backend.js');
function matrix(n, d) {
  const data = new Float32Array(new SharedArrayBuffer(n * d * 4));
  for (let j = 0; j < d; j++)
    for (let i = 0; i < n; i++) data[j * n + i] = ((i * (j + 3)) % 97) / 7 + (i % 5);
  return { rows: n, dims: d, features: Array.from({ length: d }, (_, j) => `f${j}`), data };
}
/** Σ (i + 1)·a[i]: a checksum that sees where each value is. */
function sum(a) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (i + 1) * a[i];
  return s;
}
for (const [name, backend] of [
  ['javascript kernels', new CpuBackend(1, false)],
  ['copying simd kernel', new CpuBackend(1, true)],
]) {
  const m = matrix(10_003, 6);
  const k = 4;
  const h = await backend.attach(m);
  let centres = m.data.filter((_, i) => i % 2500 === 0).slice(0, k * 6);
  const out = [];
  for (let it = 0; it < 20; it++) {
    const s = await backend.lloydStep(h, centres, k);
    out.push(s.inertia, sum(s.sums), s.changed);
    centres = Float32Array.from(s.sums, (v, o) => v / Math.max(1, s.counts[Math.floor(o / 6)]));
  }
  out.push(sum(await backend.seedReset(h, centres.slice(0, 6), 1)));
  out.push(...(await backend.seedPotentials(h, centres, k)));
  for (const form of ['diag', 'full']) {
    const precChol = new Float32Array(form === 'diag' ? k * 6 : k * 36);
    for (let c = 0; c < k; c++)
      for (let j = 0; j < 6; j++) precChol[form === 'diag' ? c * 6 + j : c * 36 + j * 7] = 0.5;
    const g = await backend.gmmStep(h, {
      form,
      k,
      means: centres,
      precChol,
      bias: new Float32Array(k).fill(-3),
    });
    out.push(g.logLikelihood, sum(g.nk), sum(g.sd), sum(g.sdd));
  }
  process.stdout.write(`${name}: ${out.join(' ')} bounded ${backend.boundedSteps}\n`);
  await backend.detach(h);
}
