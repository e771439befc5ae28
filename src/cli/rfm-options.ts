import type { Command } from 'commander';
import { COMMON_PARAMETERS, parameter, type RfmOptions } from '../index.js';
import { addParameterOptions } from './options.js';

/** The transaction-log flags `rfm` and `segment` share: commander's names are the API's. */
export type RfmFlags = RfmOptions;

export function addRfmOptions(command: Command): Command {
  // --thousands by the parameter table (the CSV readers' rule: , . space or none).
  addParameterOptions(command, [parameter(COMMON_PARAMETERS, 'thousands')]);
  return command
    .requiredOption('--customer <column>', 'customer id column')
    .requiredOption('--date <column>', 'transaction date or timestamp column')
    .option('--amount <column>', 'amount column (or give --quantity and --price)')
    .option('--quantity <column>', 'quantity column; amount = quantity × price')
    .option('--price <column>', 'unit price column')
    .option(
      '--order <column>',
      'order/invoice column: frequency counts distinct orders (default: distinct purchase days)',
    )
    .option('--product <column>', 'product column: adds distinct_products')
    .option(
      '--as-of <date>',
      'reference date YYYY-MM-DD (default: the day after the last date in the log)',
    )
    .option(
      '--date-format <format>',
      "how dates are written: a strptime format (always wins), e.g. '%d-%m-%Y', '%Y%m%d'; excel (Excel serial days); epoch-s; epoch-ms",
    );
}

export function rfmOptions(f: RfmFlags): RfmOptions {
  return {
    customer: f.customer,
    date: f.date,
    amount: f.amount,
    quantity: f.quantity,
    price: f.price,
    order: f.order,
    product: f.product,
    asOf: f.asOf,
    dateFormat: f.dateFormat,
    thousands: f.thousands,
  };
}
