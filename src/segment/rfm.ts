import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { InputError, throwIfAborted, UsageError } from '../errors.js';
import { inFlight, type RunOptions } from '../api/lifecycle.js';
import { describeValue, isIsoDate } from '../util/arguments.js';
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
import type { ThousandsSeparator } from '../data/column-types.js';
import { checkHasRows, notNumericError } from './rfm-input-checks.js';

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
 * The customer column is an identifier: a CSV column of integer ids below 2^53 (17850 or 17850.0)
 * stays numeric, any other (20-digit ids, codes) is text exactly as written; DuckDB's integer
 * types are exact as they are. Missing markers (NA, NULL, -, #N/A, …) are null customers.
 */
export interface RfmOptions extends RunOptions {
  customer: string;
  date: string;
  amount?: string;
  quantity?: string;
  price?: string;
  order?: string;
  product?: string;
  /** 'YYYY-MM-DD' (default: the day after the last date in the log). */
  asOf?: string;
  /** With asOf: keep only transactions on or before it (a snapshot of the log, for --history replays). */
  snapshot?: boolean;
  /** With snapshot: keep only the last `window` days up to asOf (RFM over a rolling window). */
  window?: number;
  /**
   * How the date column is written (default: ISO dates and timestamps, or the file's own date
   * type). A strptime format ('%d-%m-%Y', '%Y%m%d' for integers like 20110131) always wins: the
   * column is read as text and parsed with it. 'excel': Excel serial day numbers (1900 system);
   * 'epoch-s' / 'epoch-ms': seconds / milliseconds since 1970-01-01 UTC.
   */
  dateFormat?: string;
  /** Thousands separator of the amount, quantity and price columns of a CSV log (default 'none'). */
  thousands?: ThousandsSeparator | 'none';
}

export interface RfmResult {
  table: Table;
  asOf: string;
  rows: number;
  droppedNoCustomer: number;
  customersWithoutPurchase: number;
  customers: number;
}

/** The options and names of the columns an amount is made of. */
function moneyColumns(o: RfmOptions): [string, string][] {
  return o.amount !== undefined
    ? [['amount', o.amount]]
    : [
        ['quantity', o.quantity!],
        ['price', o.price!],
      ];
}

/** Date formats that are not strptime's. */
const NUMERIC_DATE_FORMATS = ['excel', 'epoch-s', 'epoch-ms'];

function checkDateFormat(format: string | undefined): string | undefined {
  if (format === undefined) return undefined;
  if (NUMERIC_DATE_FORMATS.includes(format)) return format;
  if (!format.includes('%'))
    throw new UsageError(
      (opt) =>
        `${opt('dateFormat')}: expected a strptime format such as '%d-%m-%Y' or '%Y%m%d', or excel, epoch-s, epoch-ms; got '${format}'`,
    );
  return format;
}

/**
 * A column's values as DATE (NULL where a value is not a date). A strptime format parses the text
 * of the value; 'excel' counts days in Excel's 1900 system: 1 is 1900-01-01, 59 is 1900-02-28,
 * 60 is Excel's fictitious 1900-02-29 (refused: no such day), 61 and on are 1899-12-30 + n (as
 * pandas' origin='1899-12-30' and every spreadsheet reads them); a fraction (time of day) is
 * dropped. Epoch values are UTC days. Dates past 9999-12-31 are not dates.
 */
function dayExpression(column: string, type: string, format: string | undefined): string {
  const text = `trim(CAST(${column} AS VARCHAR))`;
  const fromDays = (origin: string, days: string): string =>
    `CASE WHEN ${days} BETWEEN -719162 AND 2932896 THEN DATE '${origin}' + CAST(${days} AS INTEGER) END`;
  const value = `TRY_CAST(${text} AS DOUBLE)`;
  if (format === 'excel')
    return `CASE WHEN floor(${value}) BETWEEN 61 AND 2958465 THEN DATE '1899-12-30' + CAST(floor(${value}) AS INTEGER) WHEN floor(${value}) BETWEEN 1 AND 59 THEN DATE '1899-12-31' + CAST(floor(${value}) AS INTEGER) END`;
  if (format === 'epoch-s') return fromDays('1970-01-01', `floor(${value} / 86400)`);
  if (format === 'epoch-ms') return fromDays('1970-01-01', `floor(${value} / 86400000)`);
  if (format !== undefined) return `CAST(try_strptime(${text}, ${quoteString(format)}) AS DATE)`;
  return /^VARCHAR/.test(type)
    ? `TRY_CAST(TRY_CAST(${column} AS TIMESTAMP) AS DATE)`
    : `TRY_CAST(${column} AS DATE)`;
}

/** A text column's numbers written with a thousands separator (plain numbers too); NULL otherwise. */
function groupedNumber(column: string, thousands: ThousandsSeparator): string {
  const t = `trim(${column})`;
  const plain = `CASE WHEN regexp_full_match(${t}, '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?') THEN CAST(${t} AS DOUBLE) END`;
  if (thousands === ',')
    return `CASE WHEN regexp_full_match(${t}, '[+-]?[0-9]{1,3}(,[0-9]{3})+([.][0-9]*)?') THEN CAST(replace(${t}, ',', '') AS DOUBLE) ELSE ${plain} END`;
  if (thousands === '.')
    return `CASE WHEN regexp_full_match(${t}, '[+-]?[0-9]{1,3}([.][0-9]{3})+(,[0-9]*)?') THEN CAST(replace(replace(${t}, '.', ''), ',', '.') AS DOUBLE) WHEN regexp_full_match(${t}, '[+-]?[0-9]+(,[0-9]+)?') THEN CAST(replace(${t}, ',', '.') AS DOUBLE) END`;
  return `CASE WHEN regexp_full_match(${t}, '[+-]?[0-9]{1,3}([ \u00a0\u202f][0-9]{3})+([.,][0-9]*)?') THEN CAST(replace(regexp_replace(${t}, '[ \u00a0\u202f]', '', 'g'), ',', '.') AS DOUBLE) ELSE ${plain} END`;
}

export async function rfm(path: string, options: RfmOptions): Promise<RfmResult> {
  if (typeof path !== 'string')
    throw new UsageError(`transactions must be a file path, got ${describeValue(path)}`);
  return inFlight(options, () => rfmRun(path, options));
}

async function rfmRun(path: string, options: RfmOptions): Promise<RfmResult> {
  if (
    options.amount !== undefined &&
    (options.quantity !== undefined || options.price !== undefined)
  ) {
    throw new UsageError(
      (opt) => `give either ${opt('amount')}, or ${opt('quantity')} with ${opt('price')}, not both`,
    );
  }
  if (
    options.amount === undefined &&
    (options.quantity === undefined || options.price === undefined)
  ) {
    throw new UsageError(
      (opt) => `give either ${opt('amount')}, or both ${opt('quantity')} and ${opt('price')}`,
    );
  }
  if (options.asOf !== undefined && !isIsoDate(options.asOf))
    throw new UsageError(
      (opt) => `${opt('asOf')}: expected a date as YYYY-MM-DD, got '${options.asOf}'`,
    );
  const dateFormat = checkDateFormat(options.dateFormat);
  const thousands = options.thousands ?? 'none';
  if (!['none', ',', '.', 'space'].includes(thousands))
    throw new UsageError(
      (opt) =>
        `${opt('thousands')}: expected one of none, ',', '.', space, got '${String(thousands)}'`,
    );
  const session = await openDuckSession(path);
  try {
    throwIfAborted(options.signal);
    const columns = await describeSource(session, path);
    const need: [string, string | undefined][] = [
      ['customer', options.customer],
      ['date', options.date],
      ['amount', options.amount],
      ['quantity', options.quantity],
      ['price', options.price],
      ['order', options.order],
      ['product', options.product],
    ];
    for (const [option, name] of need) {
      if (name !== undefined && !columns.has(name)) {
        throw new UsageError(
          (opt) =>
            `${opt(option)}: unknown column '${name}'; the input has ${[...columns.keys()].map((c) => `'${c}'`).join(', ')}`,
        );
      }
    }
    const money = [
      ['amount', options.amount],
      ['quantity', options.quantity],
      ['price', options.price],
    ] as const;
    // A CSV of a header alone types every column as text: say it is empty, not that it is text.
    await checkHasRows(session, path);
    for (const [option, name] of money) {
      if (
        name !== undefined &&
        thousands === 'none' &&
        !/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$/.test(
          columns.get(name)!,
        )
      ) {
        throw await notNumericError(session, path, option, name, columns.get(name)!);
      }
    }
    const dateType = columns.get(options.date)!;
    if (dateFormat !== undefined && !session.csv && /^(DATE|TIMESTAMP)/.test(dateType))
      throw new UsageError(
        (opt) =>
          `${opt('dateFormat')}: column '${options.date}' is already a ${dateType} in '${path}'; leave ${opt('dateFormat')} out`,
      );
    // Read as text what must not go through DuckDB's guesses: ids that a double would round, dates
    // that have a format, numbers with thousands separators.
    const idNeedsText =
      session.csv &&
      /^(DOUBLE|FLOAT|HUGEINT|UHUGEINT|DECIMAL)/.test(columns.get(options.customer)!);
    session.readAsText([
      ...(idNeedsText ? [options.customer] : []),
      ...(dateFormat !== undefined ? [options.date] : []),
      ...(thousands !== 'none'
        ? money.map(([, name]) => name).filter((n): n is string => n !== undefined)
        : []),
    ]);
    return await compute(
      session,
      path,
      { ...options, dateFormat, thousands },
      dateType,
      idNeedsText,
    );
  } finally {
    session.close();
  }
}

async function compute(
  session: DuckSession,
  path: string,
  o: RfmOptions,
  sourceDateType: string,
  idAsText: boolean,
): Promise<RfmResult> {
  const c = session.connection;
  const q = quoteIdent;
  const run = async (sql: string): Promise<Record<string, unknown>[]> => {
    try {
      return (await c.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
    } catch (error) {
      throw new InputError(`'${path}': ${firstLine(error)}`, { cause: error });
    }
  };
  // The types as read now (columns read as text are VARCHAR).
  const types = await describeSource(session, path);
  const thousands = o.thousands ?? 'none';
  const number = (name: string): string =>
    thousands !== 'none' && /^VARCHAR/.test(types.get(name)!)
      ? groupedNumber(q(name), thousands)
      : `CAST(${q(name)} AS DOUBLE)`;
  const amount =
    o.amount !== undefined ? number(o.amount) : `${number(o.quantity!)} * ${number(o.price!)}`;
  const dateType = types.get(o.date)!;
  const day = dayExpression(q(o.date), dateType, o.dateFormat);
  await run(`CREATE TEMP TABLE tx AS SELECT ${q(o.customer)} AS customer, ${day} AS day, ${q(o.date)} AS raw_date, ${amount} AS amount,
    ${o.order ? q(o.order) : 'NULL'} AS order_id, ${o.product ? q(o.product) : 'NULL'} AS product, row_number() OVER () AS line${
      thousands !== 'none'
        ? `, ${moneyColumns(o)
            .map(([, name], i) => `${q(name)} AS money_${i}`)
            .join(', ')}`
        : ''
    } FROM ${session.source}`);
  if (thousands !== 'none') {
    for (const [i, [option, name]] of moneyColumns(o).entries()) {
      if (!/^VARCHAR/.test(types.get(name)!)) continue;
      const [bad] = await run(
        `SELECT count(*) AS n, min(line) AS first_line, arg_min(money_${i}, line) AS sample FROM tx WHERE ${number(name).replaceAll(q(name), `money_${i}`)} IS NULL AND money_${i} IS NOT NULL`,
      );
      if (Number(bad.n) > 0)
        throw new InputError(
          (opt) =>
            `${opt(option)}: column '${name}' has ${bad.n} value${Number(bad.n) === 1 ? '' : 's'} that are not numbers with ${opt('thousands')} ${thousands} (e.g. '${bad.sample}', data row ${bad.first_line})`,
        );
    }
  }
  const [bad] = await run(
    `SELECT count(*) AS n, min(line) AS first_line, arg_min(CAST(raw_date AS VARCHAR), line) AS sample FROM tx WHERE day IS NULL AND raw_date IS NOT NULL`,
  );
  if (Number(bad.n) > 0) {
    const isText = /^VARCHAR/.test(sourceDateType);
    const integer = /INT/.test(dateType);
    const advice = (format: string): string =>
      o.dateFormat !== undefined
        ? `they do not match ${format} ${o.dateFormat}`
        : isText
          ? `give ${format}, e.g. '%d-%m-%Y'`
          : integer
            ? `give ${format}: '%Y%m%d' for yyyymmdd, excel for Excel serial days, epoch-s or epoch-ms`
            : 'fix or drop them';
    throw new InputError(
      (opt) =>
        `${opt('date')}: column '${o.date}' has ${bad.n} value${Number(bad.n) === 1 ? '' : 's'} that are not dates (e.g. '${bad.sample}', data row ${bad.first_line}); ${advice(opt('dateFormat'))}`,
    );
  }
  if (idAsText) {
    // Integer ids a double holds exactly stay numbers (as DuckDB typed them); others stay text.
    const [inexact] = await run(
      `SELECT count(*) AS n FROM tx WHERE customer IS NOT NULL AND NOT coalesce(regexp_full_match(trim(customer), '[+-]?[0-9]+([.]0*)?') AND abs(TRY_CAST(trim(customer) AS DOUBLE)) < 9007199254740992, false)`,
    );
    if (Number(inexact.n) === 0)
      await run(
        `ALTER TABLE tx ALTER customer SET DATA TYPE DOUBLE USING CAST(trim(customer) AS DOUBLE)`,
      );
  }
  if (o.snapshot && o.asOf !== undefined) {
    const keepFrom =
      o.window !== undefined
        ? ` OR day <= DATE ${quoteString(o.asOf)} - ${Math.floor(o.window)}`
        : '';
    await run(`DELETE FROM tx WHERE day > DATE ${quoteString(o.asOf)}${keepFrom}`);
  }
  const [counts] =
    await run(`SELECT count(*) AS rows, count(*) FILTER (WHERE customer IS NULL) AS no_customer, CAST(max(day) + 1 AS VARCHAR) AS next_day,
    count(*) FILTER (WHERE amount IS NULL) AS no_amount FROM tx`);
  if (Number(counts.rows) === 0) throw new InputError(`'${path}' has no transactions`);
  if (Number(counts.no_amount) > 0)
    throw new InputError(
      (opt) =>
        `${o.amount ? `${opt('amount')} '${o.amount}'` : `${opt('quantity')}/${opt('price')}`}: ${counts.no_amount} rows have no amount`,
    );
  const asOf = o.asOf ?? String(counts.next_day);
  const frequency = o.order
    ? 'count(DISTINCT order_id) FILTER (WHERE amount > 0)'
    : 'count(DISTINCT day) FILTER (WHERE amount > 0)';
  const products = o.product
    ? ', CAST(count(DISTINCT product) FILTER (WHERE amount > 0) AS DOUBLE) AS distinct_products'
    : '';
  const asOfDate = `DATE ${quoteString(asOf)}`;
  // DuckDB's parallel sum adds in no fixed order; --history stores must be byte-identical on a rerun.
  const sum = o.snapshot ? (x: string) => `sum(${x} ORDER BY line)` : (x: string) => `sum(${x})`;
  const select = `SELECT customer AS ${q(o.customer)},
      CAST(date_diff('day', max(day) FILTER (WHERE amount > 0), ${asOfDate}) AS DOUBLE) AS recency_days,
      CAST(${frequency} AS DOUBLE) AS frequency,
      ${sum('amount')} AS monetary,
      ${sum('amount')} FILTER (WHERE amount > 0) / ${frequency} AS avg_order_value,
      CAST(date_diff('day', min(day) FILTER (WHERE amount > 0), ${asOfDate}) AS DOUBLE) AS tenure_days,
      coalesce(-${sum('amount')} FILTER (WHERE amount < 0), 0) / ${sum('amount')} FILTER (WHERE amount > 0) AS return_rate${products}
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
    throw new InputError(
      (opt) => `${opt('asOf')} ${asOf} is before ${future.n} transactions; pick a later date`,
    );
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
