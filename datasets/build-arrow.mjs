// Converts the bundled CSV datasets to Arrow IPC files with gpuseg's own reader (npm run build first):
//   node datasets/build-arrow.mjs
import { readTable, writeTable } from '../dist/src/index.js';

for (const name of ['wholesale-customers', 'Mall_Customers', 'CC_GENERAL']) {
  const table = await readTable(`datasets/${name}.csv`);
  writeTable(`datasets/${name}.arrow`, table);
  console.log(`datasets/${name}.arrow: ${table.numRows} rows, ${table.numCols} columns`);
}
