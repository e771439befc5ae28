import { Command } from 'commander';
import {
  checkChunkOutputPath,
  checkOutputPath,
  checkParameter,
  KMEANS_PARAMETERS,
  parameter,
  parseCount,
  SYNTHETIC_PERSONAS,
  writeCustomers,
} from '../../index.js';
import { printResult } from '../terminal.js';

export function generateCommand(): Command {
  return new Command('generate')
    .description(
      `write synthetic customers with known personas (${SYNTHETIC_PERSONAS.map((p) => p.name).join(', ')}) batch by batch (Arrow IPC stream or file, or CSV, by the extension)`,
    )
    .requiredOption('--rows <n>', 'number of customers (1e6 and 10M style numbers work)')
    .option('--seed <n>', 'random seed', '0')
    .option('--batch-rows <n>', 'rows per record batch', String(1 << 20))
    .requiredOption('--output <file>', 'the file to write: .arrows, .arrow or .csv')
    .action(async (flags: { rows: string; seed: string; batchRows: string; output: string }) => {
      checkOutputPath(flags.output, '--output', false);
      checkChunkOutputPath(flags.output, '--output');
      const rows = parseCount(flags.rows, '--rows');
      const batchRows = parseCount(flags.batchRows, '--batch-rows');
      // The same rule as fit's --seed (32 bits: a larger seed would wrap onto another's stream).
      const seed = checkParameter(parameter(KMEANS_PARAMETERS, 'seed'), flags.seed);
      const started = performance.now();
      await writeCustomers(flags.output, rows, seed, batchRows);
      printResult(
        `wrote ${rows} customers to ${flags.output} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    });
}
