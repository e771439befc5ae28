import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { PERSONAS, writeCustomers } from '../../synth/customers.js';
import { checkOutputPath } from '../paths.js';
import { printResult } from '../terminal.js';

export function generateCommand(): Command {
  return new Command('generate')
    .description(`write synthetic customers with known personas (${PERSONAS.map((p) => p.name).join(', ')}) as an Arrow IPC stream`)
    .requiredOption('--rows <n>', 'number of customers (1e6 and 10M style numbers work)')
    .option('--seed <n>', 'random seed', '0')
    .option('--batch-rows <n>', 'rows per record batch', String(1 << 20))
    .requiredOption('--output <file>', 'the .arrows file to write')
    .action(async (flags: { rows: string; seed: string; batchRows: string; output: string }) => {
      checkOutputPath(flags.output, '--output', false);
      const rows = Number(flags.rows);
      const batchRows = Number(flags.batchRows);
      const seed = Number(flags.seed);
      if (!Number.isInteger(rows) || rows < 1) throw new UsageError(`--rows: expected an integer ≥ 1, got '${flags.rows}'`);
      if (!Number.isInteger(batchRows) || batchRows < 1) throw new UsageError(`--batch-rows: expected an integer ≥ 1, got '${flags.batchRows}'`);
      if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed: expected an integer ≥ 0, got '${flags.seed}'`);
      const started = performance.now();
      await writeCustomers(flags.output, rows, seed, batchRows);
      printResult(`wrote ${rows} customers to ${flags.output} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    });
}
