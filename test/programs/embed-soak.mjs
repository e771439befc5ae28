// Fits in one process; prints the resident set size after every 10th (issue 15: it grew by a
// dataset per fit, since idle workers never collected the shared memory they had been sent).
// Arguments: fits (100), 'complete' | 'cancel', backend ('cpu': 150k × 4 rows, past the inline
// threshold of 2^19 values, so on the worker threads), rows (150000).
import { fit } from '../../dist/src/index.js';
import { tableFromArrays } from 'apache-arrow';

const fits = Number(process.argv[2] ?? 100);
const backend = process.argv[4] ?? 'cpu';
const n = Number(process.argv[5] ?? 150_000);
// 'cancel': each fit is aborted after its first iteration (its rejection must leak nothing either).
const cancel = process.argv[3] === 'cancel';
let s = 1;
const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
const cols = {};
for (const name of ['a', 'b', 'c', 'd']) cols[name] = new Float32Array(n);
for (let i = 0; i < n; i++)
  for (const [j, name] of ['a', 'b', 'c', 'd'].entries()) cols[name][i] = rnd() + ((i + j) % 3);
const table = tableFromArrays(cols);
const rss = {};
for (let i = 1; i <= fits; i++) {
  if (cancel) {
    const controller = new globalThis.AbortController();
    const options = { k: 3, backend, seed: i, tol: 0, maxIter: 20 };
    const onIteration = () => controller.abort();
    const error = await fit(table, { ...options, signal: controller.signal, onIteration }).then(
      () => undefined,
      (e) => e,
    );
    if (error?.code !== 'GPUSEG_ABORTED') throw new Error(`fit ${i} was not aborted: ${error}`);
  } else {
    const r = await fit(table, { k: 3, backend, seed: i, maxIter: 3 });
    if (r.assignments.numRows !== n) throw new Error('wrong row count');
  }
  if (i % 10 === 0) rss[i] = process.memoryUsage().rss;
}
process.stdout.write(`${JSON.stringify(rss)}\n`);
