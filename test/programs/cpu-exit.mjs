// A CPU run that must end the process on its own once its output is written (no process.exit,
// no shutdown call): argv n, d, output path, and the operation (fit, gmm, predict or select).
// Run with GPUSEG_THREADS set to choose the pool size.
import { writeFileSync } from 'node:fs';
import { fit, predict, selectK } from '../../dist/src/index.js';
import { tableFromArrays } from 'apache-arrow';

const [n, d] = process.argv.slice(2, 4).map(Number);
const out = process.argv[4];
const op = process.argv[5] ?? 'fit';
const cols = {};
for (let j = 0; j < d; j++)
  cols[`f${j}`] = Float32Array.from({ length: n }, (_, i) => ((i * (j + 3)) % 97) / 7);
const table = tableFromArrays(cols);
let line;
if (op === 'select') {
  const r = await selectK(table, { k: '2..2', backend: 'cpu', maxIter: 5 });
  line = `rows ${n} candidates ${r.rows.length}`;
} else {
  const options =
    op === 'gmm'
      ? { k: 3, backend: 'cpu', algorithm: 'gmm', covariance: 'diag', maxIter: 5 }
      : { k: 3, backend: 'cpu' };
  const result = await fit(table, options);
  if (op === 'predict') {
    const p = await predict(table, result.model, { backend: 'cpu' });
    line = `rows ${p.labels.length} predicted`;
  } else line = `rows ${result.labels.length} iterations ${result.stats.iterations}`;
}
writeFileSync(out, `${line}\n`);
