import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { InputError, UsageError } from '../errors.js';
import {
  describeSource,
  firstLine,
  openDuckSession,
  quoteIdent,
  quoteString,
  type DuckSession,
} from '../io/duckdb.js';
import { readTable } from '../io/read-table.js';
import { makeTemporaryFolder } from '../util/atomic-write.js';

/**
 * RFM and behavioural features from a transaction log, one row per customer, computed by DuckDB.
 * Definitions (so that anyone can check them):
 * - a row's amount is --amount, or --quantity × --price; purchase rows have amount > 0, return
 *   rows amount < 0 (rows of amount 0 count as neither); rows without a customer are dropped;
 * - as-of defaults to the day after the last date in the log (all rows, with or without customer);
 * - recency_days: whole days from the customer's last purchase date to as-of;
 * - frequency: distinct orders among purchase rows with --order, else distinct purchase days;
 * - monetary: the sum of all amounts, net of returns;
 * - avg_order_value: the sum of purchase amounts / frequency;
 * - tenure_days: whole days from the first purchase date to as-of;
 * - return_rate: returned value (−Σ negative amounts) / purchased value (Σ positive amounts);
 * - distinct_products (with --product): distinct products among purchase rows.
 * Customers with no purchase row are left out and counted.
 */
export interface RfmOptions {
  customer: string;
  date: string;
  amount?: string;
  quantity?: string;
  price?: string;
  order?: string;
  product?: string;
  /** 'YYYY-MM-DD' (default: the day after the last date in the log). */
  asOf?: string;
  /** strptime format for a text date column, e.g. '%d-%m-%Y' (default: ISO dates and timestamps). */
  dateFormat?: string;
}

export interface RfmResult {
  table: Table;
  asOf: string;
  rows: number;
  droppedNoCustomer: number;
  customersWithoutPurchase: number;
  customers: number;
}

export const RFM_COLUMNS = [
  'recency_days',
  'frequency',
  'monetary',
  'avg_order_value',
  'tenure_days',
  'return_rate',
] as const;

export async function rfm(path: string, options: RfmOptions): Promise<RfmResult> {
  if (
    options.amount !== undefined &&
    (options.quantity !== undefined || options.price !== undefined)
  ) {
    throw new UsageError('give either --amount, or --quantity with --price, not both');
  }
  if (
    options.amount === undefined &&
    (options.quantity === undefined || options.price === undefined)
  ) {
    throw new UsageError('give either --amount, or both --quantity and --price');
  }
  if (options.asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.asOf))
    throw new UsageError(`--as-of: expected a date as YYYY-MM-DD, got '${options.asOf}'`);
  const session = await openDuckSession(path);
  try {
    const columns = await describeSource(session, path);
    const need: [string, string | undefined][] = [
      ['--customer', options.customer],
      ['--date', options.date],
      ['--amount', options.amount],
      ['--quantity', options.quantity],
      ['--price', options.price],
      ['--order', options.order],
      ['--product', options.product],
    ];
    for (const [flag, name] of need) {
      if (name !== undefined && !columns.has(name)) {
        throw new UsageError(
          `${flag}: unknown column '${name}'; the input has ${[...columns.keys()].map((c) => `'${c}'`).join(', ')}`,
        );
      }
    }
    for (const [flag, name] of [
      ['--amount', options.amount],
      ['--quantity', options.quantity],
      ['--price', options.price],
    ] as const) {
      if (
        name !== undefined &&
        !/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$/.test(
          columns.get(name)!,
        )
      ) {
        throw new InputError(`${flag}: column '${name}' is ${columns.get(name)}, not numeric`);
      }
    }
    return await compute(session, path, options, columns.get(options.date)!);
  } finally {
    session.close();
  }
}

async function compute(
  session: DuckSession,
  path: string,
  o: RfmOptions,
  dateType: string,
): Promise<RfmResult> {
  const c = session.connection;
  const q = quoteIdent;
  const amount =
    o.amount !== undefined
      ? `CAST(${q(o.amount)} AS DOUBLE)`
      : `CAST(${q(o.quantity!)} AS DOUBLE) * CAST(${q(o.price!)} AS DOUBLE)`;
  const isText = /^VARCHAR/.test(dateType);
  const day = isText
    ? o.dateFormat
      ? `CAST(try_strptime(${q(o.date)}, ${quoteString(o.dateFormat)}) AS DATE)`
      : `TRY_CAST(TRY_CAST(${q(o.date)} AS TIMESTAMP) AS DATE)`
    : `TRY_CAST(${q(o.date)} AS DATE)`;
  const run = async (sql: string): Promise<Record<string, unknown>[]> => {
    try {
      return (await c.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
    } catch (error) {
      throw new InputError(`'${path}': ${firstLine(error)}`, { cause: error });
    }
  };
  await run(`CREATE TEMP TABLE tx AS SELECT ${q(o.customer)} AS customer, ${day} AS day, ${q(o.date)} AS raw_date, ${amount} AS amount,
    ${o.order ? q(o.order) : 'NULL'} AS order_id, ${o.product ? q(o.product) : 'NULL'} AS product, row_number() OVER () AS line FROM ${session.source}`);
  const [bad] = await run(
    `SELECT count(*) AS n, min(line) AS first_line, any_value(CAST(raw_date AS VARCHAR)) AS sample FROM tx WHERE day IS NULL AND raw_date IS NOT NULL`,
  );
  if (Number(bad.n) > 0) {
    throw new InputError(
      `--date: column '${o.date}' has ${bad.n} value${Number(bad.n) === 1 ? '' : 's'} that are not dates (e.g. '${bad.sample}', data row ${bad.first_line}); ${isText && !o.dateFormat ? "give --date-format, e.g. '%d-%m-%Y'" : 'fix or drop them'}`,
    );
  }
  const [counts] =
    await run(`SELECT count(*) AS rows, count(*) FILTER (WHERE customer IS NULL) AS no_customer, CAST(max(day) + 1 AS VARCHAR) AS next_day,
    count(*) FILTER (WHERE amount IS NULL) AS no_amount FROM tx`);
  if (Number(counts.rows) === 0) throw new InputError(`'${path}' has no transactions`);
  if (Number(counts.no_amount) > 0)
    throw new InputError(
      `${o.amount ? `--amount '${o.amount}'` : `--quantity/--price`}: ${counts.no_amount} rows have no amount`,
    );
  const asOf = o.asOf ?? String(counts.next_day);
  const frequency = o.order
    ? 'count(DISTINCT order_id) FILTER (WHERE amount > 0)'
    : 'count(DISTINCT day) FILTER (WHERE amount > 0)';
  const products = o.product
    ? ', CAST(count(DISTINCT product) FILTER (WHERE amount > 0) AS DOUBLE) AS distinct_products'
    : '';
  const asOfDate = `DATE ${quoteString(asOf)}`;
  const select = `SELECT customer AS ${q(o.customer)},
      CAST(date_diff('day', max(day) FILTER (WHERE amount > 0), ${asOfDate}) AS DOUBLE) AS recency_days,
      CAST(${frequency} AS DOUBLE) AS frequency,
      sum(amount) AS monetary,
      sum(amount) FILTER (WHERE amount > 0) / ${frequency} AS avg_order_value,
      CAST(date_diff('day', min(day) FILTER (WHERE amount > 0), ${asOfDate}) AS DOUBLE) AS tenure_days,
      coalesce(-sum(amount) FILTER (WHERE amount < 0), 0) / sum(amount) FILTER (WHERE amount > 0) AS return_rate${products}
    FROM tx WHERE customer IS NOT NULL GROUP BY customer HAVING count(*) FILTER (WHERE amount > 0) > 0 ORDER BY customer`;
  const [custCounts] = await run(
    `SELECT count(DISTINCT customer) AS all_customers, count(DISTINCT customer) FILTER (WHERE amount > 0) AS buyers FROM tx WHERE customer IS NOT NULL`,
  );
  const customers = Number(custCounts.buyers);
  if (customers === 0)
    throw new InputError(
      `'${path}': no customer has a purchase row (amount > 0), so there is nothing to segment`,
    );
  const [future] = await run(
    `SELECT count(*) AS n FROM tx WHERE day > ${asOfDate} AND customer IS NOT NULL`,
  );
  if (Number(future.n) > 0)
    throw new InputError(`--as-of ${asOf} is before ${future.n} transactions; pick a later date`);
  const dir = makeTemporaryFolder('gpuseg-rfm-');
  try {
    const out = join(dir, 'rfm.parquet');
    await run(`COPY (${select}) TO ${quoteString(out)} (FORMAT parquet)`);
    const table = await readTable(out);
    return {
      table,
      asOf,
      rows: Number(counts.rows),
      droppedNoCustomer: Number(counts.no_customer),
      customersWithoutPurchase: Number(custCounts.all_customers) - customers,
      customers,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
