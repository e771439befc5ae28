import { Command } from 'commander';
import { writeTable } from '../../io/write-table.js';
import { rfm } from '../../segment/rfm.js';
import { checkOutputPath } from '../paths.js';
import { printNotice, printResult } from '../terminal.js';

interface RfmFlags {
  customer: string;
  date: string;
  amount?: string;
  quantity?: string;
  price?: string;
  order?: string;
  product?: string;
  asOf?: string;
  dateFormat?: string;
  output: string;
  json?: boolean;
}

export function rfmCommand(): Command {
  return new Command('rfm')
    .description('turn a transaction log (CSV, Parquet, Arrow) into one row of RFM features per customer')
    .argument('<transactions>', 'transaction log')
    .requiredOption('--customer <column>', 'customer id column')
    .requiredOption('--date <column>', 'transaction date or timestamp column')
    .option('--amount <column>', 'amount column (or give --quantity and --price)')
    .option('--quantity <column>', 'quantity column; amount = quantity × price')
    .option('--price <column>', 'unit price column')
    .option('--order <column>', 'order/invoice column: frequency counts distinct orders (default: distinct purchase days)')
    .option('--product <column>', 'product column: adds distinct_products')
    .option('--as-of <date>', 'reference date YYYY-MM-DD (default: the day after the last date in the log)')
    .option('--date-format <format>', "strptime format of a text date column, e.g. '%d-%m-%Y'")
    .requiredOption('--output <file>', 'features table: .arrow, .arrows, .parquet or .csv')
    .option('--json', 'print one JSON object summarising the run on stdout')
    .action(async (input: string, flags: RfmFlags) => {
      checkOutputPath(flags.output, '--output');
      const result = await rfm(input, flags);
      if (result.droppedNoCustomer > 0) printNotice(`dropped ${result.droppedNoCustomer} of ${result.rows} rows without a customer`);
      if (result.customersWithoutPurchase > 0) printNotice(`left out ${result.customersWithoutPurchase} customers with no purchase row (returns only)`);
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
      printResult(flags.json ? JSON.stringify(summary) : `${result.customers} customers, as of ${result.asOf}: wrote ${flags.output} (${summary.columns.join(', ')})`);
    });
}
