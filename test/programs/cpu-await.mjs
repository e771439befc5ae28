// A CPU fit large enough to run on the worker threads, awaited with nothing else holding the
// event loop: the process must not exit before 'done' (idle workers are unreferenced, busy ones
// referenced; a mistake there ends the process silently with status 0 in the middle of the await).
import { fit } from '../../dist/src/index.js';
import { tableFromArrays } from 'apache-arrow';

const n = 120_000;
const cols = {};
for (let j = 0; j < 6; j++)
  cols[`f${j}`] = Float32Array.from({ length: n }, (_, i) => ((i * (j + 3)) % 97) / 7);
const result = await fit(tableFromArrays(cols), { k: 5, backend: 'cpu' });
process.stdout.write(`iterations ${result.stats.iterations}\ndone\n`);
