/**
 * Soak test: many consecutive fits in one process, memory sampled as it goes. A leak of GPU
 * buffers, worker threads or host arrays shows as RSS (or external memory) growing with the fit
 * count instead of levelling off.
 *
 *   node dist/bench/soak.js [--fits 1000] [--backend cpu|gpu] [--rows 20000] [--dims 8] [--k 8]
 */
import { tableFromArrays } from 'apache-arrow';
import { closeSharedGpu, fit, shutdownCpuWorkers, type BackendChoice } from '../src/index.js';
import { Rng } from '../src/util/rng.js';
import { benchCount, benchFlags, usageExit } from './bench-flags.js';

const values = benchFlags(
  'soak',
  'Soak test: many consecutive fits in one process, memory sampled as it goes (a leak grows RSS).',
  {
    fits: { type: 'string', default: '1000' },
    backend: { type: 'string', default: 'cpu' },
    rows: { type: 'string', default: '20000' },
    dims: { type: 'string', default: '8' },
    k: { type: 'string', default: '8' },
    json: { type: 'boolean', default: false },
  },
  {
    fits: 'consecutive fits',
    backend: 'cpu or gpu (every fit must run there)',
    rows: 'rows of the table every fit segments',
    dims: 'features of the table',
    k: 'clusters',
    json: 'print the samples as JSON',
  },
);
const fits = benchCount('soak', values.fits, '--fits');
const rows = benchCount('soak', values.rows, '--rows');
const dims = benchCount('soak', values.dims, '--dims');
const k = benchCount('soak', values.k, '--k');
if (!['cpu', 'gpu'].includes(values.backend))
  usageExit('soak', `--backend: expected cpu or gpu, got '${values.backend}'`);
const backend = values.backend as BackendChoice;

const rng = new Rng(1);
const columns: Record<string, Float32Array> = {};
for (let j = 0; j < dims; j++)
  columns[`f${j}`] = Float32Array.from(
    { length: rows },
    () => rng.nextDouble() * 10 + rng.nextInt(k) * 7,
  );
const table = tableFromArrays(columns);

const mb = (n: number): number => Math.round((n / 2 ** 20) * 10) / 10;
const samples: {
  fit: number;
  rssMb: number;
  heapMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  seconds: number;
}[] = [];
const started = performance.now();
for (let i = 1; i <= fits; i++) {
  const r = await fit(table, { k, seed: i % 7, backend, maxIter: 50 });
  if (r.stats.backend !== backend) throw new Error(`ran on ${r.stats.backend}, not ${backend}`);
  if (i === 1 || i % Math.max(1, Math.floor(fits / 10)) === 0) {
    const m = process.memoryUsage();
    samples.push({
      fit: i,
      rssMb: mb(m.rss),
      heapMb: mb(m.heapUsed),
      externalMb: mb(m.external),
      arrayBuffersMb: mb(m.arrayBuffers),
      seconds: (performance.now() - started) / 1000,
    });
    if (!values.json)
      console.log(
        `fit ${String(i).padStart(5)}  rss ${mb(m.rss)} MB  heap ${mb(m.heapUsed)} MB  external ${mb(m.external)} MB  ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
  }
}
const first = samples[1] ?? samples[0];
const last = samples[samples.length - 1];
const growth = last.rssMb - first.rssMb;
if (values.json)
  console.log(JSON.stringify({ fits, backend, rows, dims, k, samples, rssGrowthMb: growth }));
else
  console.log(
    `RSS from fit ${first.fit} to fit ${last.fit}: ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB`,
  );
await closeSharedGpu();
await shutdownCpuWorkers();
