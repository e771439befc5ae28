// A CPU fit that must end the process on its own once its output is written (no process.exit,
// no shutdown call): argv n, d, output path. Run with GPUSEG_THREADS set to choose the pool size.
import { writeFileSync } from 'node:fs';
import { fit } from '../../dist/src/index.js';
import { tableFromArrays } from 'apache-arrow';

const [n, d] = process.argv.slice(2, 4).map(Number);
const out = process.argv[4];
const cols = {};
for (let j = 0; j < d; j++)
  cols[`f${j}`] = Float32Array.from({ length: n }, (_, i) => ((i * (j + 3)) % 97) / 7);
const result = await fit(tableFromArrays(cols), { k: 3, backend: 'cpu' });
writeFileSync(out, `rows ${result.labels.length} iterations ${result.stats.iterations}\n`);
