import { Command } from 'commander';
import { checkDistinctFiles, checkOutputPath, rfm, writeTable } from '../../index.js';
import { addRfmOptions, rfmOptions, type RfmFlags } from '../rfm-options.js';
import { printNotice, printResult } from '../terminal.js';

interface RfmCommandFlags extends RfmFlags {
  output: string;
  json?: boolean;
}

export function rfmCommand(): Command {
  return addRfmOptions(
    new Command('rfm')
      .description(
        'turn a transaction log (CSV, Parquet, Arrow) into one row of RFM features per customer',
      )
      .argument('<transactions>', 'transaction log'),
  )
    .requiredOption('--output <file>', 'features table: .arrow, .arrows, .parquet or .csv')
    .option('--json', 'print one JSON object summarising the run on stdout')
    .action(async (input: string, flags: RfmCommandFlags) => {
      checkOutputPath(flags.output, '--output');
      checkDistinctFiles(
        [{ path: input, flag: 'input' }],
        [{ path: flags.output, flag: '--output' }],
      );
      const result = await rfm(input, rfmOptions(flags));
      if (result.droppedNoCustomer > 0)
        printNotice(
          `dropped ${result.droppedNoCustomer} of ${result.rows} rows without a customer`,
        );
      if (result.customersWithoutPurchase > 0)
        printNotice(
          `left out ${result.customersWithoutPurchase} customers with no purchase row (returns only)`,
        );
      writeTable(flags.output, result.table);
      const summary = {
        customers: result.customers,
        rows: result.rows,
        as_of: result.asOf,
        dropped_rows_without_customer: result.droppedNoCustomer,
        customers_without_purchase: result.customersWithoutPurchase,
        columns: result.table.schema.fields.map((f) => f.name),
        output: flags.output,
      };
      printResult(
        flags.json
          ? JSON.stringify(summary)
          : `${result.customers} customers, as of ${result.asOf}: wrote ${flags.output} (${summary.columns.join(', ')})`,
      );
    });
}
